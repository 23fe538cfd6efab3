package abr

// DefaultSafety is the fraction of the estimate the rate-based algorithm
// dares to use (dash.js and Shaka use 0.9).
const DefaultSafety = 0.9

// Throughput is the rate-based algorithm: the highest level whose bitrate
// is at most Safety times the bandwidth estimate. Before the estimate is
// trusted it falls back to the last chunk's throughput, then to level 0.
type Throughput struct {
	Safety float64 // defaults to DefaultSafety
}

var (
	_ Algorithm = (*Throughput)(nil)
	_ Abandoner = (*Throughput)(nil)
)

// NewThroughput returns the rate-based algorithm with a 0.9 safety factor.
func NewThroughput() *Throughput { return &Throughput{Safety: DefaultSafety} }

// Name returns "throughput".
func (*Throughput) Name() string { return "throughput" }

// Choose picks the highest sustainable level.
func (t *Throughput) Choose(s *State) int {
	if len(s.Bitrates) == 0 {
		return 0
	}
	est, ok := s.estimate()
	if !ok {
		return 0
	}
	safety := t.Safety
	if safety <= 0 {
		safety = DefaultSafety
	}
	return levelBelow(s.Bitrates, est*safety)
}

// Abandon gives up a download that would outlast the buffer.
func (*Throughput) Abandon(s *State, p Progress) (int, bool) { return abandonForStall(s, p) }
