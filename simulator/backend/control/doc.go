// Package control is the reference backend's control plane: one [Gateway]
// in front of four services.
//
//   - auth: POST /v1/login issues a bearer token (HMAC-signed, stateless);
//   - playback: GET /v1/titles, POST /v1/play answers manifest URLs and a
//     ranked list of edges with signed URLs plus a steering URI;
//   - steering: GET /v1/steering/{title} serves HLS/DASH content-steering
//     JSON (VERSION, TTL, RELOAD-URI, PATHWAY-PRIORITY; pathways are edge
//     ids) ranked by the viewer's region, edge health, load and cache state
//     ([Rank]), including how many of each edge's viewers starve (CMCD bs);
//     edges report to it (POST /internal/v1/edges/report on the internal
//     listener, signed with the report key, or [Steering.Report] in
//     process) and drop out when silent for longer than the health interval;
//   - telemetry: POST /v1/events takes batched playback events into a
//     bounded queue; what does not fit is dropped and counted, and the
//     answer says how many.
//
// The gateway listens on three addresses: the public API, the internal
// listener for edge reports ([Gateway.InternalURL]) and the admin listener
// for faults and metrics behind a bearer token ([Gateway.AdminURL]).
// Request bodies are read under a deadline before a request slot is
// taken; failed logins back off per user and per client ([Backoff]);
// CORS headers go to the configured origins only.
//
// The gateway authenticates, limits each client with a token bucket
// ([Limiter], 429), sheds load beyond a fixed number of requests in flight
// with 503 and Retry-After ([Shedder], no queue), and guards each service
// with a circuit [Breaker] (503 while open). Every time-dependent decision
// takes the time from a [clock.Clock], so tests drive it with a fake clock.
package control
