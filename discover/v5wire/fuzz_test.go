package v5wire

import (
	"testing"

	"github.com/devp2p-go/devp2p/enode"
)

// fuzzCodec is node B with a session and a pending challenge for node A, so
// that fuzzed input reaches the message and handshake paths.
func fuzzCodec(t testing.TB) *Codec {
	vs := loadVectors(t)
	keyA, keyB := vectorKeys(t, vs)
	idA := enode.PubkeyToIDV4(&keyA.PublicKey)
	b := vectorCodec(t, keyB, nil, nil, nil)
	b.sc.storeNewSession(idA, vecAddr, &session{})
	v := vs[vecHSENR]
	b.sc.storeSentHandshake(idA, "127.0.0.2:30303", &Whoareyou{ChallengeData: hexb(t, v.Inputs["whoareyou_challenge_data"])})
	return b
}

func FuzzDecode(f *testing.F) {
	vs := loadVectors(f)
	for _, name := range []string{vecPing, vecWhoareyou, vecHS, vecHSENR} {
		f.Add(hexb(f, vs[name].Expected["packet"]))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := fuzzCodec(t)
		for _, addr := range []string{vecAddr, "127.0.0.2:30303"} {
			_, _, p, err := c.Decode(data, addr)
			if err == nil && p == nil {
				t.Fatal("nil packet without error")
			}
			if p != nil && IsRequest(p) {
				if _, err := EncodeMessage(p); err != nil {
					t.Fatalf("decoded message does not re-encode: %v", err)
				}
			}
		}
		DecodeMessage(data)
	})
}
