package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
	c.AddCommand(newABREvalCmd(), newABRTableCmd())
	return c
}

// abrEvalExamples run from a plain clone (a test runs each of them).
const abrEvalExamples = `  abrkit abr eval --traces testdata/traces/pensieve --video testdata/traces/videos/pensieve \
    --algo bb,robustmpc,auto,optimal --plot out/pensieve-qoe.png
  abrkit abr eval --preset sabre --traces testdata/traces/sabre --video testdata/traces/videos/bbb.json \
    --algo bola,bolae,dynamic,throughput,auto --format json`

func newABREvalCmd() *cobra.Command {
	var (
		preset, traces, video, algos, subset, plotPath, traceFormat string
		dataset, abandon                                            string
		perTrace                                                    bool
		workers                                                     int
	)
	c := &cobra.Command{
		Use:   "eval",
		Short: "Score ABR algorithms with QoE_lin over a folder of traces",
		Long: `eval plays a video over every trace of a folder with each algorithm and
prints the mean QoE_lin, bitrate, rebuffering, switches and abandonments
per algorithm, for all traces and for each data set. A data set is a
subfolder of --traces (or --dataset names one for all); for Pensieve's own
file names, *.log and norway* traces are norway and trace_* are fcc.

Presets: pensieve reproduces the Pensieve simulator (abandonment off);
sabre is Sabre's simulator (abandonment on) and adds Sabre's own metrics
("sabre" in JSON). Under sabre, ` + strings.Join(eval.SabreNames(), ", ") + ` are Sabre's
algorithms; abrkit's of the same name are ` + eval.OursPrefix + `bola and so on.

Algorithms: ` + strings.Join(abr.Names(), ", ") + `, optimal (offline optimum).`,
		Example: abrEvalExamples,
		Args:    cobra.NoArgs,
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
				if err := eval.CheckAlgorithm(cfg.Rules, n); err != nil {
					return badInput(fmt.Errorf("--algo: %w", err))
				}
			}
			switch abandon {
			case "on", "off":
				cfg.Abandon = abandon == "on"
			case "", "auto":
			default:
				return usageErrorf("--abandon %q: want auto, on or off", abandon)
			}
			if plotPath != "" && !strings.HasSuffix(plotPath, ".png") && !strings.HasSuffix(plotPath, ".svg") {
				return usageErrorf("--plot %q: %v", plotPath, eval.ErrPlotFormat)
			}
			tf := eval.TraceFormat(preset)
			if traceFormat != "" {
				tf = trace.Format(traceFormat)
			}
			trs, err := trace.LoadTree(traces, tf)
			if err != nil {
				return badInput(err)
			}
			subsetBy := setSubsets(&cfg, trs, traces, dataset)
			if sel := eval.Filter(cfg, trs, subset); len(sel) > 0 {
				trs = sel
			} else {
				return badInput(fmt.Errorf("--subset %q: no such data set in %s (found: %s)", subset, traces, strings.Join(subsetNames(cfg, trs), ", ")))
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
			rep.SubsetBy = subsetBy
			if plotPath != "" {
				if err := os.MkdirAll(filepath.Dir(plotPath), 0o755); err != nil {
					return err
				}
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
	f.StringVar(&subset, "subset", "", "evaluate one subset (data set) only, e.g. fcc, norway, hd_fs")
	f.StringVar(&dataset, "dataset", "", "name of the data set of every trace (default: each trace's folder under --traces, else Pensieve's file names, else the --traces folder's name)")
	f.StringVar(&abandon, "abandon", "auto", "abandonment of downloads in flight: auto (the preset's: on for sabre, off for pensieve), on or off")
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

// setSubsets decides how traces are grouped into data sets and returns
// how, for the report: "flag" (--dataset), "folder" (each trace's folder
// under --traces), "file_name" (Pensieve's file names) or
// "traces_folder" (the name of --traces itself).
func setSubsets(cfg *eval.Config, trs []*trace.Trace, traces, dataset string) string {
	if dataset != "" {
		cfg.Subset = func(string) string { return dataset }
		return "flag"
	}
	byName := cfg.Subset
	fallback := filepath.Base(filepath.Clean(traces))
	cfg.Subset = func(name string) string {
		if byName != nil {
			if s := byName(name); s != "" {
				return s
			}
		}
		return fallback
	}
	how := map[string]bool{}
	for _, t := range trs {
		switch {
		case eval.DirSubset(t.Name) != "":
			how["folder"] = true
		case byName != nil && byName(t.Name) != "":
			how["file_name"] = true
		default:
			how["traces_folder"] = true
		}
	}
	var out []string
	for _, k := range []string{"folder", "file_name", "traces_folder"} {
		if how[k] {
			out = append(out, k)
		}
	}
	return strings.Join(out, ",")
}

func subsetNames(cfg eval.Config, trs []*trace.Trace) []string {
	var out []string
	for _, t := range trs {
		if n := cfg.Subset(t.Name); !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
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
