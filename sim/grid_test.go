package sim

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestWriteGridSVG checks that a grid of charts is well-formed XML with one
// nested <svg> per chart, laid out cols to a row.
func TestWriteGridSVG(t *testing.T) {
	charts := make([]Chart, 3)
	for i := range charts {
		charts[i] = Chart{Title: "panel <" + string(rune('a'+i)) + ">", X: []float64{0, 1, 2}, Series: []Series{{Name: "s", Y: []float64{1, 3, 2}}}}
	}
	var b strings.Builder
	if err := WriteGridSVG(&b, []string{"a dashboard", "of three & more"}, 2, charts); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(strings.NewReader(b.String()))
	var svgs int
	var rootW, rootH string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "svg" {
			if svgs == 0 {
				for _, a := range el.Attr {
					switch a.Name.Local {
					case "width":
						rootW = a.Value
					case "height":
						rootH = a.Value
					}
				}
			}
			svgs++
		}
	}
	if svgs != 1+len(charts) {
		t.Errorf("got %d <svg> elements, want %d", svgs, 1+len(charts))
	}
	// Two columns, two rows, under a heading of two lines.
	if want := "1280"; rootW != want {
		t.Errorf("width %s, want %s", rootW, want)
	}
	if want := "648"; rootH != want {
		t.Errorf("height %s, want %s", rootH, want)
	}
	for _, want := range []string{"panel &lt;c&gt;", "of three &amp; more", `translate(640 48)`, `translate(0 348)`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}
