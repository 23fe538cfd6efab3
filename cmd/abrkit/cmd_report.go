package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/abrkit/abrkit/simulator"
	"github.com/abrkit/abrkit/simulator/report"
	"github.com/abrkit/abrkit/simulator/results"
)

func newReportCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "report",
		Short: "Merge and render simulation reports",
	}
	c.AddCommand(newReportMergeCmd(), newReportHTMLCmd())
	return c
}

func newReportMergeCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "merge DIR...",
		Short: "Merge shard results exactly and judge the SLOs on the merged data",
		Long: `Merge the output directories of sharded runs (abrkit simulate --shard i/N --out DIR):
QoE records are concatenated, latency histograms merged exactly, timelines and
counters summed, and the SLOs judged again on the merged data.

Exit codes: 0 every SLO held, 1 an SLO breached, 2 bad input.`,
		Example: `  abrkit simulate scenarios/quickstart.yaml --shard 0/2 --out out/shard-0 --quiet
  abrkit simulate scenarios/quickstart.yaml --shard 1/2 --out out/shard-1 --quiet
  abrkit report merge out/shard-0 out/shard-1 --out out/merged`,
		Args: cobra.MinimumNArgs(1),
	}
	format := formatFlag(c)
	out := c.Flags().String("out", "", "write the merged results (and report.html) to this directory")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(*format); err != nil {
			return err
		}
		res, err := simulator.Merge(args)
		if err != nil {
			return badInput(err)
		}
		sum, err := simulator.Finish(res, *out)
		if sum == nil {
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
		return err
	}
	return c
}

func newReportHTMLCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "html DIR",
		Short: "Render report.html from a results directory",
		Example: `  abrkit simulate scenarios/quickstart.yaml --viewers 50 --watch-time 20s --out out/quick --quiet
  abrkit report html out/quick --out out/quick/again.html`,
		Args: cobra.ExactArgs(1),
	}
	output := c.Flags().StringP("out", "o", "", "file to write (default DIR/report.html)")
	// --output was the flag's first name; kept so that scripts keep working.
	c.Flags().StringVar(output, "output", "", "file to write")
	_ = c.Flags().MarkHidden("output")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		res, err := results.ReadDir(args[0])
		if err != nil {
			return badInput(err)
		}
		path := *output
		if path == "" {
			path = filepath.Join(args[0], simulator.ReportFile)
		}
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := report.WriteHTML(f, res, res.Summarize()); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintln(cmd.OutOrStdout(), path)
		return nil
	}
	return c
}
