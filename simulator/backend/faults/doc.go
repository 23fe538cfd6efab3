// Package faults injects failures into the reference backend: kill,
// restart, slow down (added latency, reduced bandwidth) or make fail (error
// rate, status code) any edge or control-plane service, at once or on a
// schedule.
//
// A [Controller] holds named [Target]s. [Controller.Apply] acts now;
// [Controller.Schedule] queues a [Fault] for a time, and
// [Controller.Tick] applies what is due, so the schedule follows whatever
// clock drives Tick (the wall clock in live mode, virtual time in the
// simulator). [Controller.Handler] is the admin endpoint:
//
//	POST /admin/v1/faults   {"target": "eu-1", "kind": "slow", "latency": "200ms", "bandwidth_bps": 2000000}
//	POST /admin/v1/faults   {"target": "playback", "kind": "fail", "error_rate": 0.5, "status": 500, "in": "30s"}
//	GET  /admin/v1/faults   the targets, their state and the pending schedule
package faults
