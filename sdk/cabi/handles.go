package main

import (
	"sync"
)

// Handle names an object owned by the library. Handles are positive, never
// reused within a process, and only meaningful to the table that issued them,
// so a stale or forged handle from C is an error, never a crash.
type Handle int64

// table maps handles to objects. All methods are safe for concurrent use.
type table struct {
	mu   sync.Mutex
	next Handle
	objs map[Handle]any
}

func newTable() *table { return &table{objs: map[Handle]any{}} }

// add stores v and returns its new handle.
func (t *table) add(v any) Handle {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next++
	t.objs[t.next] = v
	return t.next
}

// remove deletes h and returns what it held.
func (t *table) remove(h Handle) (any, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v, ok := t.objs[h]
	delete(t.objs, h)
	return v, ok
}

// get returns the object of h.
func (t *table) get(h Handle) (any, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v, ok := t.objs[h]
	return v, ok
}

// len is the number of live handles.
func (t *table) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.objs)
}

// lookup returns the object of h as a T, or errInvalidHandle when h is
// unknown or names another kind of object.
func lookup[T any](t *table, h Handle) (T, error) {
	var zero T
	v, ok := t.get(h)
	if !ok {
		return zero, errInvalidHandle
	}
	x, ok := v.(T)
	if !ok {
		return zero, errInvalidHandle
	}
	return x, nil
}

// handles is the process-wide table of players and download managers.
var handles = newTable()
