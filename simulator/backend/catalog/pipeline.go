package catalog

import "github.com/abrkit/abrkit/simulator/backend/queue"

// KindHeartbeat is the kind of the heartbeats' records in the telemetry
// pipeline (package queue): a session's heartbeats are keyed by session,
// so they stay in order on one partition.
const KindHeartbeat = "heartbeat"

// PipelineStats summarises the heartbeats in the pipeline: their own
// counts, and the lag and stall the pipeline's records share.
type PipelineStats = queue.Stats

// OfferHeartbeat queues hb on its session's partition of the pipeline
// without blocking; false when the partition is full.
func (c *Catalog) OfferHeartbeat(hb Heartbeat) (partition int, ok bool) {
	return c.Pipeline.Offer(KindHeartbeat, hash32(hb.Session), hb)
}

// heartbeatStats is the pipeline's stats with the heartbeats' counts.
func (c *Catalog) heartbeatStats() PipelineStats {
	s := c.Pipeline.Stats()
	n := c.Pipeline.Counts(KindHeartbeat)
	s.Accepted, s.Dropped, s.Consumed = n.Accepted, n.Dropped, n.Consumed
	return s
}
