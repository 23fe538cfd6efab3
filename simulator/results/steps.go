package results

import (
	"math"
	"time"
)

// StepBucket is one journey step's requests in one timeline bucket: a
// count, the failures and a coarse latency histogram (four bins per
// doubling from 100µs; quantiles are within 19% of the true value).
type StepBucket struct {
	Requests int64    `json:"requests"`
	Errors   int64    `json:"errors"`
	SumUs    int64    `json:"sum_us"` // latencies summed, µs
	Bins     []uint32 `json:"bins,omitempty"`
}

// Mean returns the mean latency; 0 when empty.
func (b *StepBucket) Mean() time.Duration {
	if b.Requests == 0 {
		return 0
	}
	return time.Duration(b.SumUs/b.Requests) * time.Microsecond
}

const (
	stepBins      = 80
	stepBinBaseUs = 100.0
	stepBinsPer2x = 4
)

func stepBin(lat time.Duration) int {
	us := float64(lat) / float64(time.Microsecond)
	if us <= stepBinBaseUs {
		return 0
	}
	return min(int(math.Log2(us/stepBinBaseUs)*stepBinsPer2x), stepBins-1)
}

// Add records one request.
func (b *StepBucket) Add(lat time.Duration, failed bool) {
	b.Requests++
	if failed {
		b.Errors++
	}
	b.SumUs += lat.Microseconds()
	if b.Bins == nil {
		b.Bins = make([]uint32, stepBins)
	}
	b.Bins[stepBin(lat)]++
}

func (b *StepBucket) merge(o *StepBucket) {
	b.Requests += o.Requests
	b.Errors += o.Errors
	b.SumUs += o.SumUs
	for i, n := range o.Bins {
		if b.Bins == nil {
			b.Bins = make([]uint32, stepBins)
		}
		if i < stepBins {
			b.Bins[i] += n
		}
	}
}

// Quantile returns the q-th percentile (0-100) of the bucket's latencies,
// as the upper edge of its bin; 0 when empty.
func (b *StepBucket) Quantile(q float64) time.Duration {
	var n uint64
	for _, c := range b.Bins {
		n += uint64(c)
	}
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q / 100 * float64(n)))
	var seen uint64
	for i, c := range b.Bins {
		seen += uint64(c)
		if seen >= max(rank, 1) {
			return time.Duration(stepBinBaseUs * math.Exp2(float64(i+1)/stepBinsPer2x) * float64(time.Microsecond))
		}
	}
	return 0
}

// StepBucket returns step's bucket holding time t, growing the series.
func (r *Results) StepBucket(step string, t time.Duration) *StepBucket {
	if r.Steps == nil {
		r.Steps = map[string][]StepBucket{}
	}
	i := max(int(t.Seconds()/r.BucketS), 0)
	bs := r.Steps[step]
	for len(bs) <= i {
		bs = append(bs, StepBucket{})
	}
	r.Steps[step] = bs
	return &bs[i]
}

// BrowseStats is what the browse plane's dependencies did in a journey
// run: cache lookups, datastore reads and heartbeats.
type BrowseStats struct {
	CacheHits          int64 `json:"cache_hits"`
	CacheMisses        int64 `json:"cache_misses"`
	DatastoreReads     int64 `json:"datastore_reads"`
	DatastoreErrors    int64 `json:"datastore_errors"`
	HeartbeatsAccepted int64 `json:"heartbeats_accepted"`
	HeartbeatsDropped  int64 `json:"heartbeats_dropped"`
	// Fallbacks counts home pages answered stale, generic or partial.
	Fallbacks int64 `json:"fallbacks"`
}

func (b *BrowseStats) add(o *BrowseStats) {
	b.CacheHits += o.CacheHits
	b.CacheMisses += o.CacheMisses
	b.DatastoreReads += o.DatastoreReads
	b.DatastoreErrors += o.DatastoreErrors
	b.HeartbeatsAccepted += o.HeartbeatsAccepted
	b.HeartbeatsDropped += o.HeartbeatsDropped
	b.Fallbacks += o.Fallbacks
}
