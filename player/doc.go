// Package player is the abrkit adaptive-bitrate player SDK.
//
// Its heart is [Core], a deterministic state machine that decides what to
// fetch and when: no goroutines, no clock reads, no I/O. A driver steps
// it with the time and the outcome of each fetch ([Core.Poll],
// [Core.Complete], [Core.Progress]) and performs the [Action]s it returns.
// Two drivers run it: [Player], the real-time driver with goroutines,
// net/http (through a transport.Fetcher) and a [Clock]; and the
// simulator's virtual-time driver, which runs thousands of cores sharing
// one parsed manifest.Presentation on an event queue.
//
// The core keeps a buffer model per track (video and separate audio),
// asks a [BufferPolicy] (like ExoPlayer's LoadControl) when to load and
// when to start, lets an abr.Algorithm choose each video segment's level
// (abandoning a download that would stall when it implements
// abr.Abandoner), follows live playlists, and routes every request
// through a steering.Selector for failover between servers.
//
// Events reach a [Listener] as typed [Event] values; [QoE] accounts for a
// session. See ExampleCore for a virtual-time loop and ExampleNew for
// real-time playback.
package player
