package catalog

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// TestReleaseListsNewContentAtItsTime: before the release the held-back
// titles and the new rows are unknown; from its time they are listed, on
// every home after the shared rows, and every home, row page and search
// answer cached before is missed.
func TestReleaseListsNewContentAtItsTime(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	titles := []string{"t-a", "t-b", "t-c", "t-d", "new-1", "new-2"}
	c, err := New(Config{Titles: titles, Rows: 6, HomeRows: 4, RowSize: 3, CacheTTL: time.Hour, HomeTTL: time.Hour,
		Release: topology.Release{At: time.Minute, Rows: 1, Titles: 2}, Clock: clk, Sleep: nosleep})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	home := func() Home {
		h, _, err := c.Home(ctx, "ann")
		if err != nil || h.Fallback != "" {
			t.Fatalf("home: %v %q", err, h.Fallback)
		}
		return h
	}
	listed := func(h Home) (ids []string) {
		for _, r := range h.Rows {
			for _, it := range r.Items {
				ids = append(ids, it.ID)
			}
		}
		return ids
	}
	before := home()
	for _, c := range []struct {
		name string
		err  error
	}{
		{"new title", func() error { _, _, err := c.Title(ctx, "new-1"); return err }()},
		{"new row", func() error { _, _, err := c.Row(ctx, "row-6", 0); return err }()},
	} {
		if c.err != errNotFound {
			t.Errorf("%s before the release: %v; want not found", c.name, c.err)
		}
	}
	if ids := listed(before); slices.Contains(ids, "new-1") || slices.Contains(ids, "new-2") {
		t.Errorf("home before the release lists new titles: %v", ids)
	}
	if res, _, _ := c.Search(ctx, "new"); len(res.Results) != 0 || c.Released() || c.Rows() != 6 || len(c.Titles()) != 4 {
		t.Errorf("before the release: search %v, released %v, rows %d, titles %v", res.Results, c.Released(), c.Rows(), c.Titles())
	}
	reads := c.Datastore.Reads()
	home() // cached
	if c.Datastore.Reads() != reads {
		t.Fatal("a cached home read the datastore")
	}

	clk.Advance(time.Minute)
	reads = c.Datastore.Reads()
	after := home()
	// one read per row of the home: the home and its rows are new keys
	if got := c.Datastore.Reads() - reads; got != 4 {
		t.Errorf("first home after the release read the datastore %d times; want 4 (its rows)", got)
	}
	if len(after.Rows) != 4 || after.Rows[2].ID != "row-6" || after.Rows[2].Name != "New Season" {
		t.Errorf("home after the release: rows %v; want row-6 \"New Season\" third", after.Rows)
	}
	if ids := listed(after); !slices.Contains(ids, "new-1") || !slices.Contains(ids, "new-2") {
		t.Errorf("home after the release does not list the new titles: %v", ids)
	}
	det, _, err := c.Title(ctx, "new-2")
	if err != nil || det.Rows[0] != "row-6" {
		t.Errorf("new title after the release: %+v %v", det, err)
	}
	if res, _, _ := c.Search(ctx, "new"); len(res.Results) != 2 || !c.Released() || c.Rows() != 7 || len(c.Titles()) != 6 {
		t.Errorf("after the release: search %v, released %v, rows %d, titles %v", res.Results, c.Released(), c.Rows(), c.Titles())
	}
	reads = c.Datastore.Reads()
	home()
	if c.Datastore.Reads() != reads {
		t.Error("the home after the release was not cached")
	}
}

// TestReleaseColdCacheVirtual drives the catalog in simulated time
// (Virtual, as the virtual-time driver runs it) with 20 homes a second
// from 2,000 members; a release at 5 minutes brings 4 rows and 10 titles.
// The cache is warm before it (TTL 10 minutes, so no read from expiry);
// right after it the homes' rows miss and go to the datastore, then the
// reads fall as the cache warms; the modelled home p99 over the minute
// after the release is 1.5 times the minute before's or more (measured:
// 344 reads in the 10 s after it against 8 before, then 73, 3 a minute
// later; p99 23.7 ms against 12.6 ms).
func TestReleaseColdCacheVirtual(t *testing.T) {
	epoch := time.Unix(0, 0)
	clk := clock.NewFake(epoch)
	titles := make([]string, 200)
	for i := range titles {
		titles[i] = fmt.Sprintf("title-%03d", i)
	}
	release := 5 * time.Minute
	c, err := New(Config{Titles: titles, Rows: 400, CacheTTL: 10 * time.Minute, Virtual: true, Clock: clk,
		Release: topology.Release{At: release, Rows: 4, Titles: 10}})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	const window = 10 * time.Second
	reads := map[time.Duration]int64{} // datastore reads per window, by its start
	var pre, post []time.Duration      // home times over the minute before and after
	for at := time.Duration(0); at < release+2*time.Minute; at += 50 * time.Millisecond {
		clk.Set(epoch.Add(at))
		r0 := c.Datastore.Reads()
		h, d, err := c.Home(ctx, fmt.Sprintf("member-%d", rng.IntN(2000)))
		if err != nil || h.Fallback != "" {
			t.Fatalf("home at %v: %v %q", at, err, h.Fallback)
		}
		reads[at.Truncate(window)] += c.Datastore.Reads() - r0
		switch {
		case at >= release-time.Minute && at < release:
			pre = append(pre, d)
		case at >= release && at < release+time.Minute:
			post = append(post, d)
		}
	}
	p99 := func(ds []time.Duration) time.Duration {
		slices.Sort(ds)
		return ds[len(ds)*99/100]
	}
	before, first, second, later := reads[release-window], reads[release], reads[release+window], reads[release+time.Minute]
	t.Logf("datastore reads per 10 s: before %d, after the release %d, %d, a minute later %d; home p99 %v before, %v after",
		before, first, second, later, p99(pre), p99(post))
	if first < 10*max(before, 1) || second >= first || later >= second {
		t.Errorf("reads per 10 s before %d, then %d, %d, a minute later %d: want a spike at the release that falls", before, first, second, later)
	}
	if a, b := p99(post), p99(pre); a < b*3/2 {
		t.Errorf("home p99 the minute after the release %v, before %v: want it 1.5 times or more", a, b)
	}
}
