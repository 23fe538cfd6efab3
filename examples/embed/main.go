// Command embed shows a Go application embedding the abrkit player: it
// starts a local server with a packaged CMAF title (a paced origin, so that
// the ABR has a real network to adapt to), plays it headless in real time
// for a few seconds with a listener printing events, and prints the QoE
// account.
//
//	embed [-duration 5s] [-abr bola] [-rate 3M] [-dash] [-format text|json]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/examples/internal/content"
	"github.com/abrkit/abrkit/player"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(1)
	}
}

type config struct {
	duration time.Duration
	segments int
	abr      string
	rate     int
	dash     bool
	format   string
}

func parse(args []string, stderr io.Writer) (config, error) {
	c := config{}
	var rate string
	fs := flag.NewFlagSet("embed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&c.duration, "duration", 5*time.Second, "wall time to play")
	fs.IntVar(&c.segments, "segments", 0, "stop once playing with this many media segments loaded (0: play for -duration)")
	fs.StringVar(&c.abr, "abr", player.DefaultABR, "ABR algorithm")
	fs.StringVar(&rate, "rate", "3M", "server pacing per response, bits/s (0: none)")
	fs.BoolVar(&c.dash, "dash", false, "play the DASH manifest instead of HLS")
	fs.StringVar(&c.format, "format", "text", "text or json")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 || c.duration <= 0 || c.segments < 0 || (c.format != "text" && c.format != "json") {
		return c, errors.New("usage: embed [-duration D>0] [-segments N] [-abr NAME] [-rate B] [-dash] [-format text|json]")
	}
	r, err := player.ParseBitrate(rate)
	if err != nil {
		return c, err
	}
	c.rate = r
	return c, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	c, err := parse(args, stderr)
	if err != nil {
		return err
	}
	algo, err := abr.New(c.abr)
	if err != nil {
		return err
	}

	srv, err := content.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	srv.Rate = int64(c.rate / 8)
	url := srv.HLS("demo")
	if c.dash {
		url = srv.DASH("demo")
	}

	ctx, cancel := context.WithTimeout(context.Background(), c.duration)
	defer cancel()

	// Events arrive on the player's goroutine; keep the listener quick.
	var mu sync.Mutex
	loaded, playing := 0, false
	log := func(e player.Event) {
		switch e.Kind {
		case player.EventSegmentLoaded:
			loaded++
		case player.EventPlaying:
			playing = true
		}
		if playing && c.segments > 0 && loaded >= c.segments {
			cancel() // enough: stop by event, not by the clock
		}
		if e.Kind == player.EventSegmentLoaded {
			return
		}
		if c.format != "text" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		switch e.Kind {
		case player.EventRenditionSwitch:
			fmt.Fprintf(stdout, "%6.2fs %-16v %s -> %s\n", e.At.Seconds(), e.Kind,
				player.FormatBitrate(float64(e.FromBitrate)), player.FormatBitrate(float64(e.Bitrate)))
		default:
			fmt.Fprintf(stdout, "%6.2fs %v\n", e.At.Seconds(), e.Kind)
		}
	}
	p, err := player.New(player.WithABR(algo), player.WithListener(player.ListenerFunc(log)))
	if err != nil {
		return err
	}
	defer p.Close()

	if err := p.Load(ctx, url); err != nil {
		return err
	}
	if err := p.Wait(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return err
	}
	st, q := p.Status(), p.QoE()
	if err := p.Close(); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	if c.format == "json" {
		return json.NewEncoder(stdout).Encode(q)
	}
	fmt.Fprintf(stdout, "\n%s\n", st)
	return q.WriteText(stdout)
}
