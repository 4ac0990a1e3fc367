package rlpx

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
)

// vectorFile is testdata/rlpx-handshake.json: the test vectors of EIP-8
// (https://eips.ethereum.org/EIPS/eip-8) and go-ethereum's frame test.
type vectorFile struct {
	Vectors []struct {
		Name     string         `json:"name"`
		Inputs   map[string]any `json:"inputs"`
		Expected map[string]any `json:"expected"`
	} `json:"vectors"`
}

type vector struct {
	in, want map[string]any
}

func loadVectors(t testing.TB) map[string]vector {
	t.Helper()
	data, err := os.ReadFile("testdata/rlpx-handshake.json")
	if err != nil {
		t.Fatal(err)
	}
	var f vectorFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	m := make(map[string]vector)
	for _, v := range f.Vectors {
		key, _, _ := strings.Cut(v.Name, ":")
		switch {
		case strings.HasPrefix(v.Name, "handshake parameters"):
			key = "params"
		case strings.HasPrefix(v.Name, "secrets"):
			key = "secrets"
		case strings.HasPrefix(v.Name, "frame"):
			key = "frame"
		}
		m[key] = vector{v.Inputs, v.Expected}
	}
	return m
}

func unhex(t testing.TB, v any) []byte {
	t.Helper()
	s, _ := v.(string)
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func vkey(t testing.TB, v any) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.ToECDSA(unhex(t, v))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pubHex(pub *ecdsa.PublicKey) string { return hex.EncodeToString(crypto.FromECDSAPub(pub)[1:]) }

// fixedRand replays an ephemeral key and nonce, then real randomness for
// padding and ECIES (whose randomness the published vectors do not give).
func fixedRand(t testing.TB, ephemeral, nonce any) io.Reader {
	return io.MultiReader(bytes.NewReader(unhex(t, ephemeral)), bytes.NewReader(unhex(t, nonce)), rand.Reader)
}

func TestVectorAuth(t *testing.T) {
	vs := loadVectors(t)
	keyB := vkey(t, vs["params"].in["static_key_b"])
	for _, name := range []string{"auth1", "auth2", "auth3"} {
		t.Run(name, func(t *testing.T) {
			v := vs[name]
			msg := unhex(t, v.in["message"])
			var buf readBuffer
			plain, packet, eip8, err := readPacket(bytes.NewReader(msg), &buf, keyB, authPlainV4)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(packet, msg) {
				t.Error("packet differs from input")
			}
			if eip8 != (name != "auth1") {
				t.Errorf("eip8 = %v", eip8)
			}
			auth, err := decodeAuth(plain, eip8)
			if err != nil {
				t.Fatal(err)
			}
			h := &handshakeState{prv: keyB, eip8: eip8}
			if err := h.handleAuth(auth); err != nil {
				t.Fatal(err)
			}
			checkHex(t, "initiator key", pubHex(h.remote), v.want["initiator_public_key"])
			checkHex(t, "nonce", hex.EncodeToString(auth.Nonce[:]), v.want["nonce"])
			checkHex(t, "ephemeral key", pubHex(h.remoteEphemeral), v.want["ephemeral_public_key_recovered_from_signature"])
			if sig, ok := v.want["signature"]; ok {
				checkHex(t, "signature", hex.EncodeToString(auth.Signature[:]), sig)
			}
			if auth.Version != uint64(v.want["version"].(float64)) {
				t.Errorf("version = %d, want %v", auth.Version, v.want["version"])
			}
			checkRest(t, auth.Rest, v.want["rest"])
		})
	}
}

func TestVectorAck(t *testing.T) {
	vs := loadVectors(t)
	keyA := vkey(t, vs["params"].in["static_key_a"])
	for _, name := range []string{"ack1", "ack2", "ack3"} {
		t.Run(name, func(t *testing.T) {
			v := vs[name]
			msg := unhex(t, v.in["message"])
			var buf readBuffer
			plain, _, eip8, err := readPacket(bytes.NewReader(msg), &buf, keyA, ackPlainV4)
			if err != nil {
				t.Fatal(err)
			}
			if eip8 != (name != "ack1") {
				t.Errorf("eip8 = %v", eip8)
			}
			ack, err := decodeAck(plain, eip8)
			if err != nil {
				t.Fatal(err)
			}
			checkHex(t, "ephemeral key", hex.EncodeToString(ack.EphemeralPubkey[:]), v.want["recipient_ephemeral_public_key"])
			checkHex(t, "nonce", hex.EncodeToString(ack.Nonce[:]), v.want["nonce"])
			if ack.Version != uint64(v.want["version"].(float64)) {
				t.Errorf("version = %d, want %v", ack.Version, v.want["version"])
			}
			checkRest(t, ack.Rest, v.want["rest"])
		})
	}
}

// TestVectorSecrets replays the published handshake: B (recipient) gets
// auth₂ with its ephemeral key and nonce injected and must derive the
// published aes-secret, mac-secret and ingress-mac("foo"); A (initiator)
// gets ack₂ and must derive the same aes and mac secrets.
func TestVectorSecrets(t *testing.T) {
	vs := loadVectors(t)
	p, s := vs["params"].in, vs["secrets"]
	keyA, keyB := vkey(t, p["static_key_a"]), vkey(t, p["static_key_b"])

	// B, the recipient.
	var ackOut bytes.Buffer
	hb := &handshakeState{prv: keyB, rand: fixedRand(t, p["ephemeral_key_b"], p["nonce_b"])}
	secB, err := hb.runRecipient(rw{bytes.NewReader(unhex(t, s.in["auth_message"])), &ackOut}, new(readBuffer))
	if err != nil {
		t.Fatal(err)
	}
	checkHex(t, "B aes-secret", hex.EncodeToString(secB.aes[:]), s.want["aes_secret"])
	checkHex(t, "B mac-secret", hex.EncodeToString(secB.mac[:]), s.want["mac_secret"])
	secB.ingressMAC.Write([]byte("foo"))
	var ingressFoo [32]byte
	secB.ingressMAC.Digest(&ingressFoo)
	checkHex(t, "B ingress-mac(foo)", hex.EncodeToString(ingressFoo[:]), s.want["ingress_mac_after_foo"])
	checkHex(t, "B ephemeral", pubHex(&hb.ephemeral.PublicKey), vs["params"].want["ephemeral_key_b_public_key"])
	if pubHex(secB.remote) != pubHex(&keyA.PublicKey) {
		t.Error("B learned the wrong initiator key")
	}

	// A, the initiator. Its auth bytes differ from auth₂ (ECIES randomness),
	// so only the secrets are compared.
	ha := &handshakeState{initiator: true, prv: keyA, remote: &keyB.PublicKey, rand: fixedRand(t, p["ephemeral_key_a"], p["nonce_a"])}
	secA, err := ha.runInitiator(rw{bytes.NewReader(unhex(t, s.in["ack_message"])), io.Discard}, new(readBuffer))
	if err != nil {
		t.Fatal(err)
	}
	checkHex(t, "A aes-secret", hex.EncodeToString(secA.aes[:]), s.want["aes_secret"])
	checkHex(t, "A mac-secret", hex.EncodeToString(secA.mac[:]), s.want["mac_secret"])
}

// fakeHash is TestFrameReadWrite's stub MAC hash: the digest is always 32
// bytes of 0x01 and Write does nothing.
type fakeHash []byte

func (fakeHash) Write(p []byte) (int, error) { return len(p), nil }
func (h fakeHash) Digest(d *[32]byte)        { copy(d[:], h) }

func TestVectorFrame(t *testing.T) {
	v := loadVectors(t)["frame"]
	empty := crypto.Keccak256Hash()
	sec := &secrets{aes: empty, mac: empty,
		egressMAC: fakeHash(bytes.Repeat([]byte{1}, 32)), ingressMAC: fakeHash(bytes.Repeat([]byte{1}, 32))}
	out, in, err := newStreams(sec)
	if err != nil {
		t.Fatal(err)
	}
	frame, err := out.appendFrame(nil, uint64(v.in["msg_code"].(float64)), unhex(t, v.in["msg_payload_rlp"]))
	if err != nil {
		t.Fatal(err)
	}
	checkHex(t, "frame", hex.EncodeToString(frame), v.want["frame"])
	got, err := in.readFrame(bytes.NewReader(frame), new(readBuffer), maxUint24)
	if err != nil {
		t.Fatal(err)
	}
	checkHex(t, "read back", hex.EncodeToString(got), v.want["frame_content_read_back"])
}

type rw struct {
	io.Reader
	io.Writer
}

func checkHex(t *testing.T, what, got string, want any) {
	t.Helper()
	if w, _ := want.(string); got != w {
		t.Errorf("%s mismatch\n got %s\nwant %s", what, got, w)
	}
}

func checkRest(t *testing.T, rest [][]byte, want any) {
	t.Helper()
	ws, _ := want.([]any)
	if len(rest) != len(ws) {
		t.Fatalf("rest has %d elements, want %d", len(rest), len(ws))
	}
	for i := range rest {
		checkHex(t, "rest element", hex.EncodeToString(rest[i]), ws[i])
	}
}
