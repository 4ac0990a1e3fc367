package v4wire

import (
	"bytes"
	"reflect"

	"github.com/devp2p-go/devp2p/crypto"
	"testing"
)

// FuzzDecode feeds arbitrary datagrams to Decode. Besides not panicking, a
// packet that decodes must re-encode (signed with our key) into a packet
// that decodes to the same type.
func FuzzDecode(f *testing.F) {
	for _, pkt := range vectorPackets(f) {
		f.Add(pkt)
	}
	for _, p := range roundTripPackets(f) {
		pkt, _, err := Encode(testKey, p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(pkt)
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		p, _, hash, err := Decode(input)
		if err != nil {
			// Hashes protect the body, so random mutations mostly stop at
			// the hash check; re-hash to reach the RLP decoder too.
			if len(input) >= minSize && len(input) <= MaxPacketSize {
				fixed := bytes.Clone(input)
				copy(fixed, keccak(fixed[macSize:]))
				Decode(fixed)
			}
			return
		}
		if !bytes.Equal(hash, input[:macSize]) {
			t.Fatal("returned hash differs from the packet's")
		}
		// A packet Decode accepts decodes the same without key recovery.
		if again, err := DecodeVerified(input); err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("DecodeVerified disagrees with Decode: %v", err)
		}
		out, _, err := Encode(testKey, p)
		if err != nil {
			return // e.g. a record that decodes but is not signed
		}
		p2, _, _, err := Decode(out)
		if err != nil {
			t.Fatalf("re-encoded %s does not decode: %v", p.Name(), err)
		}
		if p2.Kind() != p.Kind() {
			t.Fatal("type changed")
		}
	})
}

func keccak(b []byte) []byte { return crypto.Keccak256(b) }
