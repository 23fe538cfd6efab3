package player

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"time"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player/steering"
	"github.com/abrkit/abrkit/player/transport"
)

// DefaultProgressInterval is how often the real-time driver reports the
// progress of a media download to the core (for abandonment).
const DefaultProgressInterval = 200 * time.Millisecond

// Option configures a Player.
type Option func(*options)

type options struct {
	core      CoreConfig
	fetcher   transport.Fetcher
	clock     clock.Clock
	listeners []Listener
	decoder   Decoder
	progress  time.Duration
	telemetry *Telemetry

	quality    Constraints // MinBitrate, MaxWidth, MaxHeight (MaxBitrate: core.MaxBitrate)
	fixed      bool        // WithFixedLevel
	fixedLevel int
	audioLang  string // WithPreferredAudioLanguage

	textLang string     // WithTextLanguage
	textOut  TextOutput // WithTextOutput

	playlists *PlaylistCache // WithPlaylistCache

	keyLoader  KeyLoader        // WithKeyLoader
	license    LicenseRequester // WithLicenseRequester
	licenseURL string           // WithLicenseURL
}

// WithABR sets the ABR algorithm (one instance per player). Defaults to
// abr.NewAuto() (DefaultABR); nil keeps the default.
func WithABR(a abr.Algorithm) Option { return func(o *options) { o.core.ABR = a } }

// WithEstimator sets the bandwidth estimator. Defaults to
// abr.DefaultEstimator(); nil keeps the default.
func WithEstimator(e abr.Estimator) Option { return func(o *options) { o.core.Estimator = e } }

// WithFetcher sets the transport. Defaults to transport.NewHTTP with one
// attempt per request (the core retries and fails over); nil keeps the
// default.
func WithFetcher(f transport.Fetcher) Option { return func(o *options) { o.fetcher = f } }

// WithClock sets the clock. Defaults to clock.Real; nil keeps the default.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// WithBufferPolicy sets the buffer policy. Defaults to NewBufferPolicy();
// nil keeps the default.
func WithBufferPolicy(p BufferPolicy) Option { return func(o *options) { o.core.Buffer = p } }

// WithListener adds a listener; events are delivered in order on the
// player's goroutine, so a slow listener delays playback decisions.
// May be given more than once. Default: no listener.
func WithListener(l Listener) Option {
	return func(o *options) { o.listeners = append(o.listeners, l) }
}

// WithTextLanguage shows the text track in lang (BCP 47 or ISO 639-2;
// "fr" matches "fr-CA" and "fra") when the presentation loads, a default
// one first. Default: none, subtitles are off until SelectText.
func WithTextLanguage(lang string) Option { return func(o *options) { o.textLang = lang } }

// WithTextOutput delivers the cues of the selected text track, timed
// against the playhead (see TextOutput). Default: none; Cues still
// answers.
func WithTextOutput(out TextOutput) Option { return func(o *options) { o.textOut = out } }

// WithKeyLoader sets how HLS AES-128 keys are fetched: once per key URI
// and session. Default: a GET of the key URI through the player's
// fetcher (transport.KindKey), capped at MaxKeyBytes.
func WithKeyLoader(k KeyLoader) Option { return func(o *options) { o.keyLoader = k } }

// WithLicenseRequester sets how the content keys of CENC (cenc, cbcs)
// streams are obtained. Default: ClearKey through the player's fetcher
// at the license URL (WithLicenseURL, else the MPD's dashif:laurl or
// clearkey:Laurl).
func WithLicenseRequester(l LicenseRequester) Option { return func(o *options) { o.license = l } }

// WithLicenseURL sets the license server URL, overriding the manifest's.
func WithLicenseURL(u string) Option { return func(o *options) { o.licenseURL = u } }

// WithDecoder hands segment bytes to d. Default: none, the player is
// headless and discards media bytes.
func WithDecoder(d Decoder) Option { return func(o *options) { o.decoder = d } }

// WithMaxBitrate caps video bitrate in bits/s. Defaults to 0: no cap.
// Negative values make New fail.
func WithMaxBitrate(bps int) Option { return func(o *options) { o.core.MaxBitrate = bps } }

// WithStartBitrate sets the bandwidth assumed at start-up, bits/s.
// Defaults to DefaultStartBitrate (also for 0).
func WithStartBitrate(bps int) Option { return func(o *options) { o.core.StartBitrate = bps } }

// WithEdges gives the playback API's ranked edge list for server steering
// and failover. Default: none, requests go where the manifest says.
func WithEdges(e []steering.Edge) Option { return func(o *options) { o.core.Edges = e } }

// WithLiveDelay sets the distance behind the live edge to start live
// playback at. Defaults to 0: the manifest's hold-back or suggested
// delay, else three target durations.
func WithLiveDelay(d time.Duration) Option { return func(o *options) { o.core.LiveDelay = d } }

// WithStartPosition starts VOD playback at pos. Defaults to 0: the
// beginning.
func WithStartPosition(pos time.Duration) Option {
	return func(o *options) { o.core.StartPosition = pos }
}

// WithoutAutoPlay loads and buffers but waits for Play. Default: playback
// starts as soon as the buffer policy allows.
func WithoutAutoPlay() Option { return func(o *options) { o.core.NoAutoPlay = true } }

// WithMaxRetries sets how many consecutive failures of a request are
// retried before playback fails. Defaults to DefaultMaxRetries (also for 0).
func WithMaxRetries(n int) Option { return func(o *options) { o.core.MaxRetries = n } }

// WithProgressInterval sets how often download progress reaches the core.
// Defaults to DefaultProgressInterval (also for 0 and negative values).
func WithProgressInterval(d time.Duration) Option { return func(o *options) { o.progress = d } }

// WithCMCD sets how Common Media Client Data goes with every request:
// transport.CMCDQuery (the default), CMCDHeaders or CMCDOff. The default
// fetcher sends it in this mode; a fetcher given by WithFetcher gets
// Request.CMCD unless the mode is CMCDOff, and sends it in its own mode.
func WithCMCD(m transport.CMCDMode) Option { return func(o *options) { o.core.CMCD = m } }

// WithSessionID sets the session ID sent as CMCD sid and with telemetry.
// Defaults to a random ID per player.
func WithSessionID(id string) Option { return func(o *options) { o.core.SessionID = id } }

// WithContentID sets the CMCD cid (e.g. the title ID). Default: none.
func WithContentID(id string) Option { return func(o *options) { o.core.ContentID = id } }

// WithTelemetry posts QoE beacons as t says. Default: no telemetry.
func WithTelemetry(t Telemetry) Option { return func(o *options) { o.telemetry = &t } }

// WithProbing probes the n best-ranked edges (of WithEdges) before the
// first media request and starts on the best. Defaults to 0: no probing.
func WithProbing(n int) Option { return func(o *options) { o.core.ProbeEdges = n } }

// WithMinBitrate keeps the ABR at or above bps (bits/s): it chooses from
// the rungs whose bandwidth is at least bps. Defaults to 0: no floor.
// See Constraints for how it combines with the maximum bounds.
func WithMinBitrate(bps int) Option { return func(o *options) { o.quality.MinBitrate = bps } }

// WithMaxResolution keeps the ABR to renditions at most width x height
// pixels, the device's capability (0 for either: no bound on it).
// Defaults to no bound.
func WithMaxResolution(width, height int) Option {
	return func(o *options) { o.quality.MaxWidth, o.quality.MaxHeight = width, height }
}

// WithFixedLevel holds video level (a rung of Player.Levels, 0 the lowest
// bitrate; clamped to the ladder) for the whole session instead of
// running the ABR; Player.SetAutoLevel hands the choice back. Default:
// the ABR chooses. Negative values make New fail.
func WithFixedLevel(level int) Option {
	return func(o *options) { o.fixed, o.fixedLevel = true, level }
}

// WithPreferredAudioLanguage starts with the audio track in lang (BCP 47
// or ISO 639-2: "fr", "fra" and "fr-CA" match one another); a default
// track of that language first. Without a match, or by default, the
// first audio track of the presentation plays.
func WithPreferredAudioLanguage(lang string) Option {
	return func(o *options) { o.audioLang = lang }
}

// applyChoices hands the quality and track options to c.
func (o *options) applyChoices(c *Core) {
	cons := o.quality
	cons.MaxBitrate = o.core.MaxBitrate
	c.SetConstraints(cons)
	if o.fixed {
		c.SetLevel(o.fixedLevel)
	}
	c.SetPreferredAudioLanguage(o.audioLang)
}

func buildOptions(opts []Option) options {
	o := options{progress: DefaultProgressInterval}
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	o.clock = clock.Or(o.clock)
	if o.fetcher == nil {
		// one attempt: the core retries and fails over to other servers
		o.fetcher = transport.NewHTTP(transport.HTTPConfig{MaxAttempts: 1, CMCD: o.core.CMCD})
	}
	if o.core.SessionID == "" {
		o.core.SessionID = randomID()
	}
	o.core.BeaconInterval = -1 // no beacons without a receiver
	if t := o.telemetry; t != nil {
		if t.Session == "" {
			t.Session = o.core.SessionID
		}
		o.core.BeaconInterval = t.Interval
	}
	if o.progress <= 0 {
		o.progress = DefaultProgressInterval
	}
	return o
}

// OptionError is the error New returns for an option value it rejects.
// It wraps ErrBadOption.
type OptionError struct {
	Option string // the option's function, e.g. "WithMaxBitrate"
	Value  any    // the rejected value
	Reason string // what a valid value looks like
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("player: %s(%v): %s", e.Option, e.Value, e.Reason)
}

// Unwrap returns ErrBadOption, so errors.Is(err, ErrBadOption) holds.
func (e *OptionError) Unwrap() error { return ErrBadOption }

// validate rejects option values that have no meaning; zero values mean
// the documented defaults and are accepted.
func (o *options) validate() error {
	c := &o.core
	switch {
	case c.MaxBitrate < 0:
		return &OptionError{"WithMaxBitrate", c.MaxBitrate, "must be >= 0 bits/s (0: no cap)"}
	case c.StartBitrate < 0:
		return &OptionError{"WithStartBitrate", c.StartBitrate, "must be >= 0 bits/s (0: DefaultStartBitrate)"}
	case c.MaxRetries < 0:
		return &OptionError{"WithMaxRetries", c.MaxRetries, "must be >= 0 (0: DefaultMaxRetries)"}
	case c.LiveDelay < 0:
		return &OptionError{"WithLiveDelay", c.LiveDelay, "must be >= 0 (0: the manifest's hold-back)"}
	case c.StartPosition < 0:
		return &OptionError{"WithStartPosition", c.StartPosition, "must be >= 0 (0: the beginning)"}
	case c.CMCD > transport.CMCDOff:
		return &OptionError{"WithCMCD", c.CMCD, "must be transport.CMCDQuery, CMCDHeaders or CMCDOff"}
	case c.ProbeEdges < 0:
		return &OptionError{"WithProbing", c.ProbeEdges, "must be >= 0 (0: no probing)"}
	case o.quality.MinBitrate < 0:
		return &OptionError{"WithMinBitrate", o.quality.MinBitrate, "must be >= 0 bits/s (0: no floor)"}
	case o.quality.MaxWidth < 0 || o.quality.MaxHeight < 0:
		return &OptionError{"WithMaxResolution", [2]int{o.quality.MaxWidth, o.quality.MaxHeight}, "must be >= 0 pixels (0: no bound)"}
	case o.fixed && o.fixedLevel < 0:
		return &OptionError{"WithFixedLevel", o.fixedLevel, "must be >= 0 (0: the lowest bitrate)"}
	}
	if t := o.telemetry; t != nil {
		if u, err := url.Parse(t.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &OptionError{"WithTelemetry", t.URL, "URL must be an absolute http(s) URL"}
		}
		if t.Interval < 0 {
			return &OptionError{"WithTelemetry", t.Interval, "Interval must be >= 0 (0: DefaultBeaconInterval)"}
		}
	}
	return nil
}

// randomID returns 16 random bytes in hex, a session ID.
func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}
