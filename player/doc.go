// Package player is the abrkit adaptive-bitrate player SDK.
//
// Its heart is [Core], a deterministic state machine that decides what to
// fetch and when, stepped from outside with the time and the outcome of
// each fetch. Two drivers run it: [Player], the real-time driver with
// goroutines, net/http (through a transport.Fetcher) and a [Clock], and
// the simulator's virtual-time driver that runs thousands of cores on an
// event queue.
//
// Events reach a [Listener] as typed [Event] values; [QoE] accounts for a
// session. [BufferPolicy] (like ExoPlayer's LoadControl) says when to load
// and when to start playing.
package player
