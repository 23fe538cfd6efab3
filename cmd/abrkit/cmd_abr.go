package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/abr/eval"
	"github.com/abrkit/abrkit/abr/trace"
	"github.com/spf13/cobra"
)

func newABRCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "abr",
		Short: "Evaluate ABR algorithms on bandwidth traces",
	}
	c.AddCommand(newABREvalCmd())
	return c
}

func newABREvalCmd() *cobra.Command {
	var (
		preset, traces, video, algos, subset, plotPath, traceFormat string
		perTrace                                                    bool
		workers                                                     int
	)
	c := &cobra.Command{
		Use:   "eval",
		Short: "Score ABR algorithms with QoE_lin over a folder of traces",
		Long: `eval plays a video over every trace of a folder with each algorithm and
prints the mean QoE_lin, bitrate, rebuffering and switches per algorithm,
for all traces and for each subset (pensieve: fcc and norway).

Algorithms: ` + strings.Join(abr.Names(), ", ") + `, optimal (offline optimum).
The pensieve preset reproduces the Pensieve simulator; the sabre preset
reads Sabre's JSON traces (--traces) and video (--video FILE.json).`,
		Example: `  abrkit abr eval --preset pensieve --traces testdata/traces/pensieve/train \
    --video testdata/traces/pensieve/video --algo bb,robustmpc,auto,optimal --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, _ := cmd.Flags().GetString("format")
			if err := checkFormat(format); err != nil {
				return err
			}
			cfg, err := eval.Preset(preset)
			if err != nil {
				return badInput(err)
			}
			if traces == "" || video == "" {
				return usageErrorf("--traces and --video are required")
			}
			names := splitList(algos)
			if len(names) == 0 {
				return usageErrorf("--algo lists no algorithm")
			}
			for _, n := range names {
				if n == abr.Optimal {
					continue
				}
				if _, err := abr.New(n); err != nil {
					return badInput(fmt.Errorf("--algo: %w", err))
				}
			}
			if subset != "" && len(cfg.Subsets) > 0 && !contains(cfg.Subsets, subset) {
				return usageErrorf("--subset %q: preset %s has %s", subset, preset, strings.Join(cfg.Subsets, ", "))
			}
			if plotPath != "" && !strings.HasSuffix(plotPath, ".png") && !strings.HasSuffix(plotPath, ".svg") {
				return usageErrorf("--plot %q: %v", plotPath, eval.ErrPlotFormat)
			}
			tf := eval.TraceFormat(preset)
			if traceFormat != "" {
				tf = trace.Format(traceFormat)
			}
			trs, err := trace.LoadDir(traces, tf)
			if err != nil {
				return badInput(err)
			}
			if preset == "sabre" {
				// Subsets are the traces' folders.
				for _, t := range trs {
					t.Name = traces + string(os.PathSeparator) + t.Name
				}
			}
			trs = eval.Filter(cfg, trs, subset)
			if len(trs) == 0 {
				return badInput(fmt.Errorf("%s: no traces in subset %q", traces, subset))
			}
			v, err := loadVideo(preset, video)
			if err != nil {
				return badInput(err)
			}
			rep, err := eval.Evaluate(cfg, trs, v, names, eval.Options{Workers: workers, PerTrace: perTrace || plotPath != ""})
			if err != nil {
				if errors.Is(err, eval.ErrDeadTrace) {
					return badInput(err)
				}
				return err
			}
			if plotPath != "" {
				if err := rep.Plot(plotPath); err != nil {
					return err
				}
				if !perTrace {
					for i := range rep.Results {
						rep.Results[i].PerTrace = nil
					}
				}
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				return writeJSON(out, rep)
			}
			return rep.WriteText(out)
		},
	}
	f := c.Flags()
	f.StringVar(&preset, "preset", "pensieve", "simulation rules: "+strings.Join(eval.Presets(), " or "))
	f.StringVar(&traces, "traces", "", "folder of trace files")
	f.StringVar(&video, "video", "", "video: folder of Pensieve size files, or a Sabre JSON file")
	f.StringVar(&algos, "algo", "bb,robustmpc,auto,optimal", "comma-separated algorithms")
	f.StringVar(&subset, "subset", "", "evaluate one subset only (pensieve: fcc or norway)")
	f.StringVar(&plotPath, "plot", "", "draw the per-trace QoE CDF into FILE.png or FILE.svg")
	f.StringVar(&traceFormat, "trace-format", "", "override the preset's trace format: pensieve, sabre or mahimahi")
	f.BoolVar(&perTrace, "per-trace", false, "include per-trace results")
	f.IntVar(&workers, "workers", 0, "parallel traces (0: all cores)")
	formatFlag(c)
	return c
}

func loadVideo(preset, path string) (*trace.Video, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return trace.LoadPensieveVideo(path, nil, 0)
	}
	return trace.LoadSabreVideo(path)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
