package download

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestStateText(t *testing.T) {
	for s := State(0); s <= StateRemoving; s++ {
		b, err := s.MarshalText()
		if err != nil || string(b) != s.String() {
			t.Errorf("State(%d).MarshalText() = %s, %v; want %s", s, b, err, s)
		}
		var back State
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("UnmarshalText(%s) = %d, %v; want %d", b, back, err, s)
		}
	}
	var s State
	if err := s.UnmarshalText([]byte("sleeping")); err == nil {
		t.Errorf("UnmarshalText(sleeping) = nil error; want one")
	}
}

func TestDownloadJSON(t *testing.T) {
	d := Download{ID: "t1", URL: "http://o.test/m.m3u8", Dir: "t1", State: StateDownloading,
		Created: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), Updated: time.Date(2026, 11, 23, 12, 1, 0, 0, time.UTC),
		Progress: Progress{Segments: 10, SegmentsDone: 4, Bytes: 4000, BytesEstimate: 10000,
			Duration: 40 * time.Second, ETA: 90 * time.Second, BytesPerSec: 50}}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"state":"downloading"`, `"duration_seconds":40`, `"eta_seconds":90`, `"segments_done":4`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("json.Marshal(Download) = %s; want it to contain %s", b, want)
		}
	}
	var back Download
	if err := json.Unmarshal(b, &back); err != nil || back.State != StateDownloading || back.Progress.SegmentsDone != 4 {
		t.Errorf("json.Unmarshal(%s) = %+v, %v; want state downloading, 4 segments done", b, back, err)
	}

	// an unknown ETA is left out
	b, _ = json.Marshal(Progress{Segments: 1})
	if strings.Contains(string(b), "eta_seconds") || !strings.Contains(string(b), `"duration_seconds":0`) {
		t.Errorf("json.Marshal(Progress without ETA) = %s; want duration_seconds and no eta_seconds", b)
	}
}
