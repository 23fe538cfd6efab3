package scenario

import "testing"

func TestArrivalForScalesBurst(t *testing.T) {
	s := &Scenario{Viewers: Viewers{Count: 6000, Arrival: Arrival{Process: "flash", Burst: 1200}}}
	for _, tt := range []struct{ n, burst int }{{6000, 1200}, {100000, 1200}, {1000, 200}, {10, 2}} {
		if got := s.ArrivalFor(tt.n).Burst; got != tt.burst {
			t.Errorf("ArrivalFor(%d).Burst = %d; want %d", tt.n, got, tt.burst)
		}
	}
}
