package sim

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// ProgressBar returns a Progress that draws a bar on w when w is a
// terminal, and nil (no output) otherwise, so that logs and pipes stay
// clean.
func ProgressBar(w *os.File) Progress {
	fi, err := w.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return newBar(w, time.Now)
}

const barWidth = 40

func newBar(w io.Writer, now func() time.Time) Progress {
	start := now()
	return func(done, total time.Duration) {
		frac := 1.0
		if total > 0 {
			frac = min(float64(done)/float64(total), 1)
		}
		n := int(frac * barWidth)
		elapsed := now().Sub(start).Round(time.Second)
		fmt.Fprintf(w, "\r[%s%s] %3.0f%%  %v of %v simulated, %v elapsed",
			strings.Repeat("#", n), strings.Repeat(" ", barWidth-n), 100*frac, done, total, elapsed)
		if done >= total {
			fmt.Fprintln(w)
		}
	}
}
