package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/player/transport"
)

func TestCautious(t *testing.T) {
	ladder := []int{300_000, 750_000, 1_500_000, 3_000_000}
	tests := []struct {
		name string
		s    abr.State
		want int
	}{
		{"no estimate", abr.State{Bitrates: ladder, Startup: true}, 0},
		{"half of 4M", abr.State{Bitrates: ladder, Estimate: 4e6, EstimateOK: true, Buffer: 10 * time.Second}, 2},
		{"half of 10M", abr.State{Bitrates: ladder, Estimate: 10e6, EstimateOK: true, Buffer: 10 * time.Second}, 3},
		{"panic", abr.State{Bitrates: ladder, Estimate: 10e6, EstimateOK: true, Buffer: time.Second}, 0},
		{"startup ignores panic", abr.State{Bitrates: ladder, Estimate: 2e6, EstimateOK: true, Startup: true}, 1},
		{"below the ladder", abr.State{Bitrates: ladder, Estimate: 1e5, EstimateOK: true, Buffer: 10 * time.Second}, 0},
	}
	for _, tc := range tests {
		c := &Cautious{}
		if got := c.Choose(&tc.s); got != tc.want {
			t.Errorf("Cautious.Choose(%s) = %d; want %d", tc.name, got, tc.want)
		}
	}
}

// fakeFetcher answers every request with 1000 bytes in 10ms.
type fakeFetcher struct{}

func (fakeFetcher) Fetch(ctx context.Context, req *transport.Request, progress transport.ProgressFunc) (*transport.Result, error) {
	if progress != nil {
		progress(1000, 10*time.Millisecond)
	}
	return &transport.Result{Status: 200, Bytes: 1000, TTFB: 5 * time.Millisecond, Duration: 10 * time.Millisecond}, nil
}

func TestDelayed(t *testing.T) {
	var logged []Request
	var seen time.Duration
	d := &Delayed{Next: fakeFetcher{}, Latency: time.Millisecond, Log: func(r Request) { logged = append(logged, r) }}
	res, err := d.Fetch(context.Background(), &transport.Request{URL: "http://x/seg", Kind: transport.KindMedia},
		func(b int64, e time.Duration) { seen = e })
	if err != nil {
		t.Fatal(err)
	}
	if res.TTFB != 6*time.Millisecond || res.Duration != 11*time.Millisecond || seen != 11*time.Millisecond {
		t.Errorf("Fetch = ttfb %v duration %v progress %v; want 6ms, 11ms, 11ms", res.TTFB, res.Duration, seen)
	}
	if len(logged) != 1 || logged[0].Bytes != 1000 || d.Count() != 1 {
		t.Errorf("log %+v count %d; want one request of 1000 bytes", logged, d.Count())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	slow := &Delayed{Next: fakeFetcher{}, Latency: time.Hour}
	if _, err := slow.Fetch(ctx, &transport.Request{URL: "http://x/"}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch with a cancelled context = %v; want context.Canceled", err)
	}
}

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"-segments", "6", "-duration", "60s", "-latency", "30ms"}, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.HasPrefix(s, "abr cautious,") {
		t.Errorf("output does not start with the custom ABR's name:\n%s", s)
	}
	m := regexp.MustCompile(`media\s+(\d+) requests .* mean ttfb (\S+)`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no media line in:\n%s", s)
	}
	n, _ := strconv.Atoi(m[1])
	ttfb, err := time.ParseDuration(m[2])
	if n == 0 || err != nil || ttfb < 30*time.Millisecond {
		t.Errorf("media: %d requests, mean ttfb %v; want some, at least the added 30ms", n, m[2])
	}
	if !strings.Contains(s, "started          yes") {
		t.Errorf("playback did not start:\n%s", s)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr bool
	}{
		{nil, false},
		{[]string{"-share", "0"}, true},
		{[]string{"-share", "1.5"}, true},
		{[]string{"-latency", "-1s"}, true},
		{[]string{"x"}, true},
	} {
		if _, err := parse(tc.args, &bytes.Buffer{}); (err != nil) != tc.wantErr {
			t.Errorf("parse(%q) = %v; want error %v", tc.args, err, tc.wantErr)
		}
	}
}
