package simulator

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/abrkit/abrkit/simulator/results"
)

func TestCompareVerdict(t *testing.T) {
	rec := func(bitrate float64, abandoned int) *results.Results {
		r := results.New(0)
		r.Records = []results.Record{{Started: true, StartupS: 0.5, PlayS: 10, AvgBitrate: bitrate, SegmentsAbandoned: abandoned}}
		return r
	}
	tests := []struct {
		name         string
		virtual, liv *results.Results
		ok           bool
		bad          string
	}{
		{"equal", rec(3e6, 4), rec(3e6, 4), true, ""},
		{"bitrate within 25%", rec(3e6, 4), rec(3.6e6, 4), true, ""},
		{"bitrate off", rec(3e6, 4), rec(4e6, 4), false, "bitrate.mean"},
		{"abandons off", rec(3e6, 4), rec(3e6, 12), false, "segments_abandoned"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := compare(tt.virtual, tt.liv)
			if rep.OK != tt.ok {
				t.Fatalf("compare().OK = %v; want %v: %+v", rep.OK, tt.ok, rep.Calibration)
			}
			if err := rep.Err(); (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrCalibration)) {
				t.Errorf("Err() = %v", err)
			}
			for _, c := range rep.Calibration {
				if c.Metric == tt.bad && c.OK {
					t.Errorf("%s ok; want outside its tolerance", c.Metric)
				}
			}
			var b bytes.Buffer
			if err := WriteCalibration(&b, rep); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]string{true: "calibration ok", false: "calibration FAILED"}[tt.ok]; !strings.Contains(b.String(), want) {
				t.Errorf("WriteCalibration lacks %q:\n%s", want, b.String())
			}
		})
	}
}
