package control

import (
	"testing"
	"time"
)

func TestRankCMCD(t *testing.T) {
	now := t0
	tests := []struct {
		name  string
		edges []EdgeState
		want  string // first
	}{
		{"starving viewers sink", []EdgeState{
			state("a", "eu", 0, func(s *EdgeState) { s.Starved, s.CMCDRequests = 8, 10 }),
			state("b", "eu", 0, nil),
		}, "b"},
		{"sessions count as load", []EdgeState{
			state("a", "eu", 0, func(s *EdgeState) { s.Sessions = 80 }),
			state("b", "eu", 0, func(s *EdgeState) { s.Sessions = 5 }),
		}, "b"},
		{"starvation stays below region", []EdgeState{
			state("a", "eu", 0, func(s *EdgeState) { s.Starved, s.CMCDRequests = 10, 10 }),
			state("b", "us", 0, nil),
		}, "a"},
	}
	for _, tt := range tests {
		got := Rank(tt.edges, "eu", "t1", now, time.Minute)
		if got[0].ID != tt.want {
			t.Errorf("%s: Rank = %v; want %s first", tt.name, ids(got), tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	now := t0
	b := NewBackoff(func() time.Time { return now })
	for i := range FreeFailures {
		if w := b.Wait("user:a"); w != 0 {
			t.Fatalf("Wait after %d failures = %v; want 0", i, w)
		}
		b.Fail("user:a", "ip:1")
	}
	steps := []time.Duration{BackoffBase, 2 * BackoffBase, 4 * BackoffBase}
	for _, want := range steps {
		b.Fail("user:a", "ip:1")
		if w := b.Wait("user:a"); w != want {
			t.Fatalf("Wait = %v; want %v", w, want)
		}
		if w := b.Wait("user:other", "ip:1"); w != want {
			t.Fatalf("Wait by client = %v; want %v", w, want)
		}
	}
	for range 40 {
		b.Fail("user:a")
	}
	if w := b.Wait("user:a"); w != BackoffMax {
		t.Errorf("Wait after many failures = %v; want the cap %v", w, BackoffMax)
	}
	b.Reset("user:a")
	if w := b.Wait("user:a"); w != 0 {
		t.Errorf("Wait after Reset = %v; want 0", w)
	}
	now = now.Add(time.Hour)
	if w := b.Wait("ip:1"); w != 0 {
		t.Errorf("Wait an hour later = %v; want 0", w)
	}
}
