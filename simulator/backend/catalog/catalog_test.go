package catalog

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

func nosleep(context.Context, time.Duration) error { return nil }

func TestRingMovesOnlyTheLostNodesKeys(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	tier := newTier(4, 100_000, time.Minute, topology.ServiceTime{}, clk.Now, nosleep)
	const keys = 20_000
	owner := map[string]*Node{}
	per := map[*Node]int{}
	for i := range keys {
		k := fmt.Sprint("profile:", i)
		owner[k] = tier.node(k)
		per[owner[k]]++
	}
	for n, c := range per {
		if c < keys/4*7/10 || c > keys/4*13/10 {
			t.Errorf("%s owns %d of %d keys; want about a quarter", n.name, c, keys)
		}
	}
	_ = tier.nodes[0].Kill()
	moved := 0
	for k, was := range owner {
		now := tier.node(k)
		if now == tier.nodes[0] {
			t.Fatal("a down node still owns keys")
		}
		if now != was {
			moved++
			if was != tier.nodes[0] {
				t.Fatalf("key %s moved off a live node", k)
			}
		}
	}
	if moved != per[tier.nodes[0]] {
		t.Errorf("moved %d keys, the lost node had %d", moved, per[tier.nodes[0]])
	}
}

func TestNodeTTLAndCapacity(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	tier := newTier(1, 2, time.Minute, topology.ServiceTime{}, clk.Now, nosleep)
	ctx := context.Background()
	tier.Set(ctx, "a", 1, 0)
	tier.Set(ctx, "b", 2, 10*time.Second)
	tier.Set(ctx, "c", 3, 0) // evicts a, the least recently used
	for _, c := range []struct {
		key string
		adv time.Duration
		hit bool
	}{{"a", 0, false}, {"b", 0, true}, {"c", 0, true}, {"b", 11 * time.Second, false}, {"c", 0, true}, {"c", time.Minute, false}} {
		clk.Advance(c.adv)
		if _, hit, _ := tier.Get(ctx, c.key); hit != c.hit {
			t.Errorf("get %s after +%v: hit %v, want %v", c.key, c.adv, hit, c.hit)
		}
	}
	if r := tier.HitRatio(); r != 0.5 {
		t.Errorf("hit ratio %v, want 0.5", r)
	}
}

func TestDatastoreLimitTimeoutAndFaults(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	lat := topology.ServiceTime{Median: 5 * time.Millisecond, P99: 20 * time.Millisecond}
	ds := newDatastore(lat, 1, 100*time.Millisecond, clk, nosleep, noBreaker{}, false)
	ctx := context.Background()
	if d, err := ds.Read(ctx); err != nil || d <= 0 || d > 100*time.Millisecond {
		t.Fatalf("read: %v %v", d, err)
	}
	ds.Impair(faults.Impairment{Latency: 200 * time.Millisecond})
	if d, err := ds.Read(ctx); !errors.Is(err, ErrTimeout) || d != 100*time.Millisecond {
		t.Errorf("slow read: %v %v; want a timeout at 100ms", d, err)
	}
	ds.Impair(faults.Impairment{})
	// The one slot is held: the next read waits, then times out.
	ds.slots <- struct{}{}
	done := make(chan error, 1)
	go func() { _, err := ds.Read(ctx); done <- err }()
	if err := clk.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	clk.Advance(100 * time.Millisecond)
	if err := <-done; !errors.Is(err, ErrTimeout) {
		t.Errorf("read at the limit: %v; want a timeout", err)
	}
	<-ds.slots
	_ = ds.Kill()
	if _, err := ds.Read(ctx); !errors.Is(err, ErrUnavailable) {
		t.Errorf("killed: %v", err)
	}
}

func TestDecodeHeartbeat(t *testing.T) {
	for _, c := range heartbeatCases {
		_, err := DecodeHeartbeat([]byte(c.body))
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrBadRequest)) {
			t.Errorf("DecodeHeartbeat(%.60s) = %v; want ok %v", c.body, err, c.ok)
		}
	}
}

var heartbeatCases = []struct {
	body string
	ok   bool
}{
	{`{"session":"s1","title":"t-1","position_s":12.5,"bitrate_kbps":3000,"state":"playing"}`, true},
	{`{"session":"s1","position_s":0}`, true},
	{`{"session":"","position_s":0}`, false},
	{`{"session":"../x"}`, false},
	{`{"session":"s","position_s":-1}`, false},
	{`{"session":"s","state":"` + fmt.Sprint(make([]byte, 0)) + `aaaaaaaaaaaaaaaaaaaa"}`, false},
	{`{"session":"s"} {}`, false},
	{`[]`, false},
}

func FuzzDecodeHeartbeat(f *testing.F) {
	for _, c := range heartbeatCases {
		f.Add([]byte(c.body))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		hb, err := DecodeHeartbeat(data)
		if err != nil {
			return
		}
		if !validID(hb.Session) || hb.PositionS < 0 || len(hb.State) > 16 {
			t.Fatalf("accepted a bad heartbeat: %+v", hb)
		}
	})
}

func TestHomePartialWhenRowsFail(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	c, err := New(Config{HomeRows: 3, CacheTTL: time.Second, HomeTTL: time.Second, ProfileTTL: time.Hour, Clock: clk, Sleep: nosleep})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if h, _, _ := c.Home(ctx, "ann"); h.Fallback != "" || len(h.Rows) != 3 {
		t.Fatalf("warm home: %q, %d rows", h.Fallback, len(h.Rows))
	}
	// Rows and the home expire, the profile does not; the datastore is
	// down: the rows come from their last good copies.
	clk.Advance(2 * time.Second)
	_ = c.Datastore.Kill()
	h, _, _ := c.Home(ctx, "ann")
	if h.Fallback != "partial" || len(h.Rows) != 3 {
		t.Errorf("home with failing rows: %q, %d rows; want partial with 3", h.Fallback, len(h.Rows))
	}
	if _, hit, _ := c.Cache.Get(ctx, "home:ann"); hit {
		t.Error("a partial home was cached")
	}
}
