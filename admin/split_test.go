package admin

import (
	"bufio"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// TestSplitJSON: the IPC framing cuts a stream into JSON values whatever
// the whitespace between them and however the bytes arrive, including one
// byte at a time.
func TestSplitJSON(t *testing.T) {
	input := ` {"a":"}{\"]"}[1,[2]]` + "\n\n" + `{"b":{}}` + "\t" + `"scalar" 12 {"c":"\\"}` + "\n" + `{"trunc`
	want := []string{`{"a":"}{\"]"}`, `[1,[2]]`, `{"b":{}}`, `"scalar"`, `12`, `{"c":"\\"}`, `{"trunc`}
	for _, chunk := range []int{1, 2, 7, len(input)} {
		sc := bufio.NewScanner(&chunkReader{data: []byte(input), n: chunk})
		sc.Split(new(jsonSplitter).split)
		var got []string
		for sc.Scan() {
			got = append(got, sc.Text())
		}
		if sc.Err() != nil || !slices.Equal(got, want) {
			t.Errorf("chunks of %d: %q, %v\nwant %q", chunk, got, sc.Err(), want)
		}
	}
}

// TestSplitJSONLimit: a value over the scanner's limit is an error, not
// unbounded buffering.
func TestSplitJSONLimit(t *testing.T) {
	sc := bufio.NewScanner(strings.NewReader(`{"a":"` + strings.Repeat("x", 200) + `"}`))
	sc.Buffer(nil, 100)
	sc.Split(new(jsonSplitter).split)
	if sc.Scan() || !errors.Is(sc.Err(), bufio.ErrTooLong) {
		t.Errorf("Scan of an oversized value: %v", sc.Err())
	}
}

// chunkReader returns its data n bytes per Read.
type chunkReader struct {
	data []byte
	n    int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.n)], r.data)
	r.data = r.data[n:]
	return n, nil
}
