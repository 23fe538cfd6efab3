package main

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/spf13/cobra"

	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/journey"
)

func newJourneyCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "journey",
		Short: "Drive a backend with viewer journeys (browse, search, details, play, heartbeats)",
		Long: `A journey is a weighted graph of steps, each an HTTP request with
{{var}} templating, a status check and JSON fields extracted into variables,
followed by a think time. Without a FILE the default journey runs against
abrkit serve; a FILE of your own steps drives any HTTP service.`,
	}
	c.AddCommand(newJourneyRunCmd(), newJourneyValidateCmd(), newJourneyShowCmd())
	return c
}

func loadJourney(args []string) (*journey.Journey, error) {
	if len(args) == 0 {
		return journey.Default(), nil
	}
	j, err := journey.Load(args[0])
	if errors.Is(err, journey.ErrInvalid) {
		return nil, badInput(err)
	}
	return j, err
}

func newJourneyRunCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "run [FILE]",
		Short: "Walk a journey live with N viewers; exit 1 when an SLO is breached",
		Long: `Runs N viewers through the journey against --target for --duration; a
viewer who exits is replaced, so N stay busy. Prints per-step requests,
failures, availability and latency percentiles (HDR histograms), and judges
the journey's SLOs (api.<step>.latency.pNN, api.<step>.availability) or
those given with --slo. --window adds p99 and failures per step over time;
--fault schedules faults on the backend's admin API from the run's start
(targets of abrkit serve: edges, auth, playback, steering, telemetry, home,
rows, search, details, heartbeat, cache-0..3, datastore,
heartbeat-consumers).

Exit codes: 0 every SLO held, 1 an SLO breached (or the run failed),
2 bad usage or a bad journey file.`,
		Example: `  abrkit journey run --target http://127.0.0.1:8080 --viewers 20 --duration 5s
  abrkit journey run --target http://127.0.0.1:8080 --viewers 50 --duration 5s --format json --slo "api.home.latency.p99 < 300ms"`,
		Args: cobra.MaximumNArgs(1),
	}
	f := c.Flags()
	target := f.String("target", "", "base URL of the service ({{base}} in the journey), e.g. http://127.0.0.1:8080")
	viewers := f.Int("viewers", 100, "viewers kept busy at once")
	duration := f.Duration("duration", time.Minute, "how long to run")
	ramp := f.Duration("ramp", 0, "spread the viewers' starts over this long (default min(duration/10, 30s))")
	timeout := f.Duration("timeout", 10*time.Second, "bound on one request")
	seed := f.Uint64("seed", 1, "random seed of the walk")
	slos := f.StringArray("slo", nil, `objective replacing the journey's SLOs (repeatable), e.g. "api.home.latency.p99 < 300ms"`)
	window := f.Duration("window", 0, "also report each step per window of this length (p99 and failures over time)")
	faultSpecs := f.StringArray("fault", nil, `fault to schedule through the admin API, "AT TARGET KIND [ARG]" (repeatable), e.g. "150s cache-0 kill", "60s datastore slow 200ms"`)
	admin := f.String("admin", "", "admin listener URL of the backend, for --fault (token from ABRKIT_ADMIN_TOKEN or --admin-token)")
	adminToken := f.String("admin-token", "", "admin bearer token (default $ABRKIT_ADMIN_TOKEN)")
	format := formatFlag(c)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(*format); err != nil {
			return err
		}
		if *target == "" {
			return usageErrorf("--target is required (the service's base URL)")
		}
		if *viewers < 1 || *viewers > journey.MaxViewers || *duration <= 0 || *ramp < 0 || *timeout <= 0 {
			return usageErrorf("--viewers must be 1-%d and --duration, --timeout positive", journey.MaxViewers)
		}
		j, err := loadJourney(args)
		if err != nil {
			return err
		}
		objs := j.SLOs
		if len(*slos) > 0 {
			objs = *slos
		}
		for _, o := range objs {
			if _, err := journey.ParseSLO(o); err != nil {
				return badInput(err)
			}
		}
		if *window < 0 {
			return usageErrorf("--window must not be negative")
		}
		var fs []faults.Request
		for _, spec := range *faultSpecs {
			r, err := parseJourneyFault(spec)
			if err != nil {
				return usageErrorf("%v", err)
			}
			fs = append(fs, r)
		}
		tok := cmp.Or(*adminToken, os.Getenv("ABRKIT_ADMIN_TOKEN"))
		if len(fs) > 0 && (*admin == "" || tok == "") {
			return usageErrorf("--fault needs --admin URL and an admin token (--admin-token or ABRKIT_ADMIN_TOKEN)")
		}
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
		defer stop()
		if err := scheduleFaults(ctx, *admin, tok, fs); err != nil {
			return err
		}
		res, err := journey.Run(ctx, j, journey.Options{Target: *target, Viewers: *viewers, Duration: *duration,
			Ramp: *ramp, Timeout: *timeout, Seed: *seed, Window: *window})
		if err != nil {
			return err
		}
		verdicts, err := res.Judge(objs)
		if err != nil {
			return badInput(err)
		}
		sum := res.Summary(verdicts)
		out := cmd.OutOrStdout()
		if *format == "json" {
			err = writeJSON(out, sum)
		} else {
			err = sum.WriteText(out)
		}
		if err != nil {
			return err
		}
		breached := 0
		for _, v := range verdicts {
			if !v.Held {
				breached++
			}
		}
		if breached > 0 {
			return fmt.Errorf("%d of %d SLOs breached", breached, len(verdicts))
		}
		return nil
	}
	return c
}

func newJourneyValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "validate FILE...",
		Short:   "Check journey files strictly; errors name file and line",
		Example: `  abrkit journey validate simulator/journey/testdata/adapter.yaml`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var errs []error
			for _, a := range args {
				j, err := journey.Load(a)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (%d steps, start %s, %d SLOs)\n", a, len(j.Order), j.Start, len(j.SLOs))
			}
			if err := errors.Join(errs...); err != nil {
				return badInput(err)
			}
			return nil
		},
	}
}

func newJourneyShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "show",
		Short:   "Print the default journey, a starting point for your own",
		Example: `  abrkit journey show`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write(journey.DefaultYAML())
			return err
		},
	}
}
