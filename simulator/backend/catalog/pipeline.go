package catalog

import (
	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/queue"
)

// Pipeline is the heartbeat pipeline: a bounded, partitioned queue
// (package queue) keyed by session, so a session's heartbeats stay in
// order on one partition, with one consumer per partition. Lag is what
// waits in the partitions, in events and in age of the last event taken.
type Pipeline struct {
	*queue.Queue[Heartbeat]
}

// PipelineStats summarises the pipeline.
type PipelineStats = queue.Stats

func newPipeline(partitions, capacity int, c clock.Clock, virtual bool) *Pipeline {
	return &Pipeline{queue.New[Heartbeat](partitions, capacity, c, virtual, nil)}
}

// Offer queues hb on its session's partition without blocking; false when
// the partition is full.
func (p *Pipeline) Offer(hb Heartbeat) (partition int, ok bool) {
	return p.Queue.Offer(hash32(hb.Session), hb)
}
