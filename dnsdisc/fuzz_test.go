package dnsdisc

import (
	"strings"
	"testing"

	"github.com/devp2p-go/devp2p/enode"
)

// seedEntries adds every entry text of the vectors to the corpus.
func seedEntries(f *testing.F) {
	data, err := readVectorsFile()
	if err != nil {
		f.Fatal(err)
	}
	for _, v := range data {
		if v.Inputs.Entry != nil {
			f.Add(*v.Inputs.Entry)
		}
		if v.Inputs.URL != "" {
			f.Add(v.Inputs.URL)
		}
		for _, r := range v.Inputs.Records {
			f.Add(r.TXT)
		}
	}
}

// FuzzParseEntry checks that no entry text panics the parser and that an
// accepted entry prints back as its input (its hash names it).
func FuzzParseEntry(f *testing.F) {
	seedEntries(f)
	f.Fuzz(func(t *testing.T, text string) {
		e, err := parseEntry(text, enode.ValidSchemes)
		if err != nil {
			return
		}
		switch e.(type) {
		case *branchEntry:
			// Children are normalised to upper case.
			if e.String() != branchPrefix+strings.ToUpper(text[len(branchPrefix):]) {
				t.Fatalf("branch %q prints as %q", text, e.String())
			}
		case *linkEntry:
			if e.String() != text {
				t.Fatalf("link %q prints as %q", text, e.String())
			}
		}
		if len(text) > maxTXTSize {
			t.Fatalf("accepted %d bytes", len(text))
		}
	})
}

// FuzzParseRoot checks that a parsed root prints as its input.
func FuzzParseRoot(f *testing.F) {
	seedEntries(f)
	f.Fuzz(func(t *testing.T, text string) {
		root, err := parseRoot(text)
		if err != nil {
			return
		}
		again, err := parseRoot(root.String())
		if err != nil {
			t.Fatalf("%q re-parses with %v", root.String(), err)
		}
		if again.String() != root.String() {
			t.Fatalf("%q != %q", again.String(), root.String())
		}
	})
}

// FuzzParseURL checks that an accepted URL formats back to an equivalent one.
func FuzzParseURL(f *testing.F) {
	seedEntries(f)
	f.Fuzz(func(t *testing.T, url string) {
		domain, key, err := ParseURL(url)
		if err != nil {
			return
		}
		d2, k2, err := ParseURL(FormatURL(key, domain))
		if err != nil || d2 != domain || !k2.Equal(key) {
			t.Fatalf("%q does not round-trip: %v", url, err)
		}
	})
}
