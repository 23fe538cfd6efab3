// Command minimal is the smallest application embedding the abrkit player:
// it plays an HLS or DASH URL headless and prints the QoE account as JSON.
// It imports nothing but the player and the standard library, and is the
// program whose binary size docs/embedding.md reports.
//
//	minimal URL [DURATION]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/abrkit/abrkit/player"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "minimal:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	if len(args) < 1 || len(args) > 2 {
		return errors.New("usage: minimal URL [DURATION]")
	}
	d := 10 * time.Second
	if len(args) == 2 {
		var err error
		if d, err = time.ParseDuration(args[1]); err != nil || d <= 0 {
			return fmt.Errorf("duration %q: want a positive Go duration such as 10s", args[1])
		}
	}
	p, err := player.New()
	if err != nil {
		return err
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := p.Load(ctx, args[0]); err != nil {
		return err
	}
	if err := p.Wait(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return json.NewEncoder(stdout).Encode(p.QoE())
}
