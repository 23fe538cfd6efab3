package eval

import (
	"testing"

	"github.com/abrkit/abrkit/abr"
)

// TestAutoReturnCost plays Pensieve's training traces with auto's return
// cost (the switch down a plan owes when it ends above a scenario's rate)
// on and off: on, the mean QoE is higher on FCC and on Norway.
func TestAutoReturnCost(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the full-set comparison")
	}
	trs, v := loadPensieve(t)
	cfg := Pensieve()
	sum := map[bool]map[string]float64{true: {}, false: {}}
	count := map[string]int{}
	for _, tr := range trs {
		set := cfg.Subset(tr.Name)
		count[set]++
		for _, on := range []bool{true, false} {
			a := abr.NewAuto()
			if !on {
				a.ReturnWeight = -1
			}
			r, err := Simulate(cfg, tr, v, a)
			if err != nil {
				t.Fatal(err)
			}
			sum[on][set] += r.QoE
		}
	}
	for _, set := range cfg.Subsets {
		on, off := sum[true][set]/float64(count[set]), sum[false][set]/float64(count[set])
		if on <= off {
			t.Errorf("%s: auto with the return cost %.3f <= without %.3f", set, on, off)
		}
		t.Logf("%s (%d traces): return cost on %.3f, off %.3f", set, count[set], on, off)
	}
}
