package topology

import (
	"math"
	"math/rand/v2"
	"time"
)

// Defaults used by [Default] and by [Topology.ApplyDefaults] for fields
// left empty.
const (
	DefaultRegions         = 3
	DefaultEdgesPerRegion  = 3
	DefaultTitles          = 20
	DefaultEdgeCapacity    = 1 * Gbps
	DefaultMaxConnections  = 512
	DefaultCacheSize       = 256 * MiB
	DefaultHealthInterval  = 2 * time.Second
	DefaultURLTTL          = 6 * time.Hour
	DefaultTokenTTL        = 24 * time.Hour
	DefaultSteeringTTL     = 10 * time.Second
	DefaultMaxInFlight     = 256
	DefaultRatePerClient   = 50.0
	DefaultRateBurst       = 100
	DefaultBreakerFailures = 5
	DefaultBreakerCooldown = 5 * time.Second
	DefaultEventQueue      = 4096
	DefaultMaxEventBatch   = 500
	// MinSigningKeyLen is the shortest master key accepted.
	MinSigningKeyLen = 16
	// RefusedSigningKey is the fixed key of early releases; tokens and
	// URLs it signed are refused, and so is a topology that names it.
	RefusedSigningKey = "abrkit-demo-signing-key"
)

// Topology is the whole reference backend.
type Topology struct {
	// Name labels reports; defaults to "default".
	Name string `yaml:"name,omitempty"`
	// SigningKey is the master key from which the token, URL and report
	// keys are derived (at least 16 bytes). Empty: a random key per start,
	// unless SigningKeyFile or the ABRKIT_SIGNING_KEY environment variable
	// gives one.
	SigningKey string `yaml:"signing_key,omitempty"`
	// SigningKeyFile names a file holding the master key (relative to the
	// topology file); it overrides SigningKey.
	SigningKeyFile string `yaml:"signing_key_file,omitempty"`
	// URLTTL is how long a signed URL stays valid; defaults to 6h.
	URLTTL time.Duration `yaml:"url_ttl,omitempty"`
	// HealthInterval is how often edges report health and load to the
	// steering service; an edge silent for longer is dropped from rankings.
	// Defaults to 2s.
	HealthInterval time.Duration `yaml:"health_interval,omitempty"`
	// Catalog names the titles the origin serves.
	Catalog Catalog `yaml:"catalog"`
	// Origin is the origin/packager's capacity.
	Origin Origin `yaml:"origin,omitempty"`
	// Regions hold the edges; viewers are assigned a region.
	Regions []Region `yaml:"regions"`
	// ControlPlane is the gateway and the services behind it.
	ControlPlane ControlPlane `yaml:"control_plane,omitempty"`
	// Users are the accounts POST /v1/login accepts. Empty means demo mode:
	// any non-empty user and password is accepted.
	Users []User `yaml:"users,omitempty"`
	// Channels are live channels the origin packages from the clock.
	Channels []Channel `yaml:"channels,omitempty"`
	// LiveEdges sets how edges treat live playlists and media.
	LiveEdges LiveEdges `yaml:"live_edges,omitempty"`
	// MemoryBudget is the memory of one backend process (abrkit serve, or
	// each of its component processes): the edge caches it runs are sized
	// from it (see [SplitBudget]) and it is the runtime's memory limit.
	// Defaults to DefaultMemoryBudget (1GiB).
	MemoryBudget ByteSize `yaml:"memory_budget,omitempty"`
}

// Catalog is a reference to a catalog file, an inline list of titles, or a
// number of generated titles. Exactly one of File, Titles and Generate is
// set after defaults are applied (Generate defaults to 20).
type Catalog struct {
	// File is a packager catalog (YAML), relative to the topology file.
	File string `yaml:"file,omitempty"`
	// Titles lists titles inline.
	Titles []Title `yaml:"titles,omitempty"`
	// Generate asks for this many built-in synthetic titles.
	Generate int `yaml:"generate,omitempty"`
	// Content is a directory of real content (one title per sub-directory,
	// or one title when it holds hls/ and dash/ itself); it replaces the
	// other sources.
	Content string `yaml:"content,omitempty"`
	// Release, when set, is a new season dropping into the browse plane
	// (home, rows, search, details) at a time after the backend starts.
	Release *Release `yaml:"release,omitempty"`
}

// Release is a drop of new titles and rows into the browse plane. Until At
// the last Titles titles of the catalog are not listed (rows, search and
// details do not know them; they can still be played); from At they are,
// Rows new rows holding them appear on every home page after its first
// two rows, and the existing rows list them too. Every home, row page and
// search answer cached before At is stale from then on: the first loads
// after the release miss the cache and go to the datastore.
type Release struct {
	// At is the time after the backend's start (a run's start in the
	// simulator).
	At time.Duration `yaml:"at"`
	// Rows is the number of new rows (0..1000), Titles the number of the
	// catalog's titles held back until At (at least one title stays).
	Rows   int `yaml:"rows,omitempty"`
	Titles int `yaml:"titles,omitempty"`
}

// Title is one title of an inline catalog; fields mirror the packager's.
type Title struct {
	ID              string        `yaml:"id"`
	Duration        time.Duration `yaml:"duration"`
	SegmentDuration time.Duration `yaml:"segment_duration,omitempty"`
	LadderKbps      []int         `yaml:"ladder_kbps,omitempty"`
	Seed            int64         `yaml:"seed,omitempty"`
	// Encryption protects the title: "aes-128" (HLS), "cenc" (DASH,
	// ClearKey) or "cbcs" (both); the backend derives the key from its
	// master key.
	Encryption string `yaml:"encryption,omitempty"`
}

// Origin is the origin server's model.
type Origin struct {
	// Capacity is the origin's egress; 0 means unlimited (used by the
	// virtual-time model; the live origin does not pace).
	Capacity Bitrate `yaml:"capacity,omitempty"`
	// Latency is added to every origin fetch (models a far-away origin).
	Latency time.Duration `yaml:"latency,omitempty"`
}

// Region is a group of edges close to a group of viewers.
type Region struct {
	ID    string `yaml:"id"`
	Edges []Edge `yaml:"edges"`
}

// Edge is one edge cache (OCA).
type Edge struct {
	ID string `yaml:"id"`
	// Capacity is the egress bandwidth shared fairly by its connections;
	// defaults to 1Gbps. 0 after defaults is impossible; use a large value
	// for "unlimited".
	Capacity Bitrate `yaml:"capacity,omitempty"`
	// MaxConnections is the number of concurrent requests served; more are
	// refused with 503. Defaults to 512.
	MaxConnections int `yaml:"max_connections,omitempty"`
	// CacheSize bounds the VOD cache in bytes. Unset, the live backend
	// sizes it from the process's memory budget (see [SplitBudget]) and
	// the virtual-time model uses DefaultCacheSize (256MiB).
	CacheSize ByteSize `yaml:"cache_size,omitempty"`
	// CacheFromBudget is set by ApplyDefaults when CacheSize was not given.
	CacheFromBudget bool `yaml:"-"`
	// RTT is the round trip from the region's viewers to the edge (used by
	// the virtual-time model; the live backend adds no delay for it).
	RTT time.Duration `yaml:"rtt,omitempty"`
}

// ControlPlane is the gateway and the services behind it.
type ControlPlane struct {
	// MaxInFlight bounds requests in progress across the gateway; more are
	// shed at once with 503 and Retry-After (no queue). Defaults to 256.
	MaxInFlight int `yaml:"max_in_flight,omitempty"`
	// RateLimit is the per-client token bucket.
	RateLimit RateLimit `yaml:"rate_limit,omitempty"`
	// Breaker configures the circuit breaker per downstream service.
	Breaker Breaker `yaml:"breaker,omitempty"`
	// TokenTTL is the lifetime of bearer tokens; defaults to 24h.
	TokenTTL time.Duration `yaml:"token_ttl,omitempty"`
	// SteeringTTL is the TTL in steering responses; defaults to 10s.
	SteeringTTL time.Duration `yaml:"steering_ttl,omitempty"`
	// EventQueue bounds each partition of the telemetry pipeline (events
	// and heartbeats, 8 partitions) in records; defaults to 4096.
	EventQueue int `yaml:"event_queue,omitempty"`
	// MaxEventBatch bounds events per POST /v1/events; defaults to 500.
	MaxEventBatch int `yaml:"max_event_batch,omitempty"`
	// Services holds each service's service-time model.
	Services Services `yaml:"services,omitempty"`
}

// RateLimit is a token bucket per client (bearer token, else remote IP).
type RateLimit struct {
	// PerSecond is the refill rate; defaults to 50. Negative disables.
	PerSecond float64 `yaml:"per_second,omitempty"`
	// Burst is the bucket size; defaults to 100.
	Burst int `yaml:"burst,omitempty"`
}

// Breaker opens after Failures consecutive failures (5xx or timeouts) and
// lets one trial request through after Cooldown.
type Breaker struct {
	Failures int           `yaml:"failures,omitempty"`
	Cooldown time.Duration `yaml:"cooldown,omitempty"`
}

// Services holds one model per downstream service of the gateway.
type Services struct {
	Auth      Service `yaml:"auth,omitempty"`
	Playback  Service `yaml:"playback,omitempty"`
	Steering  Service `yaml:"steering,omitempty"`
	Telemetry Service `yaml:"telemetry,omitempty"`
}

// Service is one control-plane service.
type Service struct {
	// Workers is how many requests it serves at once (virtual-time model;
	// the live gateway bounds the total with MaxInFlight). Defaults to 64.
	Workers int `yaml:"workers,omitempty"`
	// ServiceTime is the time to serve one request.
	ServiceTime ServiceTime `yaml:"service_time,omitempty"`
}

// ServiceTime is a log-normal distribution given by its median and 99th
// percentile. The zero value means "no service time".
type ServiceTime struct {
	Median time.Duration `yaml:"median,omitempty"`
	P99    time.Duration `yaml:"p99,omitempty"`
}

// z99 is the standard normal quantile at 0.99.
const z99 = 2.3263478740408408

// Sigma is the log-normal shape parameter.
func (s ServiceTime) Sigma() float64 {
	if s.Median <= 0 || s.P99 <= s.Median {
		return 0
	}
	return math.Log(float64(s.P99)/float64(s.Median)) / z99
}

// Quantile returns the service time at standard-normal score z
// (z = 0 is the median, z = 2.326 the 99th percentile).
func (s ServiceTime) Quantile(z float64) time.Duration {
	if s.Median <= 0 {
		return 0
	}
	return time.Duration(float64(s.Median) * math.Exp(s.Sigma()*z))
}

// Sample draws one service time from r.
func (s ServiceTime) Sample(r *rand.Rand) time.Duration {
	if s.Median <= 0 {
		return 0
	}
	return s.Quantile(r.NormFloat64())
}

// User is an account for POST /v1/login.
type User struct {
	Name string `yaml:"name"`
	// PasswordHash is a bcrypt hash (abrkit serve hash-password).
	PasswordHash string `yaml:"password_hash,omitempty"`
	// Password in plain text is accepted for demos only, with a warning
	// (see [Topology.Warnings]).
	Password string `yaml:"password,omitempty"`
	// Region is the viewer's home region; empty picks by client address.
	Region string `yaml:"region,omitempty"`
}

// EdgeRef is an edge with the region it belongs to.
type EdgeRef struct {
	Edge
	Region string
}

// Edges returns all edges in region order.
func (t *Topology) Edges() []EdgeRef {
	var out []EdgeRef
	for _, r := range t.Regions {
		for _, e := range r.Edges {
			out = append(out, EdgeRef{Edge: e, Region: r.ID})
		}
	}
	return out
}

// Edge returns the edge with id and whether it exists.
func (t *Topology) Edge(id string) (EdgeRef, bool) {
	for _, e := range t.Edges() {
		if e.ID == id {
			return e, true
		}
	}
	return EdgeRef{}, false
}

// Region returns the region with id and whether it exists.
func (t *Topology) Region(id string) (Region, bool) {
	for _, r := range t.Regions {
		if r.ID == id {
			return r, true
		}
	}
	return Region{}, false
}

// Default returns the built-in topology: regions "eu", "us" and "ap" with
// three 1Gbps edges each, 20 generated titles, one LL-HLS channel
// ("live": 2s segments, 500ms parts), demo-mode login.
func Default() *Topology {
	t := &Topology{Name: "default"}
	for _, r := range []string{"eu", "us", "ap"}[:DefaultRegions] {
		reg := Region{ID: r}
		for i := 1; i <= DefaultEdgesPerRegion; i++ {
			reg.Edges = append(reg.Edges, Edge{ID: r + "-" + string(rune('0'+i)), RTT: 10 * time.Millisecond})
		}
		t.Regions = append(t.Regions, reg)
	}
	t.Channels = []Channel{DefaultChannel()}
	t.ControlPlane.Services = Services{
		Auth:      Service{ServiceTime: ServiceTime{Median: 3 * time.Millisecond, P99: 20 * time.Millisecond}},
		Playback:  Service{ServiceTime: ServiceTime{Median: 5 * time.Millisecond, P99: 40 * time.Millisecond}},
		Steering:  Service{ServiceTime: ServiceTime{Median: 1 * time.Millisecond, P99: 8 * time.Millisecond}},
		Telemetry: Service{ServiceTime: ServiceTime{Median: 1 * time.Millisecond, P99: 5 * time.Millisecond}},
	}
	t.ApplyDefaults()
	return t
}

// ApplyDefaults fills empty fields with the Default constants.
func (t *Topology) ApplyDefaults() {
	setStr(&t.Name, "default")
	setDur(&t.URLTTL, DefaultURLTTL)
	setDur(&t.HealthInterval, DefaultHealthInterval)
	if t.Catalog.File == "" && len(t.Catalog.Titles) == 0 && t.Catalog.Generate == 0 && t.Catalog.Content == "" {
		t.Catalog.Generate = DefaultTitles
	}
	for i := range t.Regions {
		for j := range t.Regions[i].Edges {
			e := &t.Regions[i].Edges[j]
			if e.Capacity == 0 {
				e.Capacity = DefaultEdgeCapacity
			}
			setInt(&e.MaxConnections, DefaultMaxConnections)
			if e.CacheSize == 0 {
				e.CacheSize, e.CacheFromBudget = DefaultCacheSize, true
			}
		}
	}
	cp := &t.ControlPlane
	setInt(&cp.MaxInFlight, DefaultMaxInFlight)
	if cp.RateLimit.PerSecond == 0 {
		cp.RateLimit.PerSecond = DefaultRatePerClient
	}
	setInt(&cp.RateLimit.Burst, DefaultRateBurst)
	setInt(&cp.Breaker.Failures, DefaultBreakerFailures)
	setDur(&cp.Breaker.Cooldown, DefaultBreakerCooldown)
	setDur(&cp.TokenTTL, DefaultTokenTTL)
	setDur(&cp.SteeringTTL, DefaultSteeringTTL)
	setInt(&cp.EventQueue, DefaultEventQueue)
	setInt(&cp.MaxEventBatch, DefaultMaxEventBatch)
	for _, s := range []*Service{&cp.Services.Auth, &cp.Services.Playback, &cp.Services.Steering, &cp.Services.Telemetry} {
		setInt(&s.Workers, 64)
	}
	t.applyLiveDefaults()
}

func setStr(p *string, v string) {
	if *p == "" {
		*p = v
	}
}

func setInt(p *int, v int) {
	if *p == 0 {
		*p = v
	}
}

func setDur(p *time.Duration, v time.Duration) {
	if *p == 0 {
		*p = v
	}
}
