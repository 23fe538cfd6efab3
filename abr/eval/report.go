package eval

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// WriteText writes the report as aligned tables: all traces, then each
// subset.
func (r *Report) WriteText(w io.Writer) error {
	section := func(title string, n int, rs []Result) error {
		fmt.Fprintf(w, "%s (%d traces)\n", title, n)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "algo\tmean QoE\tbitrate kbps\trebuffer s\tswitches\t\n")
		for _, x := range rs {
			fmt.Fprintf(tw, "%s\t%.2f\t%.1f\t%.2f\t%.2f\t\n", x.Algo, x.MeanQoE, x.MeanBitrateKbps, x.MeanRebufferS, x.MeanSwitches)
		}
		return tw.Flush()
	}
	if err := section(fmt.Sprintf("preset %s, all", r.Preset), r.Traces, r.Results); err != nil {
		return err
	}
	for _, s := range r.Subsets {
		fmt.Fprintln(w)
		if err := section("subset "+s.Name, s.Traces, s.Results); err != nil {
			return err
		}
	}
	return nil
}

// Plot draws the per-trace QoE distribution (CDF) of every algorithm into
// path (.png or .svg). The report must hold per-trace results.
func (r *Report) Plot(path string) error {
	ext := strings.ToLower(path[strings.LastIndexByte(path, '.')+1:])
	if ext != "png" && ext != "svg" {
		return fmt.Errorf("plot %s: %w", path, ErrPlotFormat)
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("QoE_lin per trace (%s, %d traces)", r.Preset, r.Traces)
	p.X.Label.Text = "QoE per trace"
	p.Y.Label.Text = "CDF"
	p.Add(plotter.NewGrid())
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, res := range r.Results {
		if len(res.PerTrace) == 0 {
			return fmt.Errorf("plot: %s: %w", res.Algo, ErrNoPerTrace)
		}
		q := make([]float64, len(res.PerTrace))
		for j, t := range res.PerTrace {
			q[j] = t.QoE
		}
		slices.Sort(q)
		lo = math.Min(lo, q[len(q)/20]) // 5th percentile: outage traces would squash the plot
		hi = math.Max(hi, q[len(q)-1])
		pts := make(plotter.XYs, len(q))
		for j, v := range q {
			pts[j] = plotter.XY{X: v, Y: float64(j+1) / float64(len(q))}
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		l.Color = plotutil.Color(i)
		l.Dashes = plotutil.Dashes(i)
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s (mean %.1f)", res.Algo, res.MeanQoE), l)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.Y.Min, p.Y.Max = 0, 1
	if lo < hi {
		p.X.Min, p.X.Max = lo-0.05*(hi-lo), hi+0.05*(hi-lo)
		p.X.Label.Text = "QoE per trace (axis from the 5th percentile)"
	}
	return p.Save(8*vg.Inch, 5*vg.Inch, path)
}
