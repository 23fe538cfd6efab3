// Package live runs a scenario in real time: each viewer is the real
// player (the real-time driver, net/http) playing from the reference
// backend started on loopback (or from plain manifest URLs). Logins are
// paced through vegeta's attacker with a pacer that replays the
// scenario's arrival times; each viewer's bandwidth is shaped by its
// network profile; bodies are counted and discarded; latencies are
// measured from when a request was due. Results have the same form as the
// virtual-time driver's, so the two can be compared (calibration).
package live
