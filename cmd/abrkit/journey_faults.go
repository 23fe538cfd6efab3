package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/faults"
)

// parseJourneyFault reads "AT TARGET KIND [ARG]": "150s cache-0 kill",
// "60s datastore slow 200ms", "60s datastore fail 0.5". It returns the
// admin API's request, checked as the API would.
func parseJourneyFault(spec string) (faults.Request, error) {
	f := strings.Fields(spec)
	if len(f) < 3 || len(f) > 4 {
		return faults.Request{}, fmt.Errorf("--fault %q: want AT TARGET KIND [LATENCY|ERROR_RATE], e.g. \"150s cache-0 kill\"", spec)
	}
	r := faults.Request{In: f[0], Target: f[1], Kind: faults.Kind(f[2])}
	if len(f) == 4 {
		switch r.Kind {
		case faults.Slow:
			r.Latency = f[3]
		case faults.Fail:
			v, err := strconv.ParseFloat(f[3], 64)
			if err != nil {
				return faults.Request{}, fmt.Errorf("--fault %q: error rate %q is not a number", spec, f[3])
			}
			r.ErrorRate = v
		default:
			return faults.Request{}, fmt.Errorf("--fault %q: %s takes no argument", spec, r.Kind)
		}
	}
	body, _ := json.Marshal(r)
	if _, _, err := faults.DecodeRequest(body, time.Now()); err != nil {
		return faults.Request{}, fmt.Errorf("--fault %q: %w", spec, err)
	}
	return r, nil
}

// scheduleFaults posts each fault to the admin API, which applies it when
// its time ("in") comes.
func scheduleFaults(ctx context.Context, admin, token string, reqs []faults.Request) error {
	hc := &http.Client{Timeout: 10 * time.Second}
	for _, r := range reqs {
		if err := faults.Post(ctx, hc, admin, token, r); err != nil {
			return err
		}
	}
	return nil
}
