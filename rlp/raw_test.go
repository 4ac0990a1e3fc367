package rlp

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		input         string
		kind          Kind
		content, rest string
		err           error
	}{
		{input: "00", kind: Byte, content: "00"},
		{input: "7f01", kind: Byte, content: "7f", rest: "01"},
		{input: "80", kind: String},
		{input: "8180", kind: String, content: "80"},
		{input: "c0", kind: List},
		{input: "c10102", kind: List, content: "01", rest: "02"},
		{input: "b838" + hexRepeat("aa", 56), kind: String, content: hexRepeat("aa", 56)},
		{input: "f838" + hexRepeat("01", 56), kind: List, content: hexRepeat("01", 56)},
		{input: "", err: io.ErrUnexpectedEOF},
		{input: "8105", err: ErrCanonSize},
		{input: "b800", err: ErrCanonSize},
		{input: "b90001", err: ErrCanonSize},
		{input: "f837" + hexRepeat("01", 55), err: ErrCanonSize},
		{input: "81", err: ErrValueTooLarge},
		{input: "b9", err: ErrValueTooLarge},
		{input: "c201", err: ErrValueTooLarge},
		{input: "ffffffffffffffffff00", err: ErrValueTooLarge},
	}
	for _, tt := range tests {
		k, content, rest, err := Split(unhex(t, tt.input))
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: error %v, want %v", tt.input, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		if k != tt.kind || !bytes.Equal(content, unhex(t, tt.content)) || !bytes.Equal(rest, unhex(t, tt.rest)) {
			t.Errorf("%s: got %v %x %x", tt.input, k, content, rest)
		}
	}
}

func hexRepeat(h string, n int) string {
	var b bytes.Buffer
	for range n {
		b.WriteString(h)
	}
	return b.String()
}

func TestSplitTyped(t *testing.T) {
	if _, _, err := SplitString(unhex(t, "c0")); !errors.Is(err, ErrExpectedString) {
		t.Errorf("SplitString(c0): %v", err)
	}
	if _, _, err := SplitList(unhex(t, "80")); !errors.Is(err, ErrExpectedList) {
		t.Errorf("SplitList(80): %v", err)
	}
	if c, r, err := SplitList(unhex(t, "c2010203")); err != nil || !bytes.Equal(c, []byte{1, 2}) || !bytes.Equal(r, []byte{3}) {
		t.Errorf("SplitList: %x %x %v", c, r, err)
	}
	uintTests := []struct {
		input string
		x     uint64
		err   error
	}{
		{"80", 0, nil}, {"01", 1, nil}, {"7f", 0x7f, nil}, {"8180", 0x80, nil},
		{"88ffffffffffffffff", 1<<64 - 1, nil},
		{"00", 0, ErrCanonInt}, {"820001", 0, ErrCanonInt}, {"8101", 0, ErrCanonSize},
		{"89010000000000000000", 0, ErrUintOverflow}, {"c0", 0, ErrExpectedString},
	}
	for _, tt := range uintTests {
		x, _, err := SplitUint64(unhex(t, tt.input))
		if !errors.Is(err, tt.err) || x != tt.x {
			t.Errorf("SplitUint64(%s) = %d, %v; want %d, %v", tt.input, x, err, tt.x, tt.err)
		}
	}
}

func TestCountValuesAndIterators(t *testing.T) {
	content := unhex(t, "01c2020383040506")
	if n, err := CountValues(content); n != 3 || err != nil {
		t.Errorf("CountValues = %d, %v", n, err)
	}
	if _, err := CountValues(unhex(t, "0182")); err == nil {
		t.Error("CountValues accepted truncated input")
	}
	var got []string
	for v, err := range Elems(unhex(t, "c8"+"01c2020383040506")) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(v))
	}
	want := []string{"\x01", "\xc2\x02\x03", "\x83\x04\x05\x06"}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("Elems yielded %q", got)
	}
	// Early break and errors.
	n := 0
	for range Values(content) {
		n++
		break
	}
	if n != 1 {
		t.Errorf("break did not stop the iterator")
	}
	var errs []error
	for _, err := range Values(unhex(t, "018105")) {
		errs = append(errs, err)
	}
	if len(errs) != 2 || errs[0] != nil || !errors.Is(errs[1], ErrCanonSize) {
		t.Errorf("errors: %v", errs)
	}
	for _, err := range Elems(unhex(t, "c00102")) {
		if !errors.Is(err, ErrMoreThanOneValue) {
			t.Errorf("Elems with trailing data: %v", err)
		}
	}
	for _, err := range Elems(unhex(t, "80")) {
		if !errors.Is(err, ErrExpectedList) {
			t.Errorf("Elems of a string: %v", err)
		}
	}
	if ListSize(0) != 1 || ListSize(55) != 56 || ListSize(56) != 58 || ListSize(256) != 259 {
		t.Error("ListSize is wrong")
	}
}
