package simulator

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// bar draws the progress of a run on a terminal (one redrawn line) or as
// a line every 10% elsewhere.
type bar struct {
	w    io.Writer
	tty  bool
	last int
}

func newBar(w io.Writer, tty bool) *bar { return &bar{w: w, tty: tty, last: -1} }

func (b *bar) update(now time.Duration, done, total int) {
	if total == 0 {
		return
	}
	pct := done * 100 / total
	if b.tty {
		const width = 30
		n := done * width / total
		fmt.Fprintf(b.w, "\r[%s%s] %3d%%  %d/%d sessions  t=%s ", strings.Repeat("#", n), strings.Repeat(".", width-n), pct, done, total, now.Truncate(time.Second))
		return
	}
	if pct/10 > b.last {
		b.last = pct / 10
		fmt.Fprintf(b.w, "progress %3d%%  %d/%d sessions  t=%s\n", pct, done, total, now.Truncate(time.Second))
	}
}

func newJSON(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc
}
