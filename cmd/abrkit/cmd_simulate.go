package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/abrkit/abrkit/simulator"
	"github.com/abrkit/abrkit/simulator/backend/topology"
	"github.com/abrkit/abrkit/simulator/live"
	"github.com/abrkit/abrkit/simulator/scenario"
)

func newSimulateCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "simulate SCENARIO",
		Short: "Run a load scenario of virtual viewers and judge its SLOs",
		Long: `Run a scenario of viewers against the backend and judge its SLOs.

In virtual mode (the default) every viewer is the real player core driven in
virtual time over a modelled network, so thousands of viewers run faster than
real time on one machine. Flags override the scenario file.

Exit codes: 0 every SLO held, 1 an SLO breached (or the run failed),
2 bad usage or an invalid scenario.`,
		Example: `  abrkit simulate scenarios/quickstart.yaml
  abrkit simulate scenarios/flash-crowd.yaml --viewers 100000 --out out/flash
  abrkit simulate scenarios/live-event.yaml --viewers 1000 --watch-time 30s
  abrkit simulate scenarios/quickstart.yaml --shard 0/4 --out out/shard-0 --format json
  abrkit simulate scenarios/quickstart.yaml --emit k8s-job --shards 8 --seed 7 > job.yaml
  abrkit simulate scenarios/quickstart.yaml --emit k8s-merge --shards 8 > merge.yaml`,
		Args: cobra.ExactArgs(1),
	}
	format := formatFlag(c)
	f := c.Flags()
	mode := f.String("mode", "", "virtual or live (default: the scenario's mode); live runs real players in real time against the reference backend on loopback")
	viewers := f.Int("viewers", 0, "number of viewers (default: the scenario's)")
	watch := f.Duration("watch-time", 0, "constant watch time per viewer (default: the scenario's distribution)")
	seed := f.Uint64("seed", 0, "random seed (default: the scenario's)")
	out := f.String("out", "", "directory for results.json, qoe.jsonl, summary.json, report.html, requests.bin (default out/SCENARIO-NAME; --out= for none)")
	reqs := f.Bool("requests", true, "with --out: write every request in vegeta's encoding to requests.bin")
	shard := f.String("shard", "", "run one slice INDEX/COUNT of the viewers (e.g. 0/4); merge with abrkit report merge")
	emit := f.String("emit", "", "print a deployment instead of running: k8s-job (results claim and shard Job), k8s-merge (the Job that merges them)")
	shards := f.Int("shards", 4, "with --emit: number of shards (pods)")
	image := f.String("image", simulator.DefaultImage, "with --emit k8s-job: container image")
	kube := k8sFlags(f)
	quiet := f.Bool("quiet", false, "no progress bar on stderr")
	gateway := f.String("gateway", "", "live mode: play against this running reference backend's gateway (abrkit serve) instead of starting one")
	admin := f.String("admin", "", "with --gateway: that backend's admin listener URL, through which the scenario's faults are scheduled")
	adminToken := f.String("admin-token", "", "admin bearer token (default $ABRKIT_ADMIN_TOKEN)")
	cpuprofile := f.String("cpuprofile", "", "write a CPU profile of the run to this file")
	var budgetFlag string
	memoryBudgetFlag(c, &budgetFlag, "sets the runtime memory limit (unless GOMEMLIMIT is set) and, in live mode, the embedded backend's "+
		"memory_budget, which sizes its edge caches (default: no limit, since a run's memory grows with its viewers, and the topology's budget)")
	var statsFile string
	runtimeStatsFlag(c, &statsFile)
	calibrate := f.Bool("calibrate", false, "run the scenario in virtual time and then live, compare QoE and latency, exit 1 when a metric is outside its tolerance (use a small scenario, e.g. scenarios/calibrate.yaml)")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(*format); err != nil {
			return err
		}
		if *mode != "" && *mode != "virtual" && *mode != "live" {
			return usageErrorf("--mode must be virtual or live, not %q", *mode)
		}
		if *viewers < 0 || *viewers > scenario.MaxViewers {
			return usageErrorf("--viewers must be 1..%d", scenario.MaxViewers)
		}
		if *watch < 0 {
			return usageErrorf("--watch-time must be positive")
		}
		budget, err := parseBudget(budgetFlag)
		if err != nil {
			return err
		}
		s, err := scenario.Load(args[0], scenarioOptions()...)
		if err != nil {
			return badInput(err)
		}
		if budget > 0 && s.Topology != nil {
			s.Topology.MemoryBudget = topology.ByteSize(budget)
		}
		if *emit != "" {
			emitter, ok := map[string]func(simulator.K8sSpec) ([]byte, error){
				"k8s-job": simulator.K8sJob, "k8s-merge": simulator.K8sMergeJob}[*emit]
			if !ok {
				return usageErrorf("--emit must be k8s-job or k8s-merge, not %q", *emit)
			}
			kube.Scenario, kube.Name, kube.Shards, kube.Image = args[0], s.Name, *shards, *image
			kube.Args = passThrough(cmd.Flags())
			y, err := emitter(*kube)
			if err != nil {
				return badInput(err)
			}
			_, err = cmd.OutOrStdout().Write(y)
			return err
		}
		if !cmd.Flags().Changed("out") && !*calibrate {
			*out = simulator.DefaultOut(s.Name)
		}
		cfg := simulator.Config{Mode: *mode, Viewers: *viewers, WatchTime: *watch, Out: *out, Requests: *reqs && *out != "",
			Gateway: *gateway, Admin: *admin, AdminToken: cmp.Or(*adminToken, os.Getenv("ABRKIT_ADMIN_TOKEN"))}
		if cfg.Gateway != "" && cmp.Or(cfg.Mode, s.Mode) != "live" {
			return usageErrorf("--gateway plays against a running backend in live mode: add --mode live")
		}
		if cfg.Admin != "" && (cfg.Gateway == "" || cfg.AdminToken == "") {
			return usageErrorf("--admin needs --gateway and an admin token (--admin-token or ABRKIT_ADMIN_TOKEN)")
		}
		if cmd.Flags().Changed("seed") {
			cfg.Seed = seed
		}
		if *shard != "" {
			if cfg.Shard, cfg.Shards, err = simulator.ParseShard(*shard); err != nil {
				return badInput(err)
			}
		}
		mem := setMemoryLimit(budget, os.Getenv)
		stopStats, err := startRuntimeStats(statsFile)
		if err != nil {
			return usageErrorf("--runtime-stats: %v", err)
		}
		defer stopStats()
		if !*quiet {
			cfg.Progress = cmd.ErrOrStderr()
			cfg.TTY = isTerminal(cfg.Progress)
			b := "no memory budget"
			if budget > 0 {
				b = "memory budget " + sizeText(budget)
			}
			fmt.Fprintf(cfg.Progress, "abrkit simulate: %s, %s\n", b, mem)
		}
		if *cpuprofile != "" {
			pf, err := os.Create(*cpuprofile)
			if err != nil {
				return err
			}
			defer pf.Close()
			if err := pprof.StartCPUProfile(pf); err != nil {
				return err
			}
			defer pprof.StopCPUProfile()
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		if *calibrate {
			rep, err := simulator.Calibrate(ctx, s, cfg)
			if err != nil {
				return err
			}
			if *format == "json" {
				err = writeJSON(cmd.OutOrStdout(), rep)
			} else {
				err = simulator.WriteCalibration(cmd.OutOrStdout(), rep)
			}
			if err != nil {
				return err
			}
			return rep.Err()
		}
		_, sum, err := simulator.RunContext(ctx, s, cfg)
		if sum == nil {
			if errors.Is(err, simulator.ErrLive) {
				return usageErrorf("%v: use --mode live", err)
			}
			if errors.Is(err, live.ErrJourneyBackend) || errors.Is(err, live.ErrFaultsNeedAdmin) {
				return usageErrorf("%v", err)
			}
			return err
		}
		w := cmd.OutOrStdout()
		if *format == "json" {
			if werr := writeJSON(w, sum); werr != nil {
				return werr
			}
		} else if werr := sum.WriteText(w); werr != nil {
			return werr
		}
		if *out != "" && *format == "text" {
			fmt.Fprintf(w, "results in %s (report.html)\n", *out)
		}
		return err
	}
	return c
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// k8sFlags are the --emit options for the results volume.
func k8sFlags(f *pflag.FlagSet) *simulator.K8sSpec {
	k := &simulator.K8sSpec{}
	f.StringVar(&k.Results, "results-claim", "", "with --emit: PersistentVolumeClaim the shards write to (default NAME-results)")
	f.StringVar(&k.Size, "results-size", simulator.DefaultResultsSize, "with --emit k8s-job: size of the results claim")
	f.StringVar(&k.StorageClass, "storage-class", "", "with --emit k8s-job: storage class of the results claim (needs ReadWriteMany; default: the cluster's)")
	return k
}

// notPassed are the simulate flags that describe the deployment or the
// local run rather than the scenario, so --emit does not hand them to
// the pods (which set --shard, --out, --format and --quiet themselves).
var notPassed = map[string]bool{"emit": true, "shards": true, "image": true, "results-claim": true, "results-size": true,
	"storage-class": true, "shard": true, "out": true, "format": true, "quiet": true, "cpuprofile": true, "calibrate": true,
	"runtime-stats": true, "admin-token": true} // a secret: pods take ABRKIT_ADMIN_TOKEN from theirs

// passThrough is every simulate flag set on the command line, but those
// of notPassed, as --name=value for the pods.
func passThrough(fs *pflag.FlagSet) []string {
	var out []string
	fs.Visit(func(fl *pflag.Flag) {
		if !notPassed[fl.Name] {
			out = append(out, "--"+fl.Name+"="+fl.Value.String())
		}
	})
	return out
}
