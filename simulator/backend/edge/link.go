package edge

import (
	"net/http"
	"sync"
	"time"
)

// chunk is the unit the Link paces.
const chunk = 32 << 10

// Pacing tolerances: a transfer may run up to maxCredit behind its
// schedule and catch up (timer wake-ups are late under load, and without
// credit every late wake-up would lose bandwidth for good), and it sleeps
// only once it is at least minSleep ahead.
const (
	maxCredit = 10 * time.Millisecond
	minSleep  = 2 * time.Millisecond
)

// Link is an edge's egress: a bandwidth shared fairly by the transfers in
// progress. Each transfer is paced at rate/active, recomputed per chunk, so
// n transfers each get 1/n of the capacity.
type Link struct {
	mu     sync.Mutex
	rate   float64 // bytes per second; 0 means unlimited
	active int
}

// NewLink returns a link of bps bits per second (0: unlimited).
func NewLink(bps int64) *Link {
	l := &Link{}
	l.SetRate(bps)
	return l
}

// SetRate changes the capacity (0: unlimited).
func (l *Link) SetRate(bps int64) {
	l.mu.Lock()
	l.rate = float64(bps) / 8
	l.mu.Unlock()
}

// Limited reports whether the link paces at all.
func (l *Link) Limited() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rate > 0
}

// Share returns the bytes per second one of the active transfers gets.
func (l *Link) Share() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.active == 0 {
		return l.rate
	}
	return l.rate / float64(l.active)
}

func (l *Link) open() {
	l.mu.Lock()
	l.active++
	l.mu.Unlock()
}

func (l *Link) close() {
	l.mu.Lock()
	l.active--
	l.mu.Unlock()
}

// Pace returns when a transfer that may send again at next can send the
// following n bytes at share bytes per second, given the time now: the
// pure part of the pacing, kept apart for tests. A transfer behind its
// schedule keeps at most maxCredit of it; a new one (zero next) has none.
func Pace(now, next time.Time, n int, share float64) time.Time {
	if next.IsZero() {
		next = now
	} else if floor := now.Add(-maxCredit); next.Before(floor) {
		next = floor
	}
	if share <= 0 {
		return next
	}
	return next.Add(time.Duration(float64(n) / share * float64(time.Second)))
}

// pacedWriter sends through a Link.
type pacedWriter struct {
	http.ResponseWriter
	link  *Link
	next  time.Time
	sleep func(time.Duration) bool
}

func (w *pacedWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		n := min(len(p), chunk)
		m, err := w.ResponseWriter.Write(p[:n])
		written += m
		if err != nil {
			return written, err
		}
		now := time.Now()
		w.next = Pace(now, w.next, n, w.link.Share())
		if d := w.next.Sub(now); d >= minSleep && !w.sleep(d) {
			return written, http.ErrHandlerTimeout
		}
		p = p[n:]
	}
	return written, nil
}

func (w *pacedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
