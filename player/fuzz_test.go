package player

import (
	"testing"
	"time"

	"github.com/abrkit/abrkit/player/transport"
)

// FuzzCore drives a core with an arbitrary sequence of completions,
// failures, progress reports, seeks, pauses and time steps. The core must
// not panic, must keep its time and buffer invariants and must never ask
// for a request ID twice.
func FuzzCore(f *testing.F) {
	f.Add([]byte{0, 1, 1, 1, 2, 3, 0, 1, 1, 4, 5, 6, 7})
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 8, 8, 8, 8, 8})
	f.Add([]byte{2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2})
	f.Add([]byte{1, 5, 1, 6, 1, 7, 1, 5, 9, 9, 9, 1, 1, 1})
	f.Fuzz(runFuzzOnce)
}

var (
	fuzzVOD  = content(20, 2*time.Second, ladder...)
	fuzzLive = liveStream{seg: 2 * time.Second, window: 6, ended: 90 * time.Second}
)

func runFuzzOnce(t *testing.T, ops []byte) {
	vod, live := fuzzVOD, fuzzLive
	c := NewCore(CoreConfig{Edges: twoEdges})
	p := vod
	isLive := len(ops) > 0 && ops[0]%2 == 1
	if isLive {
		p = live.presentation()
		p.Duration = 0
	}
	c.LoadPresentation(0, p)
	now := time.Duration(0)
	var flights []Action
	seen := map[RequestID]bool{}
	var acts []Action
	for i, op := range ops {
		if i > 2000 {
			break
		}
		var wake time.Duration
		acts, wake = c.Poll(now, acts[:0])
		for _, a := range acts {
			switch a.Op {
			case OpFetch:
				if seen[a.ID] {
					t.Fatalf("request id %d issued twice", a.ID)
				}
				seen[a.ID] = true
				flights = append(flights, a)
			case OpCancel:
				for j := range flights {
					if flights[j].ID == a.ID {
						flights = append(flights[:j], flights[j+1:]...)
						break
					}
				}
			}
		}
		if wake < now {
			t.Fatalf("wake %v before now %v", wake, now)
		}
		if wake == now && len(acts) == 0 {
			var again []Action
			if again, wake = c.Poll(now, nil); len(again) == 0 && wake == now {
				t.Fatalf("livelock: Poll at %v asks to be woken at once and does nothing (state %v)", now, c.State())
			}
			acts = append(acts, again...)
			for _, a := range again {
				if a.Op == OpFetch {
					flights = append(flights, a)
					seen[a.ID] = true
				}
			}
		}
		switch op % 10 {
		case 0: // time passes to the wake-up
			if wake != Never {
				now = wake
			}
		case 1, 2: // the oldest fetch completes, ok or 503
			if len(flights) > 0 {
				a := flights[0]
				flights = flights[1:]
				now += time.Duration(op) * 10 * time.Millisecond
				o := Outcome{Status: 200, Bytes: a.Size, Duration: 100 * time.Millisecond}
				if a.Kind == transport.KindManifest {
					o.Media = live.playlist(a.URL, now)
				}
				if op%10 == 2 {
					o = Outcome{Status: 503}
				}
				c.Complete(now, a.ID, o)
			}
		case 3:
			if len(flights) > 0 && flights[0].Kind == transport.KindMedia {
				now += 50 * time.Millisecond
				c.Progress(now, flights[0].ID, flights[0].Size/10)
			}
		case 4:
			c.Pause(now)
		case 5:
			c.Play(now)
		case 6, 7:
			c.Seek(now, time.Duration(op)*3*time.Second)
		case 8:
			now += time.Second
		case 9:
			c.SetMaxBitrate(int(op) * 100_000)
		}
		if b := c.Buffered(now); b < 0 {
			t.Fatalf("buffered %v < 0", b)
		}
		limit := p.Duration
		if isLive {
			limit = now + 60*time.Second
		}
		if pos := c.Position(now); pos < 0 || pos > limit {
			t.Fatalf("position %v outside [0, %v]", pos, limit)
		}
		q := c.QoE(now)
		if q.StallTime < 0 || q.PlayTime < 0 || q.PlayTime > limit {
			t.Fatalf("qoe times stall %v play %v", q.StallTime, q.PlayTime)
		}
	}
}
