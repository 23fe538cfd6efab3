// Command abrplay is the desktop demo player: it plays an HLS or DASH
// stream with the abrkit player, decodes with ffmpeg, and draws live
// charts of the ABR at work (throughput estimate against selected bitrate,
// buffer, ladder, edge ranking, stalls).
//
//	abrplay --serve --content testdata/content    # embedded backend, real content
//	abrplay http://127.0.0.1:8080/t1/master.m3u8
//	abrplay testdata/content/hls/master.m3u8
//
// Keys: space play/pause, ←/→ seek 10 s, click the seek bar (pointing at
// it shows a thumbnail when the stream has trick play), T subtitles, O overlay,
// A next ABR algorithm, N network throttle, K kill the edge in use
// (--serve), R restart killed edges, Q or Esc quit.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/audio"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/cmd/abrplay/ffdec"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/transport"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "abrplay:", err)
		if errors.As(err, new(*inputError)) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// inputError is bad usage or input: exit code 2.
type inputError struct{ err error }

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

type config struct {
	source     string
	serve      bool
	gateway    string
	offline    string
	out        string
	user       string
	password   string
	content    string
	title      string
	dash       bool
	abr        string
	mute       bool
	overlay    bool
	width      int
	height     int
	exitAfter  time.Duration
	screenshot string
	throttle   string
	textLang   string
}

const usage = `abrplay plays an HLS or DASH stream and shows the ABR at work.

Usage:
  abrplay [flags] URL|MANIFEST
  abrplay [flags] --serve [--content DIR] [--title ID]
  abrplay [flags] --gateway URL [--title ID]
  abrplay [flags] --offline ID [--out DIR]

Examples:
  make content && abrplay --serve --content testdata/content
  abrplay testdata/content/hls/master.m3u8
  abrplay --gateway http://127.0.0.1:8080 --title t1     # a running 'abrkit serve'
  abrplay --abr bola https://example.com/master.m3u8

Keys: space play/pause, left/right seek 10 s, click the seek bar (pointing at
it shows a thumbnail), T next subtitle track, O overlay,
A next ABR algorithm, N network throttle (unlimited, 4, 2, 1 Mbps, 500 kbps),
K kill the edge in use (--serve), R restart killed edges, Q or Esc quit.

Without ffmpeg it still runs and shows the charts over a placeholder.

Flags:
`

func parseArgs(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("abrplay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.BoolVar(&c.serve, "serve", false, "start the embedded reference backend and play one of its titles")
	fs.StringVar(&c.gateway, "gateway", "", "play a title from a running 'abrkit serve' (or compatible) gateway, e.g. http://127.0.0.1:8080")
	fs.StringVar(&c.offline, "offline", "", "play download ID from the --out folder of 'abrkit download', with no network")
	fs.StringVar(&c.out, "out", "downloads", "with --offline: the downloads folder")
	fs.StringVar(&c.user, "user", "demo", "with --gateway: user to log in as")
	fs.StringVar(&c.password, "password", "demo", "with --gateway: password")
	fs.StringVar(&c.content, "content", "testdata/content", "with --serve: directory of real content (from 'make content')")
	fs.StringVar(&c.title, "title", "", "with --serve or --gateway: title to play (default: the first)")
	fs.BoolVar(&c.dash, "dash", false, "with --serve or --gateway: play the DASH manifest instead of HLS")
	fs.StringVar(&c.abr, "abr", "auto", "ABR algorithm: "+strings.Join(abr.Names(), ", "))
	fs.BoolVar(&c.mute, "mute", false, "no audio output")
	fs.BoolVar(&c.overlay, "overlay", true, "show the chart overlay at start (O toggles)")
	size := fs.String("size", "1280x720", "window size WxH")
	fs.StringVar(&c.throttle, "throttle", "unlimited", "start with this network setting: unlimited, 4 Mbps, 2 Mbps, 1 Mbps, 500 kbps")
	fs.DurationVar(&c.exitAfter, "exit-after", 0, "quit after this long (demos and tests)")
	fs.StringVar(&c.screenshot, "screenshot", "", "on exit, write the last frame as PNG to this file")
	fs.StringVar(&c.textLang, "text-lang", "", "show the subtitles in this language (e.g. en); T cycles the text tracks")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, &inputError{err}
	}
	if _, err := fmt.Sscanf(*size, "%dx%d", &c.width, &c.height); err != nil || c.width < 320 || c.height < 240 {
		return c, &inputError{fmt.Errorf("--size %q: want WxH of at least 320x240", *size)}
	}
	if _, err := abr.New(c.abr); err != nil {
		return c, &inputError{fmt.Errorf("--abr: %w", err)}
	}
	if throttleIndex(c.throttle) < 0 {
		return c, &inputError{fmt.Errorf("--throttle %q: want one of unlimited, 4 Mbps, 2 Mbps, 1 Mbps, 500 kbps", c.throttle)}
	}
	modes := 0
	for _, on := range []bool{c.serve, c.gateway != "", c.offline != ""} {
		if on {
			modes++
		}
	}
	switch {
	case modes > 1:
		return c, &inputError{errors.New("--serve, --gateway and --offline exclude each other")}
	case fs.NArg() == 1 && modes == 0:
		c.source = fs.Arg(0)
	case fs.NArg() == 0 && modes == 1:
	default:
		fs.Usage()
		return c, &inputError{errors.New("give one URL or manifest, or --serve, --gateway URL or --offline ID")}
	}
	return c, nil
}

func throttleIndex(name string) int {
	for i, s := range throttleSteps {
		if strings.EqualFold(s.name, name) {
			return i
		}
	}
	return -1
}

func run(args []string, stdout, stderr io.Writer) error {
	cfg, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	src, err := openSource(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer src.close()

	g := &game{src: src, hist: &history{}, out: stdout, start: time.Now(), w: cfg.width, h: cfg.height,
		canvas: image.NewRGBA(image.Rect(0, 0, cfg.width, cfg.height)), overlay: cfg.overlay,
		abrNames: abr.Names(), exitAfter: cfg.exitAfter, screenshot: cfg.screenshot}
	for i, n := range g.abrNames {
		if n == cfg.abr {
			g.abrIdx = i
		}
	}
	var base transport.Fetcher = transport.NewHTTP(transport.HTTPConfig{MaxAttempts: 1})
	if src.fetcher != nil {
		base = src.fetcher
	}
	g.thr = newThrottle(base)
	g.thrIdx = throttleIndex(cfg.throttle)
	g.thr.set(throttleSteps[g.thrIdx].bps)

	algo, _ := abr.New(cfg.abr)
	g.subs, g.ctx = &subtitles{}, ctx
	opts := []player.Option{player.WithABR(algo), player.WithFetcher(g.thr), player.WithEdges(src.edges),
		player.WithTextLanguage(cfg.textLang), player.WithTextOutput(g.subs),
		player.WithListener(player.ListenerFunc(func(e player.Event) {
			switch e.Kind {
			case player.EventStallStart:
				g.hist.stall(g.elapsed())
			case player.EventServerChange:
				g.note(fmt.Sprintf("server change %s -> %s (%s)", e.FromServer, e.Server, e.Reason))
			case player.EventFirstFrame:
				fmt.Fprintf(stdout, "first_frame startup=%.2f\n", e.Stall.Seconds())
			}
		}))}

	dctx, cancelDecoders := context.WithCancel(ctx)
	defer cancelDecoders()
	var decoders []player.Decoder
	if ff, err := ffdec.Find(); err != nil {
		g.message = "ffmpeg not found: no picture, charts only (apt-get install ffmpeg)"
		fmt.Fprintln(stderr, "abrplay:", err)
	} else {
		g.vid = newVideo(ffdec.New(ff, cfg.width, cfg.height))
		decoders = append(decoders, g.vid)
	}
	var aud *audioPipe
	if g.vid != nil && !cfg.mute && soundDevice() {
		ff, _ := ffdec.Find()
		aud = newAudio(ffdec.New(ff, 16, 16), nil, nil)
		decoders = append(decoders, aud)
	}
	if len(decoders) > 0 {
		opts = append(opts, player.WithDecoder(player.DecoderFunc(func(m player.Media) error {
			for _, d := range decoders {
				if err := d.Decode(m); err != nil {
					return err
				}
			}
			return nil
		})))
	}
	p, err := player.New(opts...)
	if err != nil {
		return err
	}
	defer p.Close()
	g.p = p
	g.thumbs = &thumbView{p: p}
	if ff, err := ffdec.Find(); err == nil {
		g.thumbs.ffmpeg = ff
	}
	// Decoder goroutines start once the player exists: they read its playhead.
	pos := func() time.Duration { return p.Position() }
	if g.vid != nil {
		go g.vid.run(dctx, pos)
	}
	if aud != nil {
		aud.pos, aud.playing = pos, func() bool { return p.State() == player.StatePlaying }
		go aud.run(dctx)
		ac := audio.NewContext(ffdec.AudioRate)
		if ap, err := ac.NewPlayer(aud); err == nil {
			ap.SetBufferSize(100 * time.Millisecond)
			ap.Play()
		}
	}
	lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	fmt.Fprintln(stdout, "loading", src.url)
	if err := p.Load(lctx, src.url); err != nil {
		return fmt.Errorf("load %s: %w", src.url, err)
	}
	go func() {
		<-ctx.Done()
		g.quit.Store(true)
	}()

	ebiten.SetWindowSize(cfg.width, cfg.height)
	ebiten.SetWindowTitle("abrplay")
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	runErr := ebiten.RunGame(g)
	if cfg.screenshot != "" {
		if err := g.saveScreenshot(cfg.screenshot); err != nil {
			return err
		}
	}
	q := p.QoE()
	fmt.Fprintf(stdout, "qoe startup=%.2fs stalls=%d stall_time=%.2fs bitrate=%.0f switches=%d\n",
		q.StartupTime.Seconds(), q.Stalls, q.StallTime.Seconds(), q.AvgBitrate, q.Switches)
	if errors.Is(runErr, ebiten.Termination) {
		return nil
	}
	return runErr
}

// soundDevice reports whether ALSA has a device; under Xvfb in CI it has
// none, and the player runs muted.
func soundDevice() bool {
	ents, err := os.ReadDir("/dev/snd")
	return err == nil && len(ents) > 0
}
