package manifest

import "time"

// Option configures the parsers: WithLimits applies to all of them,
// WithNow to DASH.
type Option func(*options)

type options struct {
	now    time.Time
	hasNow bool
	limits Limits
}

// WithNow gives the wall-clock time used to generate the segment window of
// dynamic DASH SegmentTemplates without a SegmentTimeline. Without it those
// renditions keep Loaded false and their Template set; call
// (*Rendition).SegmentsAt later with the time.
func WithNow(now time.Time) Option {
	return func(o *options) { o.now, o.hasNow = now, true }
}

func buildOptions(opts []Option) options {
	var o options
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	o.limits = o.limits.withDefaults()
	return o
}
