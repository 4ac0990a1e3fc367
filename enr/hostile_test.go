package enr

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/devp2p-go/devp2p/rlp"
)

// TestDecodeOversizedHeader: a list header declaring a huge record is
// rejected before anything is read or allocated (docs/SECURITY.md).
func TestDecodeOversizedHeader(t *testing.T) {
	// 0xFB + 4-byte size 0x7fffffff, then little data.
	in := []byte{0xFB, 0x7f, 0xff, 0xff, 0xff, 0x80, 0x01}
	var r Record
	if err := rlp.DecodeBytes(in, &r); err == nil {
		t.Fatal("accepted")
	}
	// From a stream without a known length the record's own check fires.
	s := rlp.NewStream(io.MultiReader(bytes.NewReader(in)), 0)
	if err := r.DecodeRLP(s); !errors.Is(err, ErrTooBig) {
		t.Fatalf("got %v, want ErrTooBig", err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		var r Record
		rlp.DecodeBytes(in, &r)
	})
	if allocs > 10 {
		t.Fatalf("%v allocations for a rejected header", allocs)
	}
	if _, err := DecodeRecordUnverified(in); err == nil {
		t.Fatal("accepted")
	}
}

// TestDecodeAllocationsBounded: decoding a maximal record allocates a
// bounded amount, whatever its content.
func TestDecodeAllocationsBounded(t *testing.T) {
	// 300 bytes of many tiny pairs: the worst case for the pair slice.
	var payload []byte
	payload = appendString(payload, []byte("s"))
	payload = rlp.AppendUint64(payload, 1)
	for i := 0; len(payload) < SizeLimit-3-4; i++ {
		payload = appendString(payload, []byte{byte(i / 256), byte(i)})
		payload = append(payload, 0x01)
	}
	in := append(appendHeader(nil, 0xC0, len(payload)), payload...)
	if len(in) > SizeLimit {
		t.Fatalf("test input is %d bytes", len(in))
	}
	const runs = 100
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		if _, err := DecodeRecordUnverified(in); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	bytesAllocated := int(after.TotalAlloc-before.TotalAlloc) / runs
	// The copy of the input, the pair slice (≤ 100 pairs × 48 bytes) and the
	// key strings.
	if bytesAllocated > 8*1024 {
		t.Fatalf("%d bytes allocated for a %d-byte record", bytesAllocated, len(in))
	}
}

func TestParseTextHuge(t *testing.T) {
	huge := "enr:" + strings.Repeat("A", 1<<20)
	allocs := testing.AllocsPerRun(10, func() {
		if _, err := ParseTextUnverified(huge); !errors.Is(err, ErrTooBig) {
			t.Fatal(err)
		}
	})
	if allocs > 2 {
		t.Fatalf("%v allocations", allocs)
	}
}

func BenchmarkDecodeRecord(b *testing.B) {
	var r Record
	r.Set(IPv4Addr("203.0.113.7"))
	r.Set(TCP(30303))
	r.Set(UDP(30303))
	signTest(b, &r, "node")
	enc, _ := rlp.EncodeToBytes(r)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeRecordUnverified(enc); err != nil {
			b.Fatal(err)
		}
	}
}
