package player

import (
	"testing"
	"time"

	"github.com/abrkit/abrkit/abr"
)

// TestCoreLowLatencyABRClimbs plays the LL-HLS channel (2 s segments,
// 0.5 s parts, rungs up to 6 Mbit/s) over a 20 Mbit/s link: every
// algorithm must leave the lowest rung although the buffer stays under
// one segment.
func TestCoreLowLatencyABRClimbs(t *testing.T) {
	ladder := []int{500_000, 1_500_000, 3_000_000, 6_000_000}
	for _, name := range []string{"auto", "throughput"} {
		t.Run(name, func(t *testing.T) {
			alg, err := abr.New(name)
			if err != nil {
				t.Fatal(err)
			}
			s, _ := llSimLadder(t, CoreConfig{ABR: alg}, 12*time.Second, ladder)
			s.run(60 * time.Second)
			q := s.c.QoE(s.now)
			if !q.Started || q.Stalls > 0 || q.FatalError != "" {
				t.Fatalf("started %v stalls %d error %q\n%s", q.Started, q.Stalls, q.FatalError, s.log())
			}
			t.Logf("last %d avg %.0f switches %d", q.LastBitrate, q.AvgBitrate, q.Switches)
			if q.LastBitrate < ladder[len(ladder)-2] {
				t.Errorf("bitrate at the playhead after 60 s = %d (average %.0f); want at least %d on a 20 Mbit/s link",
					q.LastBitrate, q.AvgBitrate, ladder[len(ladder)-2])
			}
		})
	}
}
