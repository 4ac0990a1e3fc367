package v5wire

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"sync"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

type vector struct {
	Name     string         `json:"name"`
	Inputs   map[string]any `json:"inputs"`
	Expected map[string]any `json:"expected"`
}

var (
	vectorsOnce sync.Once
	vectorsMap  map[string]vector
)

// loadVectors reads testdata/discv5.json once per process.
func loadVectors(t testing.TB) map[string]vector {
	t.Helper()
	vectorsOnce.Do(func() { vectorsMap = readVectors(t) })
	if vectorsMap == nil {
		t.Fatal("no vectors")
	}
	return vectorsMap
}

func readVectors(t testing.TB) map[string]vector {
	raw, err := os.ReadFile("testdata/discv5.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Vectors []vector }
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	m := make(map[string]vector)
	for _, v := range file.Vectors {
		m[v.Name] = v
	}
	return m
}

func hexb(t testing.TB, v any) []byte {
	t.Helper()
	b, err := hex.DecodeString(fmt.Sprint(v))
	if err != nil {
		t.Fatalf("bad hex %v: %v", v, err)
	}
	return b
}

func hexKey(t testing.TB, v any) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.ToECDSA(hexb(t, v))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

const (
	vecPing      = "Ping message packet (flag 0)"
	vecWhoareyou = "WHOAREYOU packet (flag 1)"
	vecHS        = "Ping handshake packet (flag 2)"
	vecHSENR     = "Ping handshake message packet (flag 2, with ENR)"
	vecAddr      = "127.0.0.1:30303" // any address: sessions are keyed by it
)

// vectorCodec returns a codec for key with the vectors' fixed randomness:
// zero masking IV, the given nonce and ephemeral key.
func vectorCodec(t testing.TB, key *ecdsa.PrivateKey, self *enode.Node, nonce []byte, eph *ecdsa.PrivateKey) *Codec {
	if self == nil {
		self = enode.NewV4(&key.PublicKey, net.IP{127, 0, 0, 1}, 0, 0)
	}
	c := NewCodec(key, func() *enode.Node { return self }, new(mclock.Simulated), 0)
	c.fillIV = func(b []byte) error { clear(b); return nil }
	c.sc.nonceGen = func(uint32) (n Nonce, err error) { copy(n[:], nonce); return n, nil }
	if eph != nil {
		c.ephKey = func() (*ecdsa.PrivateKey, error) { return eph, nil }
	}
	return c
}

func vectorKeys(t testing.TB, vs map[string]vector) (a, b *ecdsa.PrivateKey) {
	keys := vs["node keys used by the packet vectors"]
	a, b = hexKey(t, keys.Inputs["node_a_key"]), hexKey(t, keys.Inputs["node_b_key"])
	if id := enode.PubkeyToIDV4(&a.PublicKey); hex.EncodeToString(id[:]) != keys.Expected["node_a_id"] {
		t.Fatalf("node A id %x", id)
	}
	if id := enode.PubkeyToIDV4(&b.PublicKey); hex.EncodeToString(id[:]) != keys.Expected["node_b_id"] {
		t.Fatalf("node B id %x", id)
	}
	return a, b
}

func TestVectorPingMessage(t *testing.T) {
	vs := loadVectors(t)
	keyA, keyB := vectorKeys(t, vs)
	v := vs[vecPing]
	want := hexb(t, v.Expected["packet"])
	idA, idB := enode.PubkeyToIDV4(&keyA.PublicKey), enode.PubkeyToIDV4(&keyB.PublicKey)

	// Decode as B with read key 0.
	b := vectorCodec(t, keyB, nil, nil, nil)
	b.sc.storeNewSession(idA, vecAddr, &session{})
	src, _, p, err := b.Decode(want, vecAddr)
	if err != nil {
		t.Fatal(err)
	}
	ping, ok := p.(*Ping)
	if src != idA || !ok || !bytes.Equal(ping.ReqID, hexb(t, v.Expected["ping_req_id"])) || ping.ENRSeq != 2 {
		t.Fatalf("decoded %x %#v", src, p)
	}

	// Encode as A with write key 0.
	a := vectorCodec(t, keyA, nil, hexb(t, v.Inputs["nonce"]), nil)
	a.sc.storeNewSession(idB, vecAddr, &session{})
	enc, _, err := a.Encode(idB, vecAddr, &Ping{ReqID: ping.ReqID, ENRSeq: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, want) {
		t.Fatalf("encoding mismatch\n got %x\nwant %x", enc, want)
	}
}

func TestVectorWhoareyou(t *testing.T) {
	vs := loadVectors(t)
	_, keyB := vectorKeys(t, vs)
	v := vs[vecWhoareyou]
	want := hexb(t, v.Expected["packet"])
	idB := enode.PubkeyToIDV4(&keyB.PublicKey)

	// Decoded by B (the packet is addressed to B).
	b := vectorCodec(t, keyB, nil, nil, nil)
	_, _, p, err := b.Decode(want, vecAddr)
	if err != nil {
		t.Fatal(err)
	}
	w, ok := p.(*Whoareyou)
	if !ok {
		t.Fatalf("decoded %T", p)
	}
	if !bytes.Equal(w.ChallengeData, hexb(t, v.Inputs["whoareyou_challenge_data"])) ||
		!bytes.Equal(w.Nonce[:], hexb(t, v.Inputs["whoareyou_request_nonce"])) ||
		!bytes.Equal(w.IDNonce[:], hexb(t, v.Inputs["whoareyou_id_nonce"])) || w.RecordSeq != 0 {
		t.Fatalf("decoded %+v", w)
	}

	// Encoded towards B.
	a := vectorCodec(t, keyB, nil, nil, nil) // the sender's key does not matter
	nw := &Whoareyou{Nonce: w.Nonce, IDNonce: w.IDNonce}
	enc, _, err := a.Encode(idB, vecAddr, nw, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, want) {
		t.Fatalf("encoding mismatch\n got %x\nwant %x", enc, want)
	}
}

// handshakeVector decodes (as B) and re-encodes (as A) a handshake vector.
// knownA is A's record as B knows it (nil: B knows nothing).
func handshakeVector(t *testing.T, name string, knownA *enode.Node) *enode.Node {
	vs := loadVectors(t)
	keyA, keyB := vectorKeys(t, vs)
	v := vs[name]
	want := hexb(t, v.Expected["packet"])
	idA, idB := enode.PubkeyToIDV4(&keyA.PublicKey), enode.PubkeyToIDV4(&keyB.PublicKey)
	nodeB := enode.NewV4(&keyB.PublicKey, net.IP{127, 0, 0, 1}, 0, 0)
	challenge := func() *Whoareyou {
		w := &Whoareyou{
			ChallengeData: hexb(t, v.Inputs["whoareyou_challenge_data"]),
			RecordSeq:     uint64(v.Inputs["whoareyou_enr_seq"].(float64)),
		}
		copy(w.Nonce[:], hexb(t, v.Inputs["whoareyou_request_nonce"]))
		copy(w.IDNonce[:], hexb(t, v.Inputs["whoareyou_id_nonce"]))
		return w
	}

	// B decodes.
	b := vectorCodec(t, keyB, nil, nil, nil)
	bw := challenge()
	bw.Node = knownA
	b.sc.storeSentHandshake(idA, vecAddr, bw)
	src, nodeA, p, err := b.Decode(want, vecAddr)
	if err != nil {
		t.Fatal(err)
	}
	ping, ok := p.(*Ping)
	if src != idA || nodeA == nil || nodeA.ID() != idA || !ok ||
		!bytes.Equal(ping.ReqID, hexb(t, v.Expected["ping_req_id"])) ||
		ping.ENRSeq != uint64(v.Expected["ping_enr_seq"].(float64)) {
		t.Fatalf("decoded %x %v %#v", src, nodeA, p)
	}
	s := b.sc.session(idA, vecAddr)
	if s == nil || !bytes.Equal(s.readKey[:], hexb(t, v.Expected["read_key"])) {
		t.Fatalf("B's read key wrong: %+v", s)
	}

	// A encodes with the vector's ephemeral key and nonce.
	eph := hexKey(t, v.Inputs["ephemeral_key"])
	if got := crypto.CompressPubkey(&eph.PublicKey); !bytes.Equal(got, hexb(t, v.Inputs["ephemeral_pubkey"])) {
		t.Fatalf("ephemeral pubkey %x", got)
	}
	a := vectorCodec(t, keyA, nodeA, hexb(t, v.Inputs["nonce"]), eph)
	aw := challenge()
	aw.Node = nodeB
	enc, _, err := a.Encode(idB, vecAddr, &Ping{ReqID: ping.ReqID, ENRSeq: ping.ENRSeq}, aw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, want) {
		t.Fatalf("encoding mismatch\n got %x\nwant %x", enc, want)
	}
	// A's write key is B's read key.
	if as := a.sc.session(idB, vecAddr); as == nil || as.writeKey != s.readKey || as.readKey != s.writeKey {
		t.Fatal("session keys differ between A and B")
	}
	return nodeA
}

func TestVectorHandshake(t *testing.T) {
	nodeA := handshakeVector(t, vecHSENR, nil)
	if nodeA.Seq() != 1 {
		t.Fatalf("A's record seq %d", nodeA.Seq())
	}
	// Without ENR: B already knows A's record (seq 1) from before.
	handshakeVector(t, vecHS, nodeA)
}

func TestVectorHandshakeNeedsRecord(t *testing.T) {
	vs := loadVectors(t)
	keyA, keyB := vectorKeys(t, vs)
	v := vs[vecHS]
	b := vectorCodec(t, keyB, nil, nil, nil)
	w := &Whoareyou{ChallengeData: hexb(t, v.Inputs["whoareyou_challenge_data"]), RecordSeq: 1}
	b.sc.storeSentHandshake(enode.PubkeyToIDV4(&keyA.PublicKey), vecAddr, w)
	if _, _, _, err := b.Decode(hexb(t, v.Expected["packet"]), vecAddr); err != ErrHandshakeNodeMissing {
		t.Fatalf("got %v, want ErrHandshakeNodeMissing", err)
	}
}

func TestVectorECDH(t *testing.T) {
	v := loadVectors(t)["ECDH"]
	pub, err := crypto.DecompressPubkey(hexb(t, v.Inputs["public_key"]))
	if err != nil {
		t.Fatal(err)
	}
	got, err := crypto.ECDHCompressed(hexKey(t, v.Inputs["secret_key"]), pub)
	if err != nil || !bytes.Equal(got, hexb(t, v.Expected["shared_secret"])) {
		t.Fatalf("got %x, %v", got, err)
	}
}

func TestVectorKDF(t *testing.T) {
	v := loadVectors(t)["Key Derivation"]
	pub, err := crypto.DecompressPubkey(hexb(t, v.Inputs["dest_pubkey"]))
	if err != nil {
		t.Fatal(err)
	}
	var a, b enode.ID
	copy(a[:], hexb(t, v.Inputs["node_id_a"]))
	copy(b[:], hexb(t, v.Inputs["node_id_b"]))
	s, err := deriveKeys(hexKey(t, v.Inputs["ephemeral_key"]), pub, a, b, hexb(t, v.Inputs["challenge_data"]))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.writeKey[:], hexb(t, v.Expected["initiator_key"])) || !bytes.Equal(s.readKey[:], hexb(t, v.Expected["recipient_key"])) {
		t.Fatalf("keys %x %x", s.writeKey, s.readKey)
	}
}

func TestVectorIDSignature(t *testing.T) {
	v := loadVectors(t)["ID Nonce Signing"]
	key := hexKey(t, v.Inputs["static_key"])
	var dest enode.ID
	copy(dest[:], hexb(t, v.Inputs["node_id_b"]))
	cd, eph := hexb(t, v.Inputs["challenge_data"]), hexb(t, v.Inputs["ephemeral_pubkey"])
	sig, err := makeIDSignature(sha256.New(), key, cd, eph, dest)
	if err != nil || !bytes.Equal(sig, hexb(t, v.Expected["id_signature"])) {
		t.Fatalf("got %x, %v", sig, err)
	}
	n := enode.NewV4(&key.PublicKey, net.IP{127, 0, 0, 1}, 0, 0)
	if err := verifyIDSignature(sha256.New(), sig, n, cd, eph, dest); err != nil {
		t.Fatal(err)
	}
	sig[3] ^= 1
	if err := verifyIDSignature(sha256.New(), sig, n, cd, eph, dest); err == nil {
		t.Fatal("corrupted signature verified")
	}
}

func TestVectorGCM(t *testing.T) {
	v := loadVectors(t)["Encryption/Decryption"]
	key, nonce, pt, ad := hexb(t, v.Inputs["encryption_key"]), hexb(t, v.Inputs["nonce"]), hexb(t, v.Inputs["pt"]), hexb(t, v.Inputs["ad"])
	ct, err := encryptGCM(nil, key, nonce, pt, ad)
	if err != nil || !bytes.Equal(ct, hexb(t, v.Expected["message_ciphertext"])) {
		t.Fatalf("got %x, %v", ct, err)
	}
	got, err := decryptGCM(key, nonce, ct, ad)
	if err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("decrypt %x, %v", got, err)
	}
}
