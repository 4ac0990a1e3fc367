package sim

import (
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"strings"
)

// Chart is a line chart drawn as a self-contained SVG (no script, no font
// or style from outside), so that a report opens offline.
type Chart struct {
	Title  string
	YLabel string
	XLabel string    // default "simulated time"; the unit is added
	X      []float64 // seconds
	Series []Series
	YMax   float64      // 0: from the data
	Bands  [][2]float64 // shaded X intervals (a partition, say)
}

// Series is one line of a Chart.
type Series struct {
	Name string
	Y    []float64
}

var seriesColors = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"}

const (
	chartW, chartH                       = 640, 300
	padLeft, padRight, padTop, padBottom = 60, 20, 46, 46
)

// WriteSVG writes c as an SVG document.
func (c *Chart) WriteSVG(w io.Writer) error {
	var b strings.Builder
	c.svg(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func (c *Chart) svg(b *strings.Builder) {
	xmin, xmax := 0.0, 1.0
	if len(c.X) > 0 {
		xmax = c.X[len(c.X)-1] // the axis starts at time 0
		if xmax <= xmin {
			xmax = xmin + 1
		}
	}
	ymax := c.YMax
	if ymax == 0 {
		for _, s := range c.Series {
			for _, y := range s.Y {
				if !math.IsNaN(y) {
					ymax = max(ymax, y)
				}
			}
		}
		ymax = niceCeil(ymax)
	}
	pw, ph := float64(chartW-padLeft-padRight), float64(chartH-padTop-padBottom)
	px := func(x float64) float64 { return padLeft + (x-xmin)/(xmax-xmin)*pw }
	py := func(y float64) float64 { return padTop + ph - y/ymax*ph }
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n", chartW, chartH, chartW, chartH)
	fmt.Fprintf(b, `<rect width="%d" height="%d" fill="#fff"/>`+"\n", chartW, chartH)
	fmt.Fprintf(b, `<text x="%d" y="18" font-size="14" font-weight="bold">%s</text>`+"\n", padLeft, html.EscapeString(c.Title))
	for _, band := range c.Bands {
		x0, x1 := px(max(band[0], xmin)), px(min(band[1], xmax))
		if x1 > x0 {
			fmt.Fprintf(b, `<rect x="%.1f" y="%d" width="%.1f" height="%.1f" fill="#eee"/>`+"\n", x0, padTop, x1-x0, ph)
		}
	}
	// Grid and Y ticks.
	for i := 0; i <= 4; i++ {
		y := ymax * float64(i) / 4
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", padLeft, chartW-padRight, py(y), py(y))
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", padLeft-6, py(y)+4, tickLabel(y))
	}
	// X ticks in minutes or seconds.
	unit, div := "s", 1.0
	if xmax-xmin >= 300 {
		unit, div = "min", 60
	}
	for i := 0; i <= 5; i++ {
		x := xmin + (xmax-xmin)*float64(i)/5
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", px(x), chartH-padBottom+16, tickLabel(x/div))
	}
	xlabel := c.XLabel
	if xlabel == "" {
		xlabel = "simulated time"
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s (%s)</text>`+"\n", padLeft+pw/2, chartH-8, html.EscapeString(xlabel), unit)
	fmt.Fprintf(b, `<text transform="translate(14 %.1f) rotate(-90)" text-anchor="middle">%s</text>`+"\n", padTop+ph/2, html.EscapeString(c.YLabel))
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%.0f" height="%.0f" fill="none" stroke="#888"/>`+"\n", padLeft, padTop, pw, ph)
	for i, s := range c.Series {
		color := seriesColors[i%len(seriesColors)]
		var pts []string
		for j, y := range s.Y {
			if j < len(c.X) && !math.IsNaN(y) {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(c.X[j]), py(min(y, ymax))))
			}
		}
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", color, strings.Join(pts, " "))
		// The legend sits between the title and the plot; more than three
		// entries share its width.
		lx := padLeft + min(170, (chartW-padLeft-padRight)/len(c.Series))*i
		fmt.Fprintf(b, `<rect x="%d" y="28" width="12" height="3" fill="%s"/><text x="%d" y="33">%s</text>`+"\n",
			lx, color, lx+16, html.EscapeString(s.Name))
	}
	b.WriteString("</svg>\n")
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func tickLabel(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
