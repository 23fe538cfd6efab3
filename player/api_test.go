package player

import (
	"context"
	"errors"
	"testing"
)

// TestWaitFinishedBeatsExpiredContext: a session that has already finished
// reports its result even when Wait's context is done too (select would
// pick at random between the two).
func TestWaitFinishedBeatsExpiredContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i := 0; i < 100; i++ {
		p, err := New()
		if err != nil {
			t.Fatal(err)
		}
		p.Close()
		if err := p.Wait(ctx); !errors.Is(err, ErrClosed) {
			t.Fatalf("Wait(expired ctx) after Close = %v; want %v", err, ErrClosed)
		}
	}
}

// TestWaitExpiredContext: an unfinished session returns ctx's error.
func TestWaitExpiredContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait(expired ctx) before Load = %v; want %v", err, context.Canceled)
	}
}
