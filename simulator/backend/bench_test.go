package backend

import (
	"context"
	"net/http"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// BenchmarkPlayLatency drives POST /v1/play at a fixed rate with vegeta
// for a bounded time and reports latency percentiles. The topology has no
// modelled service time, so the figures are the gateway's own cost (auth,
// rate limit, breaker, ranking, signing) on loopback.
func BenchmarkPlayLatency(b *testing.B) {
	const rate, dur = 500, 2 * time.Second
	topo := smallTopology(b, func(t *topology.Topology) {
		t.ControlPlane.RateLimit.PerSecond = -1
		t.ControlPlane.MaxInFlight = 1024
	})
	bk, err := Start(context.Background(), Options{Topology: topo})
	if err != nil {
		b.Fatal(err)
	}
	defer bk.Close(context.Background())
	cl := &Client{Gateway: bk.GatewayURL()}
	if err := cl.Login(context.Background(), "bench", "bench"); err != nil {
		b.Fatal(err)
	}
	hdr := http.Header{"Authorization": {"Bearer " + cl.Token}, "Content-Type": {"application/json"}}
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: "POST", URL: bk.GatewayURL() + "/v1/play", Body: []byte(`{"title":"t1"}`), Header: hdr})
	var m vegeta.Metrics
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		atk := vegeta.NewAttacker(vegeta.Timeout(5*time.Second), vegeta.MaxWorkers(256))
		for res := range atk.Attack(tr, vegeta.Rate{Freq: rate, Per: time.Second}, dur, "play") {
			m.Add(res)
		}
	}
	b.StopTimer()
	m.Close()
	if m.Success < 0.999 {
		b.Errorf("success ratio %.4f; want >= 0.999 (status codes %v, errors %v)", m.Success, m.StatusCodes, m.Errors)
	}
	b.ReportMetric(float64(m.Latencies.P50.Microseconds()), "p50_µs")
	b.ReportMetric(float64(m.Latencies.P90.Microseconds()), "p90_µs")
	b.ReportMetric(float64(m.Latencies.P99.Microseconds()), "p99_µs")
	b.ReportMetric(float64(m.Latencies.Max.Microseconds()), "max_µs")
	b.ReportMetric(m.Rate, "req/s")
}
