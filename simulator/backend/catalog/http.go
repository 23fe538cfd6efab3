package catalog

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/abrkit/abrkit/simulator/backend/signing"
)

// Response headers: the modelled service time in milliseconds, and which
// fallback a home page is.
const (
	HeaderServiceTime = "X-Abrkit-Service-Time"
	HeaderFallback    = "X-Abrkit-Fallback"
)

func (c *Catalog) metrics() {
	c.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "abrkit_catalog_requests_total",
		Help: "Browse-plane requests by service and outcome (ok, partial, stale, generic, error)."}, []string{"service", "outcome"})
	c.seconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "abrkit_catalog_service_seconds",
		Help: "Modelled service time by service (cache, datastore, fan-out).", Buckets: prometheus.ExponentialBuckets(0.0002, 2, 14)}, []string{"service"})
	r := c.cfg.Registerer
	if r == nil {
		return
	}
	r.MustRegister(c.requests, c.seconds,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "abrkit_catalog_cache_hit_ratio", Help: "Cache tier hits over lookups since the start."}, c.Cache.HitRatio),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "abrkit_datastore_reads_total", Help: "Datastore reads past the breaker."}, func() float64 { return float64(c.Datastore.Reads()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "abrkit_datastore_errors_total", Help: "Datastore reads failed (breaker open, down, timeout, error)."}, func() float64 { return float64(c.Datastore.errs.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "abrkit_datastore_in_flight", Help: "Datastore reads in progress."}, func() float64 { return float64(c.Datastore.InFlight()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "abrkit_heartbeats_accepted_total", Help: "Heartbeats queued."}, func() float64 { return float64(c.Pipeline.Counts(KindHeartbeat).Accepted) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "abrkit_heartbeats_dropped_total", Help: "Heartbeats refused by a full partition."}, func() float64 { return float64(c.Pipeline.Counts(KindHeartbeat).Dropped) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "abrkit_heartbeats_consumed_total", Help: "Heartbeats consumed."}, func() float64 { return float64(c.Pipeline.Counts(KindHeartbeat).Consumed) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "abrkit_heartbeat_consumer_lag_seconds", Help: "How long the last record consumed from the telemetry pipeline (heartbeats and events) waited."}, func() float64 { return c.Pipeline.Stats().LagS }),
	)
	for _, n := range c.Cache.nodes {
		l := prometheus.Labels{"node": n.name}
		r.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "abrkit_catalog_cache_node_up", Help: "1 while the cache node serves.", ConstLabels: l}, func() float64 {
				if n.Up() {
					return 1
				}
				return 0
			}),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "abrkit_catalog_cache_entries", Help: "Entries per cache node.", ConstLabels: l}, func() float64 { return float64(n.Len()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "abrkit_catalog_cache_hits_total", Help: "Cache hits per node.", ConstLabels: l}, func() float64 { return float64(n.hits.Load()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "abrkit_catalog_cache_misses_total", Help: "Cache misses per node.", ConstLabels: l}, func() float64 { return float64(n.misses.Load()) }),
		)
	}
	for i := range c.Pipeline.Partitions() {
		r.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "abrkit_heartbeat_lag_events", Help: "Records (heartbeats and events) waiting per partition of the telemetry pipeline.",
			ConstLabels: prometheus.Labels{"partition": strconv.Itoa(i)}}, func() float64 { return float64(c.Pipeline.PartitionLen(i)) }))
	}
}

func (c *Catalog) answer(w http.ResponseWriter, svc string, v any, d time.Duration, err error) int {
	c.seconds.WithLabelValues(svc).Observe(d.Seconds())
	w.Header().Set(HeaderServiceTime, strconv.FormatFloat(math.Round(d.Seconds()*1e6)/1e3, 'f', -1, 64))
	if err != nil {
		c.requests.WithLabelValues(svc, "error").Inc()
		code := status(err)
		if code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout {
			w.Header().Set("Retry-After", "1")
		}
		return writeJSON(w, code, map[string]string{"error": svc + ": " + err.Error()})
	}
	outcome := "ok"
	if h, ok := v.(Home); ok && h.Fallback != "" {
		outcome = h.Fallback
		w.Header().Set(HeaderFallback, h.Fallback)
	}
	c.requests.WithLabelValues(svc, outcome).Inc()
	return writeJSON(w, http.StatusOK, v)
}

func writeJSON(w http.ResponseWriter, code int, v any) int {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
	return code
}

// The handlers below have the gateway's service-handler shape: the
// gateway has read the body, authenticated the viewer and taken the
// service's breaker; they return the status they wrote.

// ServeHome is GET /v1/home.
func (c *Catalog) ServeHome(w http.ResponseWriter, r *http.Request, _ []byte, cl signing.Claims) int {
	h, d, err := c.Home(r.Context(), cl.User)
	return c.answer(w, SvcHome, h, d, err)
}

// ServeRow is GET /v1/rows/{id}?page=N.
func (c *Catalog) ServeRow(w http.ResponseWriter, r *http.Request, _ []byte, _ signing.Claims) int {
	page := 0
	if p := r.URL.Query().Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || len(p) > 6 {
			return c.answer(w, SvcRows, nil, 0, ErrBadRequest)
		}
		page = n
	}
	rp, d, err := c.Row(r.Context(), r.PathValue("id"), page)
	return c.answer(w, SvcRows, rp, d, err)
}

// ServeSearch is GET /v1/search?q=...
func (c *Catalog) ServeSearch(w http.ResponseWriter, r *http.Request, _ []byte, _ signing.Claims) int {
	res, d, err := c.Search(r.Context(), r.URL.Query().Get("q"))
	return c.answer(w, SvcSearch, res, d, err)
}

// ServeTitle is GET /v1/titles/{id}.
func (c *Catalog) ServeTitle(w http.ResponseWriter, r *http.Request, _ []byte, _ signing.Claims) int {
	det, d, err := c.Title(r.Context(), r.PathValue("id"))
	return c.answer(w, SvcDetails, det, d, err)
}

// ServeHeartbeat is POST /v1/heartbeat.
func (c *Catalog) ServeHeartbeat(w http.ResponseWriter, _ *http.Request, body []byte, _ signing.Claims) int {
	hb, err := DecodeHeartbeat(body)
	if err != nil {
		return writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
	}
	p, ok := c.OfferHeartbeat(hb)
	if !ok {
		w.Header().Set("Retry-After", "1")
		return writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "heartbeat partition " + strconv.Itoa(p) + " full"})
	}
	return writeJSON(w, http.StatusAccepted, HeartbeatResponse{Partition: p})
}
