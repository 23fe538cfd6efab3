package report

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// series is one line of a chart.
type series struct {
	Name string
	X, Y []float64
}

// empty reports whether the series has nothing to draw: no points, or
// only zeros on the y axis.
func (s series) empty() bool {
	for _, y := range s.Y {
		if y != 0 {
			return false
		}
	}
	return true
}

// band is a shaded x-range (a fault window).
type band struct {
	From, To float64
	Label    string
}

// axis is the range of one axis with its ticks at round values.
type axis struct {
	Min, Max float64
	Ticks    []float64
	Fmt      func(float64) string
}

// chart is a line chart: series over shared axes, fault bands shaded.
type chart struct {
	Title, XLabel, YLabel string
	Series                []series
	Bands                 []band
	X, Y                  axis
}

var palette = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"}

const (
	chartW, chartH = 640, 260
	padL, padR     = 64, 130
	padT, padB     = 28, 36
	maxTicks       = 6
)

// niceAxis spans lo..hi with at most maxTicks ticks at multiples of 1, 2,
// 2.5 or 5 times a power of ten, starting at lo (or below it).
func niceAxis(lo, hi float64, f func(float64) string) axis {
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) || math.IsNaN(lo) || math.IsNaN(hi) {
		lo, hi = 0, 1
	}
	if hi <= lo {
		hi = lo + 1
	}
	step := niceStep((hi - lo) / (maxTicks - 1))
	a := axis{Min: math.Floor(lo/step) * step, Fmt: f}
	for v := a.Min; ; v += step {
		v = math.Round(v/step) * step // no drift from repeated addition
		a.Ticks = append(a.Ticks, v)
		if v >= hi-step*1e-9 {
			a.Max = v
			break
		}
	}
	return a
}

// niceStep rounds raw up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*p*(1+1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// shareAxis is the y axis of a CDF: 0 to 100% in quarters.
func shareAxis() axis {
	return axis{Min: 0, Max: 1, Ticks: []float64{0, 0.25, 0.5, 0.75, 1}, Fmt: pct}
}

// extent returns the smallest and largest x and the largest y of ss.
func extent(ss []series) (minX, maxX, maxY float64) {
	minX, maxX = math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		for i := range s.X {
			minX, maxX = math.Min(minX, s.X[i]), math.Max(maxX, s.X[i])
			maxY = math.Max(maxY, s.Y[i])
		}
	}
	return minX, maxX, maxY
}

// svg draws the chart as inline SVG with axes, a legend and bands.
func (c chart) svg() string {
	pw, ph := float64(chartW-padL-padR), float64(chartH-padT-padB)
	px := func(x float64) float64 { return padL + (x-c.X.Min)/(c.X.Max-c.X.Min)*pw }
	py := func(y float64) float64 { return padT + ph - (y-c.Y.Min)/(c.Y.Max-c.Y.Min)*ph }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`, chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<text x="%d" y="16" font-size="13" font-weight="bold">%s</text>`, padL, html.EscapeString(c.Title))
	for _, bd := range c.Bands {
		x0, x1 := px(math.Max(bd.From, c.X.Min)), px(math.Min(bd.To, c.X.Max))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%.1f" fill="#d62728" opacity="0.12"><title>%s</title></rect>`, x0, padT, math.Max(x1-x0, 1), ph, html.EscapeString(bd.Label))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="#d62728" font-size="9">%s</text>`, x0+2, padT+10, html.EscapeString(bd.Label))
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#333"/>`, padL, padT+ph, padL+pw, padT+ph)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%.1f" stroke="#333"/>`, padL, padT, padL, padT+ph)
	for _, y := range c.Y.Ticks {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>`, padL, py(y), padL+pw, py(y))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`, padL-4, py(y)+4, html.EscapeString(c.Y.Fmt(y)))
	}
	for _, x := range c.X.Ticks {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, px(x), padT+ph+14, html.EscapeString(c.X.Fmt(x)))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, padL+pw/2, chartH-4, html.EscapeString(c.XLabel))
	fmt.Fprintf(&b, `<text x="12" y="%.1f" transform="rotate(-90 12 %.1f)" text-anchor="middle">%s</text>`, padT+ph/2, padT+ph/2, html.EscapeString(c.YLabel))
	for k, s := range c.Series {
		col := palette[k%len(palette)]
		var pts strings.Builder
		for i := range s.X {
			fmt.Fprintf(&pts, "%.1f,%.1f ", px(s.X[i]), py(s.Y[i]))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`, col, pts.String())
		ly := padT + 12*k + 6
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="2"/><text x="%.1f" y="%d">%s</text>`,
			padL+pw+8, ly, padL+pw+22, ly, col, padL+pw+26, ly+4, html.EscapeString(s.Name))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// barChart draws one bar per label.
func barChart(title string, labels []string, values []float64, yfmt func(float64) string) string {
	maxY := 0.0
	for _, v := range values {
		maxY = math.Max(maxY, v)
	}
	if maxY <= 0 {
		maxY = 1
	}
	pw, ph := float64(chartW-padL-padR), float64(chartH-padT-padB)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`, chartW, chartH)
	fmt.Fprintf(&b, `<text x="%d" y="16" font-size="13" font-weight="bold">%s</text>`, padL, html.EscapeString(title))
	fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#333"/>`, padL, padT+ph, padL+pw, padT+ph)
	n := float64(max(len(values), 1))
	for i, v := range values {
		w := pw / n * 0.7
		x := padL + pw/n*float64(i) + pw/n*0.15
		h := v / maxY * ph
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`, x, padT+ph-h, w, h, palette[0], html.EscapeString(labels[i]), html.EscapeString(yfmt(v)))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x+w/2, padT+ph+14, html.EscapeString(labels[i]))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="9">%s</text>`, x+w/2, padT+ph-h-3, html.EscapeString(yfmt(v)))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// pct prints a share as a percentage with no more digits than it needs.
func pct(v float64) string { return num(v*100) + "%" }

// pct1 prints a share as a percentage with one decimal, for bar labels.
func pct1(v float64) string { return strconv.FormatFloat(v*100, 'f', 1, 64) + "%" }

// num prints a tick value: integers plainly, others with the few decimals
// that round ticks have (0.25, 1.5).
func num(v float64) string {
	if math.Abs(v) < 1e-12 {
		return "0"
	}
	t := strconv.FormatFloat(v, 'f', 3, 64)
	t = strings.TrimRight(strings.TrimRight(t, "0"), ".")
	return t
}
