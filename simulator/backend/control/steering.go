package control

import (
	"hash/fnv"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/edge"
	"github.com/abrkit/abrkit/simulator/backend/signing"
)

// EdgeState is what steering knows of one edge.
type EdgeState struct {
	edge.Report
	LastSeen time.Time
}

// Load is the edge's busiest resource share, 0..1+: connections in use,
// viewer sessions seen through CMCD (each holds about one connection), or
// egress against capacity.
func (s EdgeState) Load() float64 {
	l := 0.0
	if s.MaxConnections > 0 {
		l = float64(max(s.Active, s.Sessions)) / float64(s.MaxConnections)
	}
	if s.CapacityBps > 0 {
		l = max(l, s.EgressBps/float64(s.CapacityBps))
	}
	return l
}

// Ranked is an edge in a ranking with its score (lower is better).
type Ranked struct {
	EdgeState
	Score float64
}

// Ranking weights: region first, then errors, then load, then cache.
const (
	otherRegionPenalty = 1000
	errorPenalty       = 500
	loadPenalty        = 100
	cachedBonus        = 20
	overloadPenalty    = 1500 // load >= 0.9: nearly full edges sink below every edge with room, even remote ones
	affinityWeight     = 5    // rendezvous hash of (edge, title): spreads titles over a region's edges
	starvationPenalty  = 300  // times the share of CMCD requests flagged bs: viewers there stall
)

// Starvation is the share of the edge's CMCD requests that said the
// player's buffer ran dry (bs), 0..1.
func (s EdgeState) Starvation() float64 {
	if s.CMCDRequests <= 0 {
		return 0
	}
	return min(float64(s.Starved)/float64(s.CMCDRequests), 1)
}

// affinity is a deterministic value in [0, 1) per edge and title, so that
// equally loaded edges split the catalog between them (rendezvous hashing)
// and each title's cache stays warm on few edges.
func affinity(edgeID, title string) float64 {
	h := fnv.New64a()
	h.Write([]byte(edgeID))
	h.Write([]byte{0})
	h.Write([]byte(title))
	x := h.Sum64() // splitmix64 finaliser: FNV's high bits mix poorly
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

// Rank orders the edges usable at now for a viewer in region asking for
// title: edges silent for longer than stale or reporting unhealthy are
// left out; the rest sort by score (same region, few errors, low load,
// viewers not starving, title already cached), ties by id. It is pure and deterministic.
func Rank(edges []EdgeState, region, title string, now time.Time, stale time.Duration) []Ranked {
	out := make([]Ranked, 0, len(edges))
	for _, e := range edges {
		if !e.Healthy || now.Sub(e.LastSeen) > stale {
			continue
		}
		score := e.ErrorRatio*errorPenalty + min(e.Load(), 2)*loadPenalty + affinity(e.ID, title)*affinityWeight +
			e.Starvation()*starvationPenalty
		if e.Region != region {
			score += otherRegionPenalty
		}
		if e.Load() >= 0.9 {
			score += overloadPenalty
		}
		if title != "" {
			i := sort.SearchStrings(e.Titles, title)
			if i < len(e.Titles) && e.Titles[i] == title {
				score -= cachedBonus
			}
		}
		out = append(out, Ranked{EdgeState: e, Score: score})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score < out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Steering holds the edges' reports and ranks them.
type Steering struct {
	interval time.Duration
	ttl      time.Duration
	now      func() time.Time

	mu    sync.Mutex
	edges map[string]EdgeState
}

// NewSteering drops edges silent for longer than interval; ttl is the
// TTL of steering responses.
func NewSteering(interval, ttl time.Duration, now func() time.Time) *Steering {
	return &Steering{interval: interval, ttl: ttl, now: now, edges: map[string]EdgeState{}}
}

// Report records an edge's report, stamped with the steering clock.
func (s *Steering) Report(r edge.Report) {
	if !sort.StringsAreSorted(r.Titles) {
		r.Titles = append([]string(nil), r.Titles...)
		sort.Strings(r.Titles)
	}
	s.mu.Lock()
	s.edges[r.ID] = EdgeState{Report: r, LastSeen: s.now()}
	s.mu.Unlock()
}

// Forget removes an edge at once (for an orderly shutdown).
func (s *Steering) Forget(id string) {
	s.mu.Lock()
	delete(s.edges, id)
	s.mu.Unlock()
}

// Edges returns every known edge, sorted by id.
func (s *Steering) Edges() []EdgeState {
	s.mu.Lock()
	out := make([]EdgeState, 0, len(s.edges))
	for _, e := range s.edges {
		out = append(out, e)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// regionOf returns the region of a known edge, "" otherwise: a player that
// reloads without a region keeps the region of the edge it plays from.
func (s *Steering) regionOf(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.edges[id].Region
}

// Rank ranks the known edges now.
func (s *Steering) Rank(region, title string) []Ranked {
	return Rank(s.Edges(), region, title, s.now(), s.interval)
}

// Healthy counts the edges that would be ranked now.
func (s *Steering) Healthy() int { return len(s.Rank("", "")) }

// Manifest is a content-steering response (HLS and DASH share the keys).
type Manifest struct {
	Version         int      `json:"VERSION"`
	TTL             int      `json:"TTL"`
	ReloadURI       string   `json:"RELOAD-URI,omitempty"`
	PathwayPriority []string `json:"PATHWAY-PRIORITY"`
	// ServiceLocationPriority repeats the order under the DASH-IF key for
	// DASH clients (requests with _DASH_pathway, _DASH_throughput or
	// format=dash).
	ServiceLocationPriority []string `json:"SERVICE-LOCATION-PRIORITY,omitempty"`
}

// SteeringURI is the reload URI for a viewer: base is the gateway URL.
func SteeringURI(base, title, region, session string) string {
	q := url.Values{}
	if region != "" {
		q.Set("region", region)
	}
	if session != "" {
		q.Set("session", session)
	}
	u := strings.TrimSuffix(base, "/") + "/v1/steering/" + title
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// Manifest builds the steering response for a viewer.
func (s *Steering) Manifest(base, title, region, session string) Manifest {
	m := Manifest{Version: 1, TTL: max(int(s.ttl/time.Second), 1), ReloadURI: SteeringURI(base, title, region, session), PathwayPriority: []string{}}
	for _, r := range s.Rank(region, title) {
		m.PathwayPriority = append(m.PathwayPriority, r.ID)
	}
	return m
}

// serveManifest handles GET /v1/steering/{title}.
func (s *Steering) serveManifest(w http.ResponseWriter, r *http.Request, base string) int {
	title := r.PathValue("title")
	q := r.URL.Query()
	region, session := q.Get("region"), q.Get("session")
	if !signing.CleanID(title) || (region != "" && !signing.CleanID(region)) || len(session) > 128 {
		return writeError(w, http.StatusBadRequest, "bad title, region or session")
	}
	if region == "" {
		region = s.regionOf(q.Get("_HLS_pathway") + q.Get("_DASH_pathway"))
	}
	m := s.Manifest(base, title, region, session)
	if q.Has("_DASH_pathway") || q.Has("_DASH_throughput") || q.Get("format") == "dash" {
		m.ServiceLocationPriority = m.PathwayPriority
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, m)
}

// decodeReport parses an edge report posted over HTTP.
func decodeReport(data []byte) (edge.Report, error) {
	var r edge.Report
	if err := decodeOne(data, &r); err != nil {
		return r, err
	}
	if !signing.CleanID(r.ID) || (r.Region != "" && !signing.CleanID(r.Region)) {
		return r, badRequestf("report: bad edge id or region")
	}
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return r, badRequestf("report: bad url %q", r.URL)
	}
	if len(r.Titles) > 100_000 {
		return r, badRequestf("report: too many titles")
	}
	return r, nil
}
