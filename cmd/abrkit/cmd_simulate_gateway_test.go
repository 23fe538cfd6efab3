package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/backend"
	"github.com/abrkit/abrkit/simulator/backend/packager"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// TestSimulateAgainstRunningBackend runs testdata/live-journey.yaml, with
// a cache node killed after a second, against a backend started apart
// from the run (as abrkit serve is): the viewers walk its gateway and the
// fault reaches it through its admin API.
func TestSimulateAgainstRunningBackend(t *testing.T) {
	if testing.Short() {
		t.Skip("real time")
	}
	ctx := context.Background()
	cat := packager.DefaultCatalog(4)
	for i := range cat.Titles {
		cat.Titles[i].Duration, cat.Titles[i].SegmentDuration = 40*time.Second, 2*time.Second
	}
	b, err := backend.Start(ctx, backend.Options{Topology: topology.Default(), Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(ctx)
	body, err := os.ReadFile("testdata/live-journey.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := writeScenario(t, string(body)+"faults:\n  - {at: 1s, target: \"service:cache-0\", kind: down}\n")

	var out, errOut bytes.Buffer
	if code := run([]string{"simulate", s, "--mode", "live", "--gateway", b.GatewayURL(), "--quiet", "--out="}, &out, &errOut); code != 2 ||
		!strings.Contains(errOut.String(), "--admin") {
		t.Errorf("faults without --admin: exit %d, stderr %q; want 2 naming --admin", code, errOut.String())
	}

	sum, code := simulateJSON(t, s, "--mode", "live", "--gateway", b.GatewayURL(), "--admin", b.AdminURL(), "--admin-token", b.AdminToken())
	if code != 1 {
		t.Errorf("exit %d; want 1 (api.details.latency.p50 < 1us cannot hold)", code)
	}
	if sum.Sessions.Started != 30 || sum.Requests["api.home"].Count != 30 || sum.Requests["api.play"].Count != 30 {
		t.Errorf("sessions %+v, home %d, play %d; want 30 each", sum.Sessions, sum.Requests["api.home"].Count, sum.Requests["api.play"].Count)
	}
	if len(sum.Faults) != 1 || sum.Faults[0].Target != "service:cache-0" {
		t.Errorf("fault marks %+v; want the cache-0 one", sum.Faults)
	}
	down := false
	for _, st := range b.Faults.States() {
		if st.Target == "cache-0" {
			down = st.Down
		}
	}
	if !down {
		t.Errorf("cache-0 is up after the run; the scheduled kill did not reach the running backend (states %+v)", b.Faults.States())
	}
	if st := b.Summary(); st.EdgeRequests == 0 || st.Events == 0 {
		t.Errorf("backend summary %+v; want the run's segments and beacons", st)
	}
}

// The admin token is a secret: --emit must not write it into manifests.
func TestEmitKeepsAdminTokenOut(t *testing.T) {
	var out, errOut bytes.Buffer
	args := []string{"simulate", quickstart, "--emit", "k8s-job", "--mode", "live", "--gateway", "http://gw:8080",
		"--admin", "http://gw:8081", "--admin-token", "s3cret-token"}
	if code := run(args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if y := out.String(); strings.Contains(y, "s3cret-token") || !strings.Contains(y, "--gateway=http://gw:8080") {
		t.Errorf("manifest carries the token or lacks --gateway:\n%s", y)
	}
}
