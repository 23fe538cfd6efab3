package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/download"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/transport"
)

// Config is abrkit_player_config in Go terms. Zero fields take the
// player's defaults.
type Config struct {
	ABR           string        // abr.New name; "" is the player's default
	MaxBitrate    int           // bits/s; 0 no cap
	StartBitrate  int           // bits/s; 0 player.DefaultStartBitrate
	MaxRetries    int           // 0 player.DefaultMaxRetries
	NoAutoPlay    bool          // buffer after load, wait for Play
	StartPosition time.Duration // VOD start

	MinBitrate int    // bits/s; 0 no floor
	MaxWidth   int    // pixels; 0 no bound
	MaxHeight  int    // pixels; 0 no bound
	Fixed      bool   // hold Level for the whole session
	Level      int    // with Fixed: the video level (0 the lowest bitrate)
	AudioLang  string // preferred audio language; "" the first track
	TextLang   string // subtitle language to show; "" none
	LicenseURL string // ClearKey license server; "" the MPD's
	Keys       string // fixed content keys in player.ParseKeys form; "" none
}

// options turns c into player options; the ABR name is checked here.
func (c Config) options() ([]player.Option, error) {
	var opts []player.Option
	if c.ABR != "" {
		a, err := abr.New(c.ABR)
		if err != nil {
			return nil, fmt.Errorf("%w: abr %q: %w", errInvalidArg, c.ABR, err)
		}
		opts = append(opts, player.WithABR(a))
	}
	if c.MaxBitrate < 0 || c.StartBitrate < 0 || c.MaxRetries < 0 || c.StartPosition < 0 {
		return nil, fmt.Errorf("%w: negative max_bitrate, start_bitrate, max_retries or start_position", errInvalidArg)
	}
	if c.MinBitrate < 0 || c.MaxWidth < 0 || c.MaxHeight < 0 || (c.Fixed && c.Level < 0) {
		return nil, fmt.Errorf("%w: negative min_bitrate, max_width, max_height or level", errInvalidArg)
	}
	if c.MinBitrate > 0 {
		opts = append(opts, player.WithMinBitrate(c.MinBitrate))
	}
	if c.MaxWidth > 0 || c.MaxHeight > 0 {
		opts = append(opts, player.WithMaxResolution(c.MaxWidth, c.MaxHeight))
	}
	if c.Fixed {
		opts = append(opts, player.WithFixedLevel(c.Level))
	}
	if c.AudioLang != "" {
		opts = append(opts, player.WithPreferredAudioLanguage(c.AudioLang))
	}
	if c.TextLang != "" {
		opts = append(opts, player.WithTextLanguage(c.TextLang))
	}
	if c.MaxBitrate > 0 {
		opts = append(opts, player.WithMaxBitrate(c.MaxBitrate))
	}
	if c.StartBitrate > 0 {
		opts = append(opts, player.WithStartBitrate(c.StartBitrate))
	}
	if c.MaxRetries > 0 {
		opts = append(opts, player.WithMaxRetries(c.MaxRetries))
	}
	if c.NoAutoPlay {
		opts = append(opts, player.WithoutAutoPlay())
	}
	if c.StartPosition > 0 {
		opts = append(opts, player.WithStartPosition(c.StartPosition))
	}
	if c.LicenseURL != "" {
		opts = append(opts, player.WithLicenseURL(c.LicenseURL))
	}
	if c.Keys != "" {
		k, err := player.ParseKeys([]byte(c.Keys))
		if err != nil {
			return nil, fmt.Errorf("%w: keys: %w", errInvalidArg, err)
		}
		if k.AES != nil {
			opts = append(opts, player.WithKeyLoader(k))
		}
		if len(k.ByKID) > 0 {
			opts = append(opts, player.WithLicenseRequester(k))
		}
	}
	return opts, nil
}

// session is one player behind a handle. The player itself is made at the
// first load, so that offline playback can give it a local fetcher; before
// that, commands fail with errNotLoaded and queries answer the idle state.
type session struct {
	cfg  Config
	opts []player.Option
	ev   *dispatcher[player.Event]

	mu      sync.Mutex
	p       *player.Player
	offline *download.Offline // closed with the session
	closed  bool
}

func newSession(cfg Config) (*session, error) {
	opts, err := cfg.options()
	if err != nil {
		return nil, err
	}
	return &session{cfg: cfg, opts: opts, ev: newDispatcher[player.Event]()}, nil
}

// start makes the player for one source; only the first call succeeds.
// extra options (offline keys) come last.
func (s *session) start(fetcher transport.Fetcher, extra ...player.Option) (*player.Player, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return nil, player.ErrClosed
	case s.p != nil:
		return nil, errLoaded
	}
	opts := append([]player.Option{player.WithListener(s.ev)}, s.opts...)
	if fetcher != nil {
		opts = append(opts, player.WithFetcher(fetcher))
	}
	p, err := player.New(append(opts, extra...)...)
	if err != nil {
		return nil, err
	}
	s.p = p
	return p, nil
}

// load plays the manifest at url; it returns when the presentation is known.
func (s *session) load(ctx context.Context, url string) error {
	if url == "" {
		return fmt.Errorf("%w: empty url", errInvalidArg)
	}
	p, err := s.start(nil)
	if err != nil {
		return err
	}
	return p.Load(ctx, url)
}

// loadOffline plays the completed download id of m with no network.
func (s *session) loadOffline(ctx context.Context, m *manager, id string) error {
	off, err := m.m.Offline(id)
	if err != nil {
		return err
	}
	var keys []player.Option
	if off.Keys != nil { // a protected download: its stored keys, never the network
		keys = append(keys, player.WithKeyLoader(off.Keys), player.WithLicenseRequester(off.Keys))
	}
	p, err := s.start(off.Fetcher, keys...)
	if err != nil {
		_ = off.Close()
		return err
	}
	s.mu.Lock()
	s.offline = off
	s.mu.Unlock()
	return p.Load(ctx, off.ManifestURL)
}

func (s *session) player() (*player.Player, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return nil, player.ErrClosed
	case s.p == nil:
		return nil, errNotLoaded
	}
	return s.p, nil
}

// do runs a command on the loaded player.
func (s *session) do(f func(p *player.Player)) error {
	p, err := s.player()
	if err != nil {
		return err
	}
	f(p)
	return nil
}

func (s *session) seek(pos time.Duration) error {
	if pos < 0 {
		return fmt.Errorf("%w: negative seek position", errInvalidArg)
	}
	return s.do(func(p *player.Player) { p.Seek(pos) })
}

func (s *session) setABR(name string) error {
	a, err := abr.New(name)
	if err != nil {
		return fmt.Errorf("%w: abr %q: %w", errInvalidArg, name, err)
	}
	return s.do(func(p *player.Player) { p.SetABR(a) })
}

func (s *session) setMaxBitrate(bps int) error {
	if bps < 0 {
		return fmt.Errorf("%w: negative bitrate", errInvalidArg)
	}
	return s.do(func(p *player.Player) { p.SetMaxBitrate(bps) })
}

// status is the player's status; the idle state before load.
func (s *session) status() (player.Status, error) {
	p, err := s.player()
	switch err {
	case nil:
		return p.Status(), nil
	case errNotLoaded:
		name := s.cfg.ABR
		if name == "" {
			name = player.DefaultABR
		}
		return player.Status{State: player.StateIdle, ABR: name}, nil
	}
	return player.Status{}, err
}

// qoe is the session's account; the zero account before load.
func (s *session) qoe() (player.QoE, error) {
	p, err := s.player()
	switch err {
	case nil:
		return p.QoE(), nil
	case errNotLoaded:
		return player.QoE{}, nil
	}
	return player.QoE{}, err
}

// statusJSON is the status with durations in seconds, as `abrkit play` writes them.
func (s *session) statusJSON() ([]byte, error) {
	st, err := s.status()
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		player.Status
		PositionSeconds float64 `json:"position_seconds"`
		BufferedSeconds float64 `json:"buffered_seconds"`
	}{st, st.Position.Seconds(), st.Buffered.Seconds()})
}

func (s *session) qoeJSON() ([]byte, error) {
	q, err := s.qoe()
	if err != nil {
		return nil, err
	}
	return json.Marshal(q)
}

// wait blocks until the session ends, fails or ctx is done.
func (s *session) wait(ctx context.Context) error {
	p, err := s.player()
	if err != nil {
		return err
	}
	return p.Wait(ctx)
}

// poll is wait without waiting: the session's result if it is over, else
// context.DeadlineExceeded.
func (s *session) poll() error {
	if _, err := s.player(); err != nil {
		return err
	}
	st, err := s.status()
	if err != nil {
		return err
	}
	if st.State != player.StateEnded && st.State != player.StateFailed {
		return fmt.Errorf("abrkit: session still %v: %w", st.State, context.DeadlineExceeded)
	}
	return s.wait(context.Background())
}

// close stops the player and then the event dispatcher: no callback starts
// after close returns (except that a close made from inside a callback lets
// that callback finish).
func (s *session) close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	p, off := s.p, s.offline
	s.mu.Unlock()
	var err error
	if p != nil {
		err = p.Close()
	}
	s.ev.close()
	if off != nil {
		if cerr := off.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
