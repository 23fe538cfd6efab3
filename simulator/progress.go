package simulator

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/abrkit/abrkit/simulator/policy"
)

// bar draws the progress of a run on a terminal (one redrawn line) or as
// a line every 10% elsewhere: time simulated, sessions started, in flight
// and finished, and an estimate of the wall time left.
type bar struct {
	w     io.Writer
	tty   bool
	last  int
	clock func() time.Time
	start time.Time
}

func newBar(w io.Writer, tty bool, clock func() time.Time) *bar {
	if clock == nil {
		clock = time.Now
	}
	return &bar{w: w, tty: tty, last: -1, clock: clock, start: clock()}
}

func (b *bar) update(p policy.Progress) {
	if p.Total == 0 {
		return
	}
	f := p.Fraction()
	pct := int(f * 100)
	line := fmt.Sprintf("%3d%%  t=%s  sessions %d started, %d in flight, %d/%d finished  ETA %s",
		pct, p.Now.Truncate(time.Second), p.Started, p.InFlight, p.Finished, p.Total, b.eta(f))
	if b.tty {
		const width = 30
		n := int(f * width)
		fmt.Fprintf(b.w, "\r[%s%s] %s ", strings.Repeat("#", n), strings.Repeat(".", width-n), line)
		return
	}
	if pct/10 > b.last {
		b.last = pct / 10
		fmt.Fprintf(b.w, "progress %s\n", line)
	}
}

// eta extrapolates the wall time spent so far to the share not done.
func (b *bar) eta(f float64) string {
	if f >= 1 {
		return "0s"
	}
	spent := b.clock().Sub(b.start)
	if f <= 0 || spent <= 0 {
		return "?"
	}
	left := time.Duration(float64(spent) * (1 - f) / f)
	if left >= time.Minute {
		return left.Truncate(time.Second).String()
	}
	return left.Truncate(100 * time.Millisecond).String()
}

func newJSON(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc
}
