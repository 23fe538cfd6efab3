// Package steering chooses the server (CDN edge, HLS pathway, DASH
// service location) for each request of a player session.
//
// It is pure logic: no goroutines, no I/O and no clock reads. Every
// time-dependent method takes now, the player clock, so the same code runs
// in the real-time player and in the virtual-time simulator with
// thousands of viewers.
//
// Sources of servers, merged by ID:
//   - the ranked edge list of the playback API ([Edge], signed base URLs);
//   - HLS pathways (PATHWAY-ID) and redundant variants of a multivariant
//     playlist, DASH BaseURLs with serviceLocation ([manifest.Presentation]);
//   - HLS or DASH Content Steering manifests ([ParseManifest]) with
//     PATHWAY-PRIORITY / SERVICE-LOCATION-PRIORITY and PATHWAY-CLONES.
//
// [Manager] implements [Selector]: it probes candidates at start
// ([Prober.Probes]), penalises failing servers for an exponentially
// growing time, fails over on errors or throughput collapse, returns to a
// better-ranked server when its penalty expires, schedules steering
// reloads ([Selector.NextReload], [Selector.ReloadDone]) and maps URIs
// onto the current server ([Selector.Resolve]).
package steering
