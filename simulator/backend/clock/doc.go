// Package clock gives the reference backend its notion of time. Components
// take a [Clock]; live servers use [Real], tests and the simulator use
// [Fake] and move it forward by hand, so nothing waits on the wall clock to
// expire a URL, open a breaker or drop a silent edge.
package clock
