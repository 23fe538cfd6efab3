package virtual

import (
	"math"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/topology"
	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/scenario"
)

// service is a control-plane service modelled as a multi-server queue:
// Workers requests are served at once, up to QueueLimit wait (FIFO), more
// are shed with 503. A client gives up after Timeout.
type service struct {
	name    string
	class   *results.Class
	workers int
	limit   int // 0: unbounded
	timeout time.Duration
	sample  func(r randSource) time.Duration
	busy    int
	queue   []int32 // call slots waiting, FIFO
	qhead   int
	// fault state
	down    bool
	slow    time.Duration
	errRate float64
}

func newService(name string, class *results.Class, def topology.Service, ov *scenario.Service, share float64) *service {
	s := &service{name: name, class: class, workers: def.Workers, timeout: scenario.DefaultTimeout}
	st := def.ServiceTime
	s.sample = func(r randSource) time.Duration { return st.Quantile(r.NormFloat64()) }
	if ov != nil {
		if ov.Workers > 0 {
			s.workers = ov.Workers
		}
		s.limit = ov.QueueLimit
		if ov.Timeout > 0 {
			s.timeout = ov.Timeout.D()
		}
		if !ov.ServiceTime.IsZero() {
			d := ov.ServiceTime
			s.sample = func(r randSource) time.Duration { return d.Sample(r) }
		}
	}
	if share < 1 {
		s.workers = max(1, int(math.Ceil(float64(s.workers)*share)))
		if s.limit > 0 {
			s.limit = max(1, int(math.Ceil(float64(s.limit)*share)))
		}
	}
	if s.workers <= 0 {
		s.workers = 1
	}
	return s
}

func (s *service) queued() int { return len(s.queue) - s.qhead }

func (s *service) push(c int32) { s.queue = append(s.queue, c) }

func (s *service) pop() int32 {
	c := s.queue[s.qhead]
	s.qhead++
	if s.qhead > 1024 && s.qhead*2 > len(s.queue) {
		s.queue = append(s.queue[:0], s.queue[s.qhead:]...)
		s.qhead = 0
	}
	return c
}

// call is one control-plane request in progress.
type call struct {
	viewer   int32
	life     uint32
	svc      uint8
	answered bool // the client has its answer (reply or timeout)
	served   bool // the server is done with it
	sent     time.Duration
	rtt      time.Duration
	status   int
	gen      uint32
}

// randSource is what service times and coin flips draw from.
type randSource interface {
	Float64() float64
	NormFloat64() float64
	ExpFloat64() float64
}
