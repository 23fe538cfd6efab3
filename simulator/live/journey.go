package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/journey"
	"github.com/abrkit/abrkit/simulator/results"
)

// ErrFaultsNeedAdmin: a scenario with faults runs against a running
// backend only through its admin API.
var ErrFaultsNeedAdmin = errors.New("the scenario's faults need the running backend's admin API: set --admin URL and an admin token (--admin-token or ABRKIT_ADMIN_TOKEN)")

// ErrJourneyBackend: live mode walks journeys against the reference
// backend only.
var ErrJourneyBackend = errors.New("a journey in live mode walks the reference backend's gateway: set backend: embedded (and --gateway for a running one); for another service use abrkit journey run")

// setupJourney makes the walker of the scenario's journey against the
// gateway; every step's request is recorded in api.<step>, in the
// run's buckets and in the step's timeline.
func (r *run) setupJourney(j *journey.Journey) error {
	r.serviceOf = map[string]string{}
	for _, name := range j.Order {
		if cn := "api." + name; r.res.Classes[cn] == nil {
			r.res.Classes[cn] = &results.Class{Latency: results.NewHistogram()}
		}
		// the login and play services' own classes count their steps
		// too, as in virtual mode
		switch rt, _ := journey.Route(j.Steps[name]); {
		case rt == journey.RouteLogin && name != "login":
			r.serviceOf[name] = results.ClassLogin
		case rt == journey.RoutePlay && name != "play":
			r.serviceOf[name] = results.ClassPlay
		}
	}
	w, err := journey.NewWalker(j, journey.Options{Target: r.gateway, Client: r.hc, Seed: r.seed, Record: r.recordStep})
	if err != nil {
		return err
	}
	r.walker = w
	return nil
}

// recordStep accounts one request of a journey step sent at sent.
func (r *run) recordStep(step string, sent time.Time, lat time.Duration, failed bool) {
	at := sent.Sub(r.start)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Classes["api."+step].Add(lat, failed)
	if c, ok := r.serviceOf[step]; ok {
		r.res.Classes[c].Add(lat, failed)
	}
	b := r.res.Bucket(at)
	b.Requests++
	if failed {
		b.Errors++
	}
	r.res.StepBucket(step, at).Add(lat, failed)
}

// members is how many accounts the viewers sign in as: members come back,
// about three sessions each over a run, as in virtual mode.
func (r *run) members() int {
	n := r.s.Viewers.Count
	if r.opt.Viewers > 0 {
		n = r.opt.Viewers
	}
	return max(1, (n+2)/3)
}

// journey walks the viewer's journey; its play step hands over to the
// player. A session that leaves without playing is browsed.
func (r *run) journey(ctx context.Context, id int, rec *results.Record, pr profile, rng *rand.Rand) {
	played := false
	play := func(ctx context.Context, due time.Time, answer []byte, vars map[string]string) {
		played = true
		var resp control.PlayResponse
		if err := json.Unmarshal(answer, &resp); err != nil {
			rec.Failed, rec.Reason = true, fmt.Sprintf("play: %v", err)
			return
		}
		if t := vars["title"]; t != "" {
			rec.Title = t
		}
		m, edges, tel := r.fromPlay(resp, vars["token"], r.s.Content.Format, rng)
		r.playback(ctx, id, due, rec, pr, m, edges, tel, nil) // the walk goes on while it plays
	}
	member := "member-" + strconv.Itoa(id%r.members())
	r.walker.Session(ctx, "viewer-"+strconv.Itoa(id), member, rng, play)
	if !played && ctx.Err() == nil {
		rec.Browsed = true
	}
}
