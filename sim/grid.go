package sim

import (
	"fmt"
	"html"
	"io"
	"strings"
)

// WriteGridSVG writes charts as one self-contained SVG document, cols
// charts to a row under a heading of text lines (the first one bold): a
// dashboard of panels that opens offline like a single Chart.
func WriteGridSVG(w io.Writer, heading []string, cols int, charts []Chart) error {
	cols = max(1, min(cols, len(charts)))
	rows := (len(charts) + cols - 1) / cols
	top := 12 + 18*len(heading)
	width, height := cols*chartW, top+rows*chartH
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`+"\n", width, height)
	for i, line := range heading {
		weight := "normal"
		if i == 0 {
			weight = "bold"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-weight="%s">%s</text>`+"\n", padLeft/3, 20+18*i, weight, html.EscapeString(line))
	}
	// Each chart keeps its own <svg> and coordinates; a group moves it
	// into its cell.
	for i := range charts {
		fmt.Fprintf(&b, `<g transform="translate(%d %d)">`+"\n", (i%cols)*chartW, top+(i/cols)*chartH)
		charts[i].svg(&b)
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}
