package enr

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/devp2p-go/devp2p/rlp"
)

// FuzzDecodeRecord feeds arbitrary bytes to the record decoder. Accepted
// records must be canonical: encoding them again gives the input, and the
// stream decoder agrees with the byte decoder.
func FuzzDecodeRecord(f *testing.F) {
	for _, v := range loadVectors(f) {
		if s, ok := v.Inputs["rlp"].(string); ok {
			b, _ := hex.DecodeString(s)
			f.Add(b)
		}
		if s, ok := v.Expected["rlp"].(string); ok {
			b, _ := hex.DecodeString(s)
			f.Add(b)
		}
		if s, ok := v.Inputs["text"].(string); ok {
			if b, err := decodeText(s); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeRecordUnverified(data)
		var sr Record
		serr := rlp.DecodeBytes(data, &sr)
		if (err == nil) != (serr == nil) {
			t.Fatalf("byte decoder: %v, stream decoder: %v", err, serr)
		}
		if err != nil {
			return
		}
		if len(data) > SizeLimit {
			t.Fatal("oversized record accepted")
		}
		if enc := r.encode(r.Signature()); !bytes.Equal(enc, data) {
			t.Fatalf("re-encoding differs:\n in %x\nout %x", data, enc)
		}
		prev := ""
		for i, p := range r.pairs {
			if i > 0 && p.k <= prev {
				t.Fatalf("keys out of order: %q after %q", p.k, prev)
			}
			prev = p.k
		}
		text, err := r.Text()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseTextUnverified(text); err != nil {
			t.Fatalf("text form does not parse: %v", err)
		}
		// Loading the pre-defined entries never panics.
		var (
			ip4 IPv4
			ip6 IPv6
			tcp TCP
			udp UDP
			id  ID
		)
		for _, e := range []Entry{&ip4, &ip6, &tcp, &udp, &id} {
			if err := r.Load(e); err != nil && !IsNotFound(err) {
				t.Fatalf("checked value does not load: %v", err)
			}
		}
		r.IdentityScheme()
	})
}
