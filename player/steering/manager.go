package steering

import (
	"time"

	"github.com/abrkit/abrkit/player/manifest"
)

// Manager is the concrete [Selector]. Create it with [New].
type Manager struct {
	cfg Config
}

var _ Selector = (*Manager)(nil)

// New builds a selector from cfg's sources. now is the session start:
// the first steering reload is due then.
func New(cfg Config, now time.Duration) (*Manager, error) {
	cfg.setDefaults()
	return &Manager{cfg: cfg}, nil
}

func (m *Manager) Current(now time.Duration) Server                              { return Server{} }
func (m *Manager) Servers(dst []Server) []Server                                 { return dst }
func (m *Manager) LastSwitch() (Switch, bool)                                    { return Switch{}, false }
func (m *Manager) Resolve(uri string) string                                     { return uri }
func (m *Manager) ResolveStable(uri, stableID string, rendition bool) string     { return uri }
func (m *Manager) Usable(dst []int, rs []manifest.Rendition) []int               { return dst }
func (m *Manager) Probes(now time.Duration, uri string) []Probe                  { return nil }
func (m *Manager) ProbeDone(now time.Duration, serverID string, o Outcome) error { return nil }
func (m *Manager) Report(now time.Duration, serverID string, o Outcome) error    { return nil }
func (m *Manager) SetMinThroughput(bps float64)                                  {}
func (m *Manager) NextReload(now time.Duration) (Reload, bool)                   { return Reload{}, false }
func (m *Manager) ReloadDone(now time.Duration, resp ReloadResponse) error       { return nil }
