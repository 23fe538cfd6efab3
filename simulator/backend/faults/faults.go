package faults

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"time"
)

// Kind is what a fault does.
type Kind string

// The fault kinds.
const (
	Kill    Kind = "kill"    // stop serving: close the listener and connections
	Restart Kind = "restart" // serve again (clears impairments)
	Slow    Kind = "slow"    // add latency and/or cap bandwidth
	Fail    Kind = "fail"    // answer a share of requests with an error status
	Clear   Kind = "clear"   // remove impairments
)

// Sentinel errors.
var (
	ErrUnknownTarget = errors.New("unknown fault target")
	ErrBadFault      = errors.New("bad fault")
	// ErrScheduleFull is returned by Schedule beyond MaxPending faults.
	ErrScheduleFull = errors.New("fault schedule is full")
)

// Bounds of the schedule: at most MaxPending faults wait, none further
// than MaxHorizon ahead (checked by DecodeRequest against its now).
const (
	MaxPending = 1000
	MaxHorizon = 7 * 24 * time.Hour
)

// Fault is one action on one target.
type Fault struct {
	Target string
	Kind   Kind
	// Latency is added before every response (Slow).
	Latency time.Duration
	// BandwidthBps caps egress in bits per second (Slow); 0 keeps it.
	BandwidthBps int64
	// ErrorRate is the share of requests failed, 0..1 (Fail).
	ErrorRate float64
	// Status is the failure status code (Fail); defaults to 503.
	Status int
}

// Validate checks the fields for the kind.
func (f Fault) Validate() error {
	switch f.Kind {
	case Kill, Restart, Clear:
	case Slow:
		if f.Latency < 0 || f.BandwidthBps < 0 || (f.Latency == 0 && f.BandwidthBps == 0) {
			return fmt.Errorf("%w: slow needs a positive latency or bandwidth_bps", ErrBadFault)
		}
	case Fail:
		if !(f.ErrorRate > 0 && f.ErrorRate <= 1) {
			return fmt.Errorf("%w: fail needs 0 < error_rate <= 1, not %v", ErrBadFault, f.ErrorRate)
		}
		if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
			return fmt.Errorf("%w: status %d is not an error status", ErrBadFault, f.Status)
		}
	default:
		return fmt.Errorf("%w: unknown kind %q (kill, restart, slow, fail, clear)", ErrBadFault, f.Kind)
	}
	if f.Target == "" {
		return fmt.Errorf("%w: no target", ErrBadFault)
	}
	return nil
}

// Impairment is the standing damage on a target.
type Impairment struct {
	Latency      time.Duration
	BandwidthBps int64
	ErrorRate    float64
	Status       int
}

// Target is something faults can hit: an edge or a service.
type Target interface {
	Kill() error
	Restart() error
	Impair(Impairment)
}

// Impaired is a helper for targets: a concurrency-safe Impairment with a
// seeded random source for error rates.
type Impaired struct {
	mu  sync.Mutex
	imp Impairment
	rng *rand.Rand
}

// NewImpaired returns an unimpaired state with a deterministic random source.
func NewImpaired(seed uint64) *Impaired {
	return &Impaired{rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
}

// Set replaces the impairment.
func (s *Impaired) Set(imp Impairment) {
	s.mu.Lock()
	s.imp = imp
	s.mu.Unlock()
}

// Get returns the impairment.
func (s *Impaired) Get() Impairment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.imp
}

// Roll returns the impairment and whether this request should fail, and
// with which status.
func (s *Impaired) Roll() (imp Impairment, failStatus int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	imp = s.imp
	if imp.ErrorRate > 0 && s.rng.Float64() < imp.ErrorRate {
		failStatus = imp.Status
		if failStatus == 0 {
			failStatus = 503
		}
	}
	return imp, failStatus
}

// Scheduled is a fault waiting for its time.
type Scheduled struct {
	At    time.Time
	Fault Fault
}

// State is a target's state as the controller last left it.
type State struct {
	Target     string     `json:"target"`
	Down       bool       `json:"down"`
	Impairment Impairment `json:"-"`
	LastKind   Kind       `json:"last_kind,omitempty"`
}

// Controller applies faults to named targets.
type Controller struct {
	mu      sync.Mutex
	targets map[string]Target
	state   map[string]*State
	pending []Scheduled
}

// NewController returns a controller with no targets.
func NewController() *Controller {
	return &Controller{targets: map[string]Target{}, state: map[string]*State{}}
}

// Register adds (or replaces) a named target.
func (c *Controller) Register(name string, t Target) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.targets[name] = t
	if c.state[name] == nil {
		c.state[name] = &State{Target: name}
	}
}

// Targets lists the registered names, sorted.
func (c *Controller) Targets() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.targets))
	for n := range c.targets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// States returns every target's state, sorted by name.
func (c *Controller) States() []State {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]State, 0, len(c.state))
	for _, s := range c.state {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Target < out[j].Target })
	return out
}

// Apply performs f now.
func (c *Controller) Apply(f Fault) error {
	if err := f.Validate(); err != nil {
		return err
	}
	c.mu.Lock()
	t, ok := c.targets[f.Target]
	st := c.state[f.Target]
	c.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownTarget, f.Target)
	}
	var err error
	c.mu.Lock()
	defer c.mu.Unlock()
	switch f.Kind {
	case Kill:
		err = t.Kill()
		st.Down = err == nil || st.Down
	case Restart:
		t.Impair(Impairment{})
		st.Impairment = Impairment{}
		err = t.Restart()
		st.Down = err != nil && st.Down
	case Clear:
		st.Impairment = Impairment{}
		t.Impair(st.Impairment)
	case Slow:
		st.Impairment.Latency, st.Impairment.BandwidthBps = f.Latency, f.BandwidthBps
		t.Impair(st.Impairment)
	case Fail:
		st.Impairment.ErrorRate, st.Impairment.Status = f.ErrorRate, f.Status
		t.Impair(st.Impairment)
	}
	st.LastKind = f.Kind
	if err != nil {
		return fmt.Errorf("faults: %s %s: %w", f.Kind, f.Target, err)
	}
	return nil
}

// Schedule queues f to be applied by the first Tick at or after at.
func (c *Controller) Schedule(at time.Time, f Fault) error {
	if err := f.Validate(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.targets[f.Target]; !ok {
		return fmt.Errorf("%w: %q", ErrUnknownTarget, f.Target)
	}
	if len(c.pending) >= MaxPending {
		return fmt.Errorf("%w: %d faults already wait", ErrScheduleFull, MaxPending)
	}
	c.pending = append(c.pending, Scheduled{At: at, Fault: f})
	sort.SliceStable(c.pending, func(i, j int) bool { return c.pending[i].At.Before(c.pending[j].At) })
	return nil
}

// Pending returns the queued faults in time order.
func (c *Controller) Pending() []Scheduled {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Scheduled(nil), c.pending...)
}

// Tick applies every queued fault due at now, in time order, and returns
// them with the first error met (the rest are still applied).
func (c *Controller) Tick(now time.Time) ([]Fault, error) {
	c.mu.Lock()
	n := 0
	for n < len(c.pending) && !c.pending[n].At.After(now) {
		n++
	}
	due := append([]Scheduled(nil), c.pending[:n]...)
	c.pending = c.pending[n:]
	c.mu.Unlock()
	var first error
	out := make([]Fault, 0, len(due))
	for _, s := range due {
		if err := c.Apply(s.Fault); err != nil && first == nil {
			first = err
		}
		out = append(out, s.Fault)
	}
	return out, first
}
