package report

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// series is one line of a chart.
type series struct {
	Name string
	X, Y []float64
}

// band is a shaded x-range (a fault window).
type band struct {
	From, To float64
	Label    string
}

var palette = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"}

const (
	chartW, chartH = 640, 260
	padL, padR     = 64, 130
	padT, padB     = 28, 36
)

// lineChart draws series as an inline SVG with axes, a legend and bands.
func lineChart(title, xlabel, ylabel string, ss []series, bands []band, yfmt func(float64) string) string {
	minX, maxX, maxY := math.Inf(1), math.Inf(-1), 0.0
	for _, s := range ss {
		for i := range s.X {
			minX = math.Min(minX, s.X[i])
			maxX = math.Max(maxX, s.X[i])
			maxY = math.Max(maxY, s.Y[i])
		}
	}
	for _, b := range bands {
		maxX = math.Max(maxX, b.To)
	}
	if math.IsInf(minX, 1) {
		minX, maxX = 0, 1
	}
	if maxX <= minX {
		maxX = minX + 1
	}
	if maxY <= 0 {
		maxY = 1
	}
	maxY *= 1.05
	pw, ph := float64(chartW-padL-padR), float64(chartH-padT-padB)
	px := func(x float64) float64 { return padL + (x-minX)/(maxX-minX)*pw }
	py := func(y float64) float64 { return padT + ph - y/maxY*ph }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`, chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<text x="%d" y="16" font-size="13" font-weight="bold">%s</text>`, padL, html.EscapeString(title))
	for _, bd := range bands {
		x0, x1 := px(math.Max(bd.From, minX)), px(math.Min(bd.To, maxX))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%.1f" fill="#d62728" opacity="0.12"><title>%s</title></rect>`, x0, padT, math.Max(x1-x0, 1), ph, html.EscapeString(bd.Label))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="#d62728" font-size="9">%s</text>`, x0+2, padT+10, html.EscapeString(bd.Label))
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#333"/>`, padL, padT+ph, padL+pw, padT+ph)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%.1f" stroke="#333"/>`, padL, padT, padL, padT+ph)
	for i := 0; i <= 4; i++ {
		y := maxY * float64(i) / 4
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>`, padL, py(y), padL+pw, py(y))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`, padL-4, py(y)+4, html.EscapeString(yfmt(y)))
		x := minX + (maxX-minX)*float64(i)/4
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, px(x), padT+ph+14, trimNum(x))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, padL+pw/2, chartH-4, html.EscapeString(xlabel))
	fmt.Fprintf(&b, `<text x="12" y="%.1f" transform="rotate(-90 12 %.1f)" text-anchor="middle">%s</text>`, padT+ph/2, padT+ph/2, html.EscapeString(ylabel))
	for k, s := range ss {
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

func trimNum(x float64) string {
	if x == math.Trunc(x) {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.3g", x)
}
