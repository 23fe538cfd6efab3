package virtual

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/manifest"
)

// steeringServer is where the modelled titles' manifests say the content
// steering manifest is.
const steeringServer = "http://gateway.abrkit.test/v1/steering/"

// steered is p naming the modelled steering server. The parsed title is
// shared by every viewer, so the viewer gets a shallow copy.
func steered(p *manifest.Presentation, title string) *manifest.Presentation {
	c := *p
	c.Steering = &manifest.ContentSteering{ServerURI: steeringServer + title}
	if p.Steering != nil {
		cs := *p.Steering
		cs.ServerURI = steeringServer + title
		c.Steering = &cs
	}
	return &c
}

// steeringBody answers a steering reload with Options.Steering's manifest.
func (sim *Sim) steeringBody(now time.Duration, v *viewer, o *player.Outcome) {
	if sim.opt.Steering == nil {
		o.Status, o.Err = 404, errors.New("no steering server")
		return
	}
	m := sim.opt.Steering(now, int(v.id), sim.lib.id(int(v.title)))
	if m.PathwayPriority == nil {
		m.PathwayPriority = []string{}
	}
	b, err := json.Marshal(m)
	if err != nil {
		o.Status, o.Err = 500, err
		return
	}
	o.Body = b
	o.Bytes = int64(len(b))
}
