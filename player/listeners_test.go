package player

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
)

// countingListener is a comparable listener (a pointer) that counts events.
type countingListener struct{ n atomic.Int64 }

func (c *countingListener) OnEvent(Event) { c.n.Add(1) }

// playMem plays memHLS to its end on a fast clock with opts.
func playMem(t *testing.T, opts ...Option) *Player {
	t.Helper()
	p, err := New(append([]Option{WithFetcher(memHLS), WithClock(clock.NewScaled(200))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func runMem(t *testing.T, p *Player) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Load(ctx, "http://mem.test/master.m3u8"); err != nil {
		t.Fatalf("Load = %v", err)
	}
	if err := p.Wait(ctx); err != nil {
		t.Fatalf("Wait = %v; want the stream played to its end", err)
	}
}

// TestAddRemoveListener: the constructor listener and added listeners all
// see the whole session in order; a removed one sees nothing more.
func TestAddRemoveListener(t *testing.T) {
	var ctorKinds []EventKind
	ctor := ListenerFunc(func(e Event) { ctorKinds = append(ctorKinds, e.Kind) })
	p := playMem(t, WithListener(ctor))
	added := &countingListener{}
	removed := &countingListener{}
	p.AddListener(added)
	p.AddListener(removed)
	if !p.RemoveListener(removed) {
		t.Fatal("RemoveListener(added listener) = false; want true")
	}
	if p.RemoveListener(removed) {
		t.Fatal("RemoveListener twice = true; want false")
	}
	if p.RemoveListener(ctor) {
		t.Fatal("RemoveListener(ListenerFunc) = true; want false (not comparable: use AddListener's remove)")
	}
	var fnCount atomic.Int64
	rm := p.AddListener(ListenerFunc(func(Event) { fnCount.Add(1) }))
	rm()
	rm() // idempotent
	runMem(t, p)
	if len(ctorKinds) == 0 || ctorKinds[0] != EventLoading || ctorKinds[len(ctorKinds)-1] != EventEnded {
		t.Fatalf("constructor listener saw %v; want loading ... ended", ctorKinds)
	}
	if got := added.n.Load(); got != int64(len(ctorKinds)) {
		t.Errorf("added listener saw %d events; want %d (as the constructor's)", got, len(ctorKinds))
	}
	if got := removed.n.Load(); got != 0 {
		t.Errorf("removed listener saw %d events; want 0", got)
	}
	if got := fnCount.Load(); got != 0 {
		t.Errorf("listener removed through AddListener's func saw %d events; want 0", got)
	}
}

// TestListenerChangesListenersInCallback: a listener may add another and
// remove itself from inside OnEvent without deadlock; the one it added
// receives the following events, itself none after removal.
func TestListenerChangesListenersInCallback(t *testing.T) {
	p := playMem(t)
	late := &countingListener{}
	var self *selfRemoving
	self = &selfRemoving{f: func(e Event) {
		if e.Kind == EventManifestLoaded {
			p.AddListener(late)
			p.RemoveListener(self)
		}
	}}
	p.AddListener(self)
	runMem(t, p)
	if self.n != 2 { // loading, manifest_loaded
		t.Errorf("self-removing listener saw %d events; want 2", self.n)
	}
	if late.n.Load() == 0 {
		t.Error("listener added from a callback saw no events; want the rest of the session")
	}
}

type selfRemoving struct {
	n int
	f func(Event)
}

func (s *selfRemoving) OnEvent(e Event) { s.n++; s.f(e) }

// TestListenersFromManyGoroutines: adding and removing from many
// goroutines while events flow is race-free (run with -race).
func TestListenersFromManyGoroutines(t *testing.T) {
	p := playMem(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				l := &countingListener{}
				p.AddListener(l)
				rm := p.AddListener(ListenerFunc(func(Event) {}))
				if !p.RemoveListener(l) {
					t.Error("RemoveListener of a listener just added = false; want true")
				}
				rm()
			}
		}()
	}
	runMem(t, p)
	wg.Wait()
	if n := p.listeners.list.Load(); n != nil && len(*n) != 0 {
		t.Errorf("%d listeners left; want 0", len(*n))
	}
}
