package control

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// Service names, also the fault targets and the breaker label.
const (
	SvcAuth      = "auth"
	SvcPlayback  = "playback"
	SvcSteering  = "steering"
	SvcTelemetry = "telemetry"
)

// Service is one downstream service of the gateway: it can be killed,
// impaired, and takes a sampled service time per request.
type Service struct {
	name    string
	model   topology.ServiceTime
	imp     *faults.Impaired
	down    atomic.Bool
	breaker *Breaker

	mu  sync.Mutex
	rng *rand.Rand
}

var _ faults.Target = (*Service)(nil)

func newService(name string, model topology.ServiceTime, b topology.Breaker, seed uint64) *Service {
	return &Service{name: name, model: model, imp: faults.NewImpaired(seed), breaker: NewBreaker(b.Failures, b.Cooldown),
		rng: rand.New(rand.NewPCG(seed, 17))}
}

// Name returns the service name.
func (s *Service) Name() string { return s.name }

// Breaker returns the gateway's breaker for this service.
func (s *Service) Breaker() *Breaker { return s.breaker }

// Kill makes the service unavailable: the gateway gets connection-refused
// equivalents (503) until Restart.
func (s *Service) Kill() error { s.down.Store(true); return nil }

// Restart makes it available again.
func (s *Service) Restart() error { s.down.Store(false); return nil }

// Impair sets latency or an error rate.
func (s *Service) Impair(i faults.Impairment) { s.imp.Set(i) }

// Down reports whether the service is killed.
func (s *Service) Down() bool { return s.down.Load() }

// call runs h as the service would: unavailable when killed, after the
// injected latency and a sampled service time, failing a share of calls.
func (s *Service) call(ctx context.Context, w http.ResponseWriter, sleep func(context.Context, time.Duration) error, h func() int) int {
	if s.down.Load() {
		return writeError(w, http.StatusServiceUnavailable, s.name+" service unavailable")
	}
	imp, fail := s.imp.Roll()
	s.mu.Lock()
	d := s.model.Sample(s.rng)
	s.mu.Unlock()
	if d += imp.Latency; d > 0 {
		if err := sleep(ctx, d); err != nil {
			return writeError(w, http.StatusServiceUnavailable, s.name+": "+err.Error())
		}
	}
	if fail != 0 {
		return writeError(w, fail, s.name+": injected failure")
	}
	return h()
}
