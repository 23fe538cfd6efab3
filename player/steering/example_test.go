package steering_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/abrkit/abrkit/player/steering"
)

// A session starts on the best-ranked edge, fails over when it errors and
// returns once its penalty has expired.
func Example() {
	sel, err := steering.New(steering.Config{
		Edges: []steering.Edge{
			{ID: "oca-1", URL: "https://oca-1.example.net/t/42/?sig=aa"},
			{ID: "oca-2", URL: "https://oca-2.example.net/t/42/?sig=bb"},
		},
		ProbeCount: -1,
	}, 0)
	if err != nil {
		panic(err)
	}
	now := time.Duration(0)
	fmt.Println(sel.Current(now).ID)

	sel.Report(now, "oca-1", steering.Outcome{Err: errors.New("connection refused")})
	now += time.Second
	fmt.Println(sel.Current(now).ID, sel.Resolve("https://oca-1.example.net/t/42/v/1.m4s?sig=aa"))

	now += steering.DefaultPenaltyBase
	sw := func() steering.Switch { s, _ := sel.LastSwitch(); return s }
	fmt.Println(sel.Current(now).ID, sw().Reason)
	// Output:
	// oca-1
	// oca-2 https://oca-2.example.net/t/42/v/1.m4s?sig=bb
	// oca-1 recovered
}

// The caller asks when to fetch the steering manifest and feeds the
// response back.
func ExampleManager_NextReload() {
	sel, _ := steering.New(steering.Config{
		Edges:       []steering.Edge{{ID: "a", URL: "https://a.example/"}, {ID: "b", URL: "https://b.example/"}},
		SteeringURI: "https://steer.example/v1/steer?session=7",
		ProbeCount:  -1,
	}, 0)
	r, _ := sel.NextReload(0)
	fmt.Println(r.Due, r.URI)
	sel.ReloadDone(0, steering.ReloadResponse{Status: 200, Body: []byte(
		`{"VERSION":1,"TTL":60,"PATHWAY-PRIORITY":["b","a"]}`)})
	r, _ = sel.NextReload(0)
	fmt.Println(r.Due, r.At, sel.Current(0).ID)
	sel.NextReload(60 * time.Second)
	sel.ReloadDone(60*time.Second, steering.ReloadResponse{Status: 410})
	_, ok := sel.NextReload(60 * time.Second)
	fmt.Println(ok)
	// Output:
	// true https://steer.example/v1/steer?_HLS_pathway=a&session=7
	// false 1m0s b
	// false
}

func ExampleParseManifest() {
	m, err := steering.ParseManifest([]byte(`{"VERSION":1,"TTL":300,"PATHWAY-PRIORITY":["CDN-A","CDN-B"],
	"PATHWAY-CLONES":[{"BASE-ID":"CDN-A","ID":"CDN-C","URI-REPLACEMENT":{"HOST":"backup.example.com"}}]}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(m.TTL, m.Priority, m.Clones[0].ID, m.Clones[0].Replacement.Host)
	// Output: 5m0s [CDN-A CDN-B] CDN-C backup.example.com
}
