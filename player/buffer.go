package player

import (
	"fmt"
	"time"
)

// Defaults of DefaultBufferPolicy, close to ExoPlayer's DefaultLoadControl
// scaled for short-segment streaming.
const (
	DefaultBufferGoal    = 30 * time.Second // load ahead until this much is buffered
	DefaultBufferResume  = 20 * time.Second // then wait until it drains below this
	DefaultStartBuffer   = 2 * time.Second  // start-up and after a seek
	DefaultRestartBuffer = 4 * time.Second  // after a stall
	DefaultBackBuffer    = 10 * time.Second // media kept behind the playhead for short seeks back
	DefaultMaxRetries    = 3                // consecutive failures of one request before it is fatal
)

// BufferPolicy decides when to load and when to start playing; it mirrors
// ExoPlayer's LoadControl. Implementations must be pure.
type BufferPolicy interface {
	// ShouldLoad reports whether to fetch another segment with buffered
	// media ahead of the playhead. loading says whether the previous
	// answer was true (for hysteresis).
	ShouldLoad(buffered time.Duration, loading bool) bool
	// ShouldStart reports whether playback may start (rebuffering false)
	// or resume after a stall (rebuffering true). ended is true when the
	// buffer already holds the end of the presentation.
	ShouldStart(buffered time.Duration, rebuffering, ended bool) bool
	// ResumeLevel is the buffer level at or below which ShouldLoad(buffered,
	// false) turns true again; the core sets its wake-up timer by it.
	ResumeLevel() time.Duration
	// BackBuffer is how much media to keep behind the playhead.
	BackBuffer() time.Duration
	// Goal is the buffer level the policy loads up to (given to ABR).
	Goal() time.Duration
}

// DefaultBufferPolicy is a BufferPolicy with fixed thresholds. The zero
// value is not valid; start from NewBufferPolicy or fill every field.
type DefaultBufferPolicy struct {
	Forward time.Duration // buffer goal; defaults to DefaultBufferGoal
	Resume  time.Duration // hysteresis: resume loading below this; defaults to DefaultBufferResume
	Start   time.Duration // needed to start; defaults to DefaultStartBuffer
	Restart time.Duration // needed to resume after a stall; defaults to DefaultRestartBuffer
	Back    time.Duration // back buffer; defaults to DefaultBackBuffer
}

var _ BufferPolicy = DefaultBufferPolicy{}

// NewBufferPolicy returns the default thresholds.
func NewBufferPolicy() DefaultBufferPolicy {
	return DefaultBufferPolicy{
		Forward: DefaultBufferGoal,
		Resume:  DefaultBufferResume,
		Start:   DefaultStartBuffer,
		Restart: DefaultRestartBuffer,
		Back:    DefaultBackBuffer,
	}
}

// Validate checks that the thresholds are ordered sensibly.
func (p DefaultBufferPolicy) Validate() error {
	switch {
	case p.Forward <= 0:
		return fmt.Errorf("buffer policy: forward goal %v must be positive", p.Forward)
	case p.Resume < 0 || p.Resume > p.Forward:
		return fmt.Errorf("buffer policy: resume level %v must be within [0, forward goal %v]", p.Resume, p.Forward)
	case p.Start < 0 || p.Start > p.Forward:
		return fmt.Errorf("buffer policy: start level %v must be within [0, forward goal %v]", p.Start, p.Forward)
	case p.Restart < 0 || p.Restart > p.Forward:
		return fmt.Errorf("buffer policy: restart level %v must be within [0, forward goal %v]", p.Restart, p.Forward)
	case p.Back < 0:
		return fmt.Errorf("buffer policy: back buffer %v must not be negative", p.Back)
	}
	return nil
}

// ShouldLoad loads up to Forward, then waits until the buffer drains to Resume.
func (p DefaultBufferPolicy) ShouldLoad(buffered time.Duration, loading bool) bool {
	if loading {
		return buffered < p.Forward
	}
	return buffered <= p.Resume
}

// ShouldStart needs Start (or Restart after a stall) of media, or the end of the stream.
func (p DefaultBufferPolicy) ShouldStart(buffered time.Duration, rebuffering, ended bool) bool {
	if ended {
		return true
	}
	if rebuffering {
		return buffered >= p.Restart
	}
	return buffered >= p.Start
}

// ResumeLevel returns Resume.
func (p DefaultBufferPolicy) ResumeLevel() time.Duration { return p.Resume }

// BackBuffer returns Back.
func (p DefaultBufferPolicy) BackBuffer() time.Duration { return p.Back }

// Goal returns Forward.
func (p DefaultBufferPolicy) Goal() time.Duration { return p.Forward }
