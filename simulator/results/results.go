package results

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/abrkit/abrkit/simulator/slo"
)

// Request classes.
const (
	ClassSegment  = "segment"
	ClassInit     = "init"
	ClassManifest = "manifest"
	ClassLogin    = "api.login"
	ClassPlay     = "api.play"
	ClassEvents   = "api.events" // telemetry beacons
)

// Classes returns the request classes in report order, a fresh slice on
// every call.
func Classes() []string {
	return []string{ClassSegment, ClassInit, ClassManifest, ClassLogin, ClassPlay, ClassEvents}
}

// Latency histograms hold microseconds from 1µs to 1h with 3 significant
// digits; every histogram has the same geometry so merges are exact.
const (
	histMin    = 1
	histMax    = int64(time.Hour / time.Microsecond)
	histDigits = 3
)

// NewHistogram returns an empty latency histogram.
func NewHistogram() *hdr.Histogram { return hdr.New(histMin, histMax, histDigits) }

// Record is one viewer session's quality-of-experience account.
type Record struct {
	Viewer        int     `json:"viewer"`
	Region        string  `json:"region"`
	Device        string  `json:"device"`
	Network       string  `json:"network"`
	Cohort        string  `json:"cohort,omitempty"`
	Title         string  `json:"title"`
	ABR           string  `json:"abr"`
	ArriveS       float64 `json:"arrive_s"`       // when the viewer pressed play
	Started       bool    `json:"started"`        // a first frame was shown
	StartupS      float64 `json:"startup_s"`      // press play to first frame, API calls included
	PlayS         float64 `json:"play_s"`         // time the playhead advanced
	StallS        float64 `json:"stall_s"`        // rebuffering time after start-up
	RebufferRatio float64 `json:"rebuffer_ratio"` // stall / (play + stall)
	Stalls        int     `json:"stalls"`
	AvgBitrate    float64 `json:"avg_bitrate"` // time-weighted video bitrate played, bits/s
	Switches      int     `json:"switches"`
	ServerChanges int     `json:"server_changes"`
	Errors        int     `json:"errors"` // failed requests, retried or not
	// SegmentsAbandoned counts media downloads the player gave up on
	// mid-transfer to switch down (not sessions abandoned).
	SegmentsAbandoned int   `json:"segments_abandoned"`
	Bytes             int64 `json:"bytes"`
	// Live marks a session on a live channel; LiveLatencyS is its mean
	// distance behind the live edge while playing (wall clock minus the
	// capture time of the frame shown).
	Live         bool    `json:"live,omitempty"`
	LiveLatencyS float64 `json:"live_latency_s,omitempty"`
	Failed       bool    `json:"failed"`    // a fatal error ended the session (or it never got to play)
	Abandoned    bool    `json:"abandoned"` // the viewer gave up waiting for start-up
	// Browsed marks a journey session that left without playing.
	Browsed bool   `json:"browsed,omitempty"`
	Reason  string `json:"reason,omitempty"` // why it failed
}

// Class is the account of one request class.
type Class struct {
	Count   int64          `json:"count"`
	Errors  int64          `json:"errors"`
	Latency *hdr.Histogram `json:"-"`
}

// Add records one request.
func (c *Class) Add(latency time.Duration, failed bool) {
	c.Count++
	if failed {
		c.Errors++
	}
	us := latency.Microseconds()
	if us < histMin {
		us = histMin
	}
	if us > histMax {
		us = histMax
	}
	_ = c.Latency.RecordValue(us)
}

// EdgeStat is the account of one edge cache.
type EdgeStat struct {
	Name     string  `json:"name"`
	Region   string  `json:"region"`
	Capacity float64 `json:"capacity_bps"`
	Requests int64   `json:"requests"`
	Hits     int64   `json:"hits"`
	Misses   int64   `json:"misses"`
	Errors   int64   `json:"errors"`
	Bytes    float64 `json:"bytes"`
	PeakLoad float64 `json:"peak_load"` // highest share of capacity used in a timeline bucket
	// CMCD as the edge saw it: requests carrying CMCD by object type (ot),
	// those flagged buffer-starved (bs), and viewer sessions counted once
	// per edge report interval.
	CMCDRequests map[string]int64 `json:"cmcd_requests,omitempty"`
	CMCDStarved  int64            `json:"cmcd_starved"`
	CMCDSessions int64            `json:"cmcd_sessions"`
	// OriginRequests are the edge's origin fetches of live objects, for
	// OriginObjects distinct objects (more requests than objects: the
	// edge did not collapse concurrent misses).
	OriginRequests int64 `json:"origin_requests,omitempty"`
	OriginObjects  int64 `json:"origin_objects,omitempty"`
}

// Bucket is one slice of the timeline.
type Bucket struct {
	Active    int64     `json:"active"`   // sessions in progress at the bucket's end
	Stalled   int64     `json:"stalled"`  // of which stalled
	Starts    int64     `json:"starts"`   // first frames
	Failures  int64     `json:"failures"` // sessions that failed
	Requests  int64     `json:"requests"`
	Errors    int64     `json:"errors"` // failed requests
	EdgeBytes []float64 `json:"edge_bytes"`
	EdgeHits  []int64   `json:"edge_hits"`
	EdgeReqs  []int64   `json:"edge_requests"`
}

// FaultMark is a fault's window for plots.
type FaultMark struct {
	StartS float64 `json:"start_s"`
	EndS   float64 `json:"end_s"`
	Target string  `json:"target"`
	Kind   string  `json:"kind"`
}

// Point is one sample of a sample viewer.
type Point struct {
	T       float64 `json:"t"`
	Bitrate float64 `json:"bitrate"`
	Buffer  float64 `json:"buffer_s"`
}

// Sample is the time series of one sample viewer.
type Sample struct {
	Viewer int     `json:"viewer"`
	Points []Point `json:"points"`
}

// Results is everything one run (or a merge of shards) measured.
type Results struct {
	Scenario   string `json:"scenario"`
	Mode       string `json:"mode"`
	Seed       uint64 `json:"seed"`
	Shards     []int  `json:"shards"` // shard indexes merged in
	ShardCount int    `json:"shard_count"`
	// ShardBy is how shards split the work: "region" when each owns
	// whole edges (their capacity is then not summed in a merge); empty
	// when every shard models a slice of every edge.
	ShardBy     string            `json:"shard_by,omitempty"`
	Viewers     int               `json:"viewers"` // sessions simulated
	SimSeconds  float64           `json:"sim_seconds"`
	WallSeconds float64           `json:"wall_seconds"`
	CPUSeconds  float64           `json:"cpu_seconds"` // process CPU time of the run (summed over shards)
	Events      uint64            `json:"events"`
	Aborted     string            `json:"aborted,omitempty"` // the SLO that stopped the run early
	BucketS     float64           `json:"bucket_s"`
	Records     []Record          `json:"-"`
	Classes     map[string]*Class `json:"-"`
	Edges       []EdgeStat        `json:"edges"`
	Timeline    []Bucket          `json:"timeline"`
	Faults      []FaultMark       `json:"faults"`
	Samples     []Sample          `json:"samples"`
	// Browse is the browse plane's account in journey runs; nil without.
	Browse *BrowseStats `json:"browse,omitempty"`
	// Steps is each journey step's requests per timeline bucket.
	Steps         map[string][]StepBucket `json:"steps,omitempty"`
	Objectives    []slo.Objective         `json:"objectives"`
	ControlCohort string                  `json:"control_cohort,omitempty"`
}

// New returns empty results with a histogram per class.
func New(bucket time.Duration) *Results {
	r := &Results{Classes: map[string]*Class{}, BucketS: bucket.Seconds()}
	for _, c := range Classes() {
		r.Classes[c] = &Class{Latency: NewHistogram()}
	}
	return r
}

// Bucket returns the timeline bucket holding time t, growing the timeline.
func (r *Results) Bucket(t time.Duration) *Bucket {
	i := int(t.Seconds() / r.BucketS)
	for len(r.Timeline) <= i {
		n := len(r.Edges)
		r.Timeline = append(r.Timeline, Bucket{EdgeBytes: make([]float64, n), EdgeHits: make([]int64, n), EdgeReqs: make([]int64, n)})
	}
	return &r.Timeline[i]
}

// ErrMismatch is returned when merging results of different scenarios.
var ErrMismatch = errors.New("results do not belong together")

// Merge adds o into r exactly: records are concatenated (ordered by
// viewer), histograms merged, counters and timelines summed.
func (r *Results) Merge(o *Results) error {
	if r.Scenario != o.Scenario || r.Seed != o.Seed || r.BucketS != o.BucketS || len(r.Edges) != len(o.Edges) || r.ShardBy != o.ShardBy {
		return fmt.Errorf("%w: %s seed %d vs %s seed %d", ErrMismatch, r.Scenario, r.Seed, o.Scenario, o.Seed)
	}
	for _, s := range o.Shards {
		for _, t := range r.Shards {
			if s == t {
				return fmt.Errorf("%w: shard %d appears twice", ErrMismatch, s)
			}
		}
	}
	r.Shards = append(r.Shards, o.Shards...)
	sort.Ints(r.Shards)
	r.Viewers += o.Viewers
	r.SimSeconds = math.Max(r.SimSeconds, o.SimSeconds)
	r.WallSeconds = math.Max(r.WallSeconds, o.WallSeconds)
	r.CPUSeconds += o.CPUSeconds
	r.Events += o.Events
	if r.Aborted == "" {
		r.Aborted = o.Aborted
	}
	r.Records = append(r.Records, o.Records...)
	sort.SliceStable(r.Records, func(i, j int) bool { return r.Records[i].Viewer < r.Records[j].Viewer })
	for name, c := range o.Classes {
		rc, ok := r.Classes[name]
		if !ok {
			rc = &Class{Latency: NewHistogram()}
			r.Classes[name] = rc
		}
		rc.Count += c.Count
		rc.Errors += c.Errors
		rc.Latency.Merge(c.Latency)
	}
	for i := range o.Edges {
		e, x := &r.Edges[i], o.Edges[i]
		if r.ShardBy != "" {
			e.Capacity = math.Max(e.Capacity, x.Capacity)
		} else {
			e.Capacity += x.Capacity
		}
		e.Requests += x.Requests
		e.Hits += x.Hits
		e.Misses += x.Misses
		e.Errors += x.Errors
		e.Bytes += x.Bytes
		e.CMCDStarved += x.CMCDStarved
		e.OriginRequests += x.OriginRequests
		e.OriginObjects += x.OriginObjects
		e.CMCDSessions += x.CMCDSessions
		for ot, n := range x.CMCDRequests {
			if e.CMCDRequests == nil {
				e.CMCDRequests = map[string]int64{}
			}
			e.CMCDRequests[ot] += n
		}
	}
	for i := range o.Timeline {
		b := r.Bucket(time.Duration(float64(i) * r.BucketS * float64(time.Second)))
		x := o.Timeline[i]
		b.Active += x.Active
		b.Stalled += x.Stalled
		b.Starts += x.Starts
		b.Failures += x.Failures
		b.Requests += x.Requests
		b.Errors += x.Errors
		for k := range x.EdgeBytes {
			b.EdgeBytes[k] += x.EdgeBytes[k]
			b.EdgeHits[k] += x.EdgeHits[k]
			b.EdgeReqs[k] += x.EdgeReqs[k]
		}
	}
	if o.Browse != nil {
		if r.Browse == nil {
			r.Browse = &BrowseStats{}
		}
		r.Browse.add(o.Browse)
	}
	for name, bs := range o.Steps {
		for i := range bs {
			r.StepBucket(name, time.Duration(float64(i)*r.BucketS*float64(time.Second))).merge(&bs[i])
		}
	}
	r.PeakLoads()
	r.Samples = append(r.Samples, o.Samples...)
	sort.SliceStable(r.Samples, func(i, j int) bool { return r.Samples[i].Viewer < r.Samples[j].Viewer })
	return nil
}

// PeakLoads recomputes each edge's peak load from the timeline.
func (r *Results) PeakLoads() {
	for k := range r.Edges {
		peak := 0.0
		for _, b := range r.Timeline {
			if k < len(b.EdgeBytes) && r.Edges[k].Capacity > 0 {
				peak = math.Max(peak, b.EdgeBytes[k]*8/r.BucketS/r.Edges[k].Capacity)
			}
		}
		r.Edges[k].PeakLoad = peak
	}
}

// Verdicts judges the objectives on the results.
func (r *Results) Verdicts() []slo.Verdict { return slo.Evaluate(r.Objectives, r) }
