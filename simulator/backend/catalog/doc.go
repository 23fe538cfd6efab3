// Package catalog is the reference backend's browse plane: the services a
// viewer's journey hits before and during play, behind the gateway.
//
//   - home: GET /v1/home assembles the viewer's first rows from one
//     personalisation read and one call per row (a fan-out); when
//     personalisation or every row fails it answers a stale copy of the
//     viewer's home, else the generic (editorial) home, and says so in
//     X-Abrkit-Fallback;
//   - rows: GET /v1/rows/{id}?page=N, one page of a row;
//   - search: GET /v1/search?q=..., titles whose id holds q;
//   - details: GET /v1/titles/{id};
//   - heartbeats: POST /v1/heartbeat puts a playing session's heartbeat into
//     the telemetry pipeline (a bounded, partitioned [queue.Pipeline],
//     which the gateway's /v1/events share); a full partition answers 503.
//
// Behind them sit a cache [Tier] (nodes on a consistent-hash ring, TTL and
// capacity per node; a lost node's keys move to its neighbours, which miss:
// a miss storm onto the datastore) and a [Datastore] (log-normal latency,
// a concurrency limit, a timeout, a circuit breaker). Every call's time is
// modelled: it is sampled, slept through Config.Sleep and summed along the
// critical path (a fan-out costs its slowest branch), so with a sleep that
// returns at once a test still sees the latency a live run would.
//
// A release (Config.Release) drops a season at a time on the catalog's
// clock: titles held back until then are listed, new rows come on every
// home, and homes, row pages and search answers are cached under the new
// generation's keys, so the cache is cold for them.
//
// Faults (through the admin fault API): "cache-N" kill loses node N and its
// contents, restart brings it back empty; "datastore" slow, fail or kill;
// "heartbeat-consumers" kill stalls the pipeline's consumers (lag grows,
// then partitions fill), restart resumes them.
package catalog
