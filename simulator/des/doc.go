// Package des is a small discrete-event engine: a heap of timed [Event]
// values dispatched in time order to one [Handler]. The virtual-time
// simulator runs every viewer, flow and control-plane request on one
// [Engine], with no goroutine per viewer.
//
//	e := des.New()
//	e.Schedule(2*time.Second, kindWake, viewerID, gen)
//	e.RunUntil(10*time.Minute, func(ev des.Event) { ... }, nil)
//
// Events with equal times are dispatched in the order they were
// scheduled, so a run is a pure function of its inputs.
package des
