package player

import (
	"reflect"
	"sync"
	"sync/atomic"
)

// listenerEntry is one registered listener. removed is set by
// RemoveListener so that an entry taken out while an event is being
// delivered gets no further calls.
type listenerEntry struct {
	l       Listener
	removed atomic.Bool
}

// listenerSet is a copy-on-write list of listeners: adding or removing
// copies the slice under mu, delivery reads a snapshot without a lock, so
// a listener may add or remove listeners (itself included) from its own
// callback.
type listenerSet struct {
	mu   sync.Mutex
	list atomic.Pointer[[]*listenerEntry]
}

func (s *listenerSet) add(l Listener) *listenerEntry {
	e := &listenerEntry{l: l}
	s.mu.Lock()
	defer s.mu.Unlock()
	var next []*listenerEntry
	if cur := s.list.Load(); cur != nil {
		next = append(make([]*listenerEntry, 0, len(*cur)+1), *cur...)
	}
	next = append(next, e)
	s.list.Store(&next)
	return e
}

// remove takes out the entry that match selects, the most recently added
// first; it reports whether one was found.
func (s *listenerSet) remove(match func(*listenerEntry) bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.list.Load()
	if cur == nil {
		return false
	}
	for i := len(*cur) - 1; i >= 0; i-- {
		e := (*cur)[i]
		if !match(e) {
			continue
		}
		e.removed.Store(true)
		next := make([]*listenerEntry, 0, len(*cur)-1)
		next = append(append(next, (*cur)[:i]...), (*cur)[i+1:]...)
		s.list.Store(&next)
		return true
	}
	return false
}

// deliver calls every listener registered when it starts, in the order
// they were added, skipping those removed meanwhile.
func (s *listenerSet) deliver(e Event) {
	cur := s.list.Load()
	if cur == nil {
		return
	}
	for _, le := range *cur {
		if !le.removed.Load() {
			le.l.OnEvent(e)
		}
	}
}

// AddListener registers l for the events of this player, after the
// listeners given with WithListener and earlier AddListener calls. It is
// safe from any goroutine, including from inside a listener's OnEvent; a
// listener added during the delivery of an event receives the next event
// on. The returned function removes this registration (it may be called
// more than once); it is the way to remove listeners whose type is not
// comparable, such as ListenerFunc.
func (p *Player) AddListener(l Listener) (remove func()) {
	if l == nil {
		return func() {}
	}
	e := p.listeners.add(l)
	return func() { p.listeners.remove(func(x *listenerEntry) bool { return x == e }) }
}

// RemoveListener removes the most recent registration of l (by WithListener
// or AddListener) and reports whether there was one. l must be of a
// comparable type (a pointer, most often); for others, use the function
// AddListener returns. It is safe from any goroutine and from inside a
// listener: once it returns, l receives no further events, except that
// a call from another goroutine may race with the delivery of one event
// that had already started.
func (p *Player) RemoveListener(l Listener) bool {
	if l == nil || !reflect.TypeOf(l).Comparable() {
		return false
	}
	return p.listeners.remove(func(x *listenerEntry) bool {
		return reflect.TypeOf(x.l).Comparable() && x.l == l
	})
}
