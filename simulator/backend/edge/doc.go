// Package edge is the reference backend's edge cache (an "Open Connect
// Appliance"): an HTTP server on its own loopback address that serves the
// signed URLs the playback API hands out.
//
// An [Edge] checks the URL's signature ([signing.Signer.Verify]: 403 when
// expired or forged, 400 when the path is malformed or traverses), looks the
// file up in a byte-bounded LRU [Cache], fills it from the origin on a miss
// (concurrent misses for one file make a single origin fetch), and sends it
// with Range support through a [Link] that shares the edge's bandwidth
// fairly among its transfers. Requests beyond the connection limit get 503
// with Retry-After. Each write to a viewer has a deadline (a base plus its
// size at a minimum send rate), so viewers that stop reading lose their
// connection; preflight OPTIONS allow Range and the CMCD headers. Metrics
// and load are served by [Edge.AdminHandler] for an admin listener, never
// on the public address. Every health interval the edge sends a [Report] (health,
// load, cache state, CMCD sessions and starvation) to the steering service.
//
// Edges implement [faults.Target]: Kill closes the listener and every
// connection, Restart listens again on the same address with an empty cache,
// Impair adds latency, caps bandwidth or fails a share of requests.
package edge
