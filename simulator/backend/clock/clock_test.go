package clock

import (
	"testing"
	"time"
)

func TestFake(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := NewFake(start)
	f.Advance(3 * time.Second)
	if got := f.Now(); !got.Equal(start.Add(3 * time.Second)) {
		t.Errorf("Now() = %v; want start+3s", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("Set(backwards) did not panic")
		}
	}()
	f.Set(start)
}
