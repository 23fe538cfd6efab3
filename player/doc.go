// Package player is the abrkit adaptive-bitrate player SDK.
//
// # Playing a stream
//
// An application needs [New], [Player.Load], [Player.Wait] and [Player.QoE]:
// New takes options ([WithABR], [WithFetcher], [WithListener],
// [WithMaxBitrate], ...; every option states its default and New rejects
// invalid values with an [*OptionError]). A Player plays one source: a
// second Load returns [ErrLoaded]. Its methods are safe for concurrent
// use. [Player.Status] is a snapshot for status lines; typed [Event] values reach a
// [Listener] in order on the player's goroutine; [QoE] accounts for the
// session. Requests go through a transport.Fetcher (net/http by default),
// which is where authentication, caching or offline files
// (download.LocalFetcher) plug in. See ExampleNew, ExampleWithListener
// and ExampleWithFetcher.
//
// Subtitles: [WithTextLanguage] or [Player.SelectText] choose a text track
// (WebVTT, IMSC1/TTML, stpp, wvtt; parsed by package player/text), whose cues
// reach a [TextOutput] ([WithTextOutput]) as the playhead meets them;
// [Player.Cues] answers for any time. Trick play: [Player.Thumbnail]
// gives a seek bar the DASH thumbnail tile (with the crop rectangle) or
// the HLS I-frame keyframe of a time.
//
// Encryption: HLS AES-128 keys come through a [KeyLoader]
// ([WithKeyLoader]; a GET of the key URI by default), DASH CENC (cenc,
// cbcs) keys through a [LicenseRequester] ([WithLicenseRequester];
// [ClearKey] at [WithLicenseURL] or the MPD's license URL by default);
// media reaches the Decoder in the clear. A key that does not decrypt the
// media ends the session with a [PlaybackError] of category [ErrDRM].
//
// # Driving the core
//
// The rest of the package is for drivers, such as the simulator, not for
// applications. The player's heart is [Core], a deterministic state
// machine that decides what to fetch and when: no goroutines, no clock
// reads, no I/O. A driver steps it with the time and the outcome of each
// fetch ([Core.Poll], [Core.Complete], [Core.Progress]) and performs the
// [Action] values it returns ([OpFetch], [OpCancel] and [OpBeacon],
// identified by [RequestID]; [Never] means no timer is needed). Every
// fetch carries the CMCD values the core knows ([Action].CMCD); beacons
// mark the first frame, every [CoreConfig].BeaconInterval and the end
// ([Core.End] when the viewer leaves). Two drivers run it: [Player], the
// real-time driver with goroutines, net/http and a clock.Clock, which
// sends CMCD ([WithCMCD]) and posts beacons ([WithTelemetry]); and the
// simulator's virtual-time driver, which runs thousands of cores sharing
// one parsed manifest.Presentation on an event queue.
//
// The core keeps a buffer model per track (video and separate audio),
// asks a [BufferPolicy] (like ExoPlayer's LoadControl) when to load and
// when to start, lets an abr.Algorithm choose each video segment's level
// (abandoning a download that would stall when it implements
// abr.Abandoner), follows live playlists, and routes every request
// through a steering.Selector for failover between servers. See
// ExampleCore for a virtual-time loop.
package player
