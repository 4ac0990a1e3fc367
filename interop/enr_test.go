package interop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"testing"

	genode "github.com/ethereum/go-ethereum/p2p/enode"
	genr "github.com/ethereum/go-ethereum/p2p/enr"
	grlp "github.com/ethereum/go-ethereum/rlp"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/rlp"
)

// recordCase is the content of one test record, set in both libraries.
type recordCase struct {
	seq        uint64
	ip4, ip6   netip.Addr
	tcp, udp   uint16
	tcp6, udp6 uint16
	eth        []byte // a generic application entry
}

func (c recordCase) ours(t *testing.T, kp keyPair) *enr.Record {
	t.Helper()
	var r enr.Record
	r.SetSeq(c.seq)
	if c.ip4.IsValid() {
		r.Set(enr.IPv4(c.ip4))
	}
	if c.ip6.IsValid() {
		r.Set(enr.IPv6(c.ip6))
	}
	for _, e := range []enr.Entry{enr.TCP(c.tcp), enr.UDP(c.udp), enr.TCP6(c.tcp6), enr.UDP6(c.udp6)} {
		if rlpUint(e) != 0 {
			r.Set(e)
		}
	}
	if c.eth != nil {
		r.Set(enr.Generic{Key: "eth", Value: []any{c.eth}})
	}
	if err := enode.SignV4(&r, kp.ours); err != nil {
		t.Fatal(err)
	}
	return &r
}

func rlpUint(e enr.Entry) uint16 {
	switch v := e.(type) {
	case enr.TCP:
		return uint16(v)
	case enr.UDP:
		return uint16(v)
	case enr.TCP6:
		return uint16(v)
	case enr.UDP6:
		return uint16(v)
	}
	return 0
}

func (c recordCase) geth(t *testing.T, kp keyPair) *genr.Record {
	t.Helper()
	var r genr.Record
	r.SetSeq(c.seq)
	if c.ip4.IsValid() {
		r.Set(genr.IPv4Addr(c.ip4))
	}
	if c.ip6.IsValid() {
		r.Set(genr.IPv6Addr(c.ip6))
	}
	if c.tcp != 0 {
		r.Set(genr.TCP(c.tcp))
	}
	if c.udp != 0 {
		r.Set(genr.UDP(c.udp))
	}
	if c.tcp6 != 0 {
		r.Set(genr.TCP6(c.tcp6))
	}
	if c.udp6 != 0 {
		r.Set(genr.UDP6(c.udp6))
	}
	if c.eth != nil {
		r.Set(genr.WithEntry("eth", []any{c.eth}))
	}
	if err := genode.SignV4(&r, kp.geth); err != nil {
		t.Fatal(err)
	}
	return &r
}

func recordCases() []recordCase {
	rng := rand.New(rand.NewPCG(7, 8))
	cases := []recordCase{
		{seq: 1, ip4: netip.MustParseAddr("127.0.0.1"), udp: 30303},
		{seq: 0},
		{seq: 1<<64 - 1, ip4: netip.MustParseAddr("1.2.3.4"), tcp: 30303, udp: 30301},
		{seq: 5, ip6: netip.MustParseAddr("2a00:1450:4001::1"), tcp: 1, udp: 2},
		{seq: 6, ip6: netip.MustParseAddr("2a00:1450:4001::1"), tcp: 1, udp: 2, tcp6: 3, udp6: 4},
		{seq: 7, ip4: netip.MustParseAddr("192.168.1.1"), ip6: netip.MustParseAddr("2a00::1"), tcp: 1, udp: 2, udp6: 9},
		{seq: 8, ip4: netip.MustParseAddr("8.8.8.8"), ip6: netip.MustParseAddr("::1"), tcp: 1, udp: 2, udp6: 9},
		{seq: 9, ip4: netip.MustParseAddr("0.0.0.0"), ip6: netip.MustParseAddr("fe80::1"), tcp: 1, udp6: 9},
		{seq: 10, ip4: netip.MustParseAddr("10.0.0.1"), tcp: 65535, udp: 65535, eth: bytes.Repeat([]byte{0xab}, 4)},
	}
	for range 30 {
		c := recordCase{seq: rng.Uint64() >> rng.IntN(64), tcp: uint16(rng.Uint32()), udp: uint16(rng.Uint32())}
		var b4 [4]byte
		var b16 [16]byte
		for i := range b4 {
			b4[i] = byte(rng.Uint32())
		}
		for i := range b16 {
			b16[i] = byte(rng.Uint32())
		}
		b16[0] = 0x2a
		if rng.IntN(2) == 0 {
			c.ip4 = netip.AddrFrom4(b4)
		}
		if rng.IntN(2) == 0 {
			c.ip6 = netip.AddrFrom16(b16)
			c.udp6 = uint16(rng.Uint32())
		}
		if rng.IntN(3) == 0 {
			c.eth = make([]byte, rng.IntN(64))
		}
		cases = append(cases, c)
	}
	return cases
}

func compareNodes(t *testing.T, ours *enode.Node, geth *genode.Node) {
	t.Helper()
	if ours.ID() != enode.ID(geth.ID()) {
		t.Errorf("ID: ours %v, geth %v", ours.ID(), geth.ID())
	}
	if ours.Seq() != geth.Seq() {
		t.Errorf("seq: ours %d, geth %d", ours.Seq(), geth.Seq())
	}
	if ours.IPAddr() != geth.IPAddr() {
		t.Errorf("IP: ours %v, geth %v", ours.IPAddr(), geth.IPAddr())
	}
	if ours.TCP() != geth.TCP() || ours.UDP() != geth.UDP() {
		t.Errorf("ports: ours %d/%d, geth %d/%d", ours.TCP(), ours.UDP(), geth.TCP(), geth.UDP())
	}
	oe, ook := ours.UDPEndpoint()
	ge, gok := geth.UDPEndpoint()
	if ook != gok || (ook && oe != ge) {
		t.Errorf("UDP endpoint: ours %v %v, geth %v %v", oe, ook, ge, gok)
	}
	if ours.String() != geth.String() {
		t.Errorf("String: ours %s\ngeth %s", ours.String(), geth.String())
	}
	if ours.URLv4() != geth.URLv4() {
		t.Errorf("URLv4: ours %s\ngeth %s", ours.URLv4(), geth.URLv4())
	}
}

// TestENROursInGeth: records we sign decode and verify in go-ethereum, with
// the same ID, seq, endpoint, and byte-identical re-encoding.
func TestENROursInGeth(t *testing.T) {
	for i, c := range recordCases() {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			kp := newKeyPair(t)
			r := c.ours(t, kp)
			enc, err := rlp.EncodeToBytes(r)
			if err != nil {
				t.Fatal(err)
			}
			var gr genr.Record
			if err := grlp.DecodeBytes(enc, &gr); err != nil {
				t.Fatalf("geth decode: %v", err)
			}
			gn, err := genode.New(genode.ValidSchemes, &gr)
			if err != nil {
				t.Fatalf("geth verify: %v", err)
			}
			genc, _ := grlp.EncodeToBytes(&gr)
			if !bytes.Equal(enc, genc) {
				t.Fatalf("geth re-encodes differently:\nours %x\ngeth %x", enc, genc)
			}
			on, err := enode.New(enode.ValidSchemes, r)
			if err != nil {
				t.Fatal(err)
			}
			compareNodes(t, on, gn)
			// Text form through geth's parser.
			gn2, err := genode.Parse(genode.ValidSchemes, on.String())
			if err != nil {
				t.Fatalf("geth parse text: %v", err)
			}
			compareNodes(t, on, gn2)
			var eth struct{ V []byte }
			if c.eth != nil {
				if err := gn.Load(genr.WithEntry("eth", &eth)); err != nil || !bytes.Equal(eth.V, c.eth) {
					t.Errorf("eth entry in geth: %x %v", eth.V, err)
				}
			}
		})
	}
}

// TestENRGethInOurs: records go-ethereum signs decode and verify in ours;
// signing the same content with the same key gives the same bytes
// (both sign deterministically, RFC 6979, low S).
func TestENRGethInOurs(t *testing.T) {
	for i, c := range recordCases() {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			kp := newKeyPair(t)
			gr := c.geth(t, kp)
			genc, err := grlp.EncodeToBytes(gr)
			if err != nil {
				t.Fatal(err)
			}
			r, err := enr.DecodeRecord(genc, enode.ValidSchemes)
			if err != nil {
				t.Fatalf("our decode: %v", err)
			}
			on, err := enode.New(enode.ValidSchemes, r)
			if err != nil {
				t.Fatal(err)
			}
			gn, _ := genode.New(genode.ValidSchemes, gr)
			compareNodes(t, on, gn)
			enc, _ := rlp.EncodeToBytes(r)
			if !bytes.Equal(enc, genc) {
				t.Fatalf("we re-encode differently:\ngeth %x\nours %x", genc, enc)
			}
			ours := c.ours(t, kp)
			oenc, _ := rlp.EncodeToBytes(ours)
			if !bytes.Equal(oenc, genc) {
				t.Errorf("same content and key, different records:\ngeth %x\nours %x", genc, oenc)
			}
			if c.eth != nil {
				var eth struct{ V []byte }
				if err := on.Load(enr.Generic{Key: "eth", Value: &eth}); err != nil || !bytes.Equal(eth.V, c.eth) {
					t.Errorf("eth entry in ours: %x %v", eth.V, err)
				}
			}
		})
	}
}

// TestENRTamperedRejectedByBoth: a record with a changed byte fails in both.
func TestENRTamperedRejectedByBoth(t *testing.T) {
	kp := newKeyPair(t)
	r := recordCases()[2].ours(t, kp)
	enc, _ := rlp.EncodeToBytes(r)
	for i := range enc {
		bad := bytes.Clone(enc)
		bad[i] ^= 0x01
		_, ourErr := enr.DecodeRecord(bad, enode.ValidSchemes)
		var gr genr.Record
		gerr := grlp.DecodeBytes(bad, &gr)
		if gerr == nil {
			_, gerr = genode.New(genode.ValidSchemes, &gr)
		}
		if ourErr == nil && gerr != nil {
			t.Errorf("byte %d: we accept what geth rejects (%v)", i, gerr)
		}
		if ourErr == nil && gerr == nil {
			// Only possible if the flip hit a non-signed part that both
			// decode identically; it must be the same node then.
			t.Logf("byte %d: accepted by both", i)
		}
	}
}

// TestEnodeURLRoundTrip: enode URLs go both ways.
func TestEnodeURLRoundTrip(t *testing.T) {
	kp := newKeyPair(t)
	pub := fmt.Sprintf("%x", crypto64(kp))
	urls := []string{
		"enode://" + pub,
		"enode://" + pub + "@127.0.0.1:30303",
		"enode://" + pub + "@1.2.3.4:30303?discport=30301",
		"enode://" + pub + "@[2001:db8::1]:30303",
		"enode://" + pub + "@[::]:1?discport=2",
		"enode://" + pub + "@node.example.org:30303",
		"enode://" + pub + "@node.example.org:30303?discport=0",
	}
	for _, u := range urls {
		on, err := enode.ParseV4(u)
		if err != nil {
			t.Errorf("ours: %s: %v", u, err)
			continue
		}
		gn, err := genode.ParseV4(u)
		if err != nil {
			t.Errorf("geth: %s: %v", u, err)
			continue
		}
		if on.ID() != enode.ID(gn.ID()) || on.IPAddr() != gn.IPAddr() || on.TCP() != gn.TCP() ||
			on.UDP() != gn.UDP() || on.Hostname() != gn.Hostname() {
			t.Errorf("%s: ours %v/%v/%d/%d/%q, geth %v/%v/%d/%d/%q", u,
				on.ID(), on.IPAddr(), on.TCP(), on.UDP(), on.Hostname(),
				gn.ID(), gn.IPAddr(), gn.TCP(), gn.UDP(), gn.Hostname())
		}
		if on.URLv4() != gn.URLv4() || on.String() != gn.String() {
			t.Errorf("%s: ours %s, geth %s", u, on.URLv4(), gn.URLv4())
		}
		// Each library parses the other's output.
		if _, err := genode.ParseV4(on.URLv4()); err != nil {
			t.Errorf("geth parse of ours %s: %v", on.URLv4(), err)
		}
		if _, err := enode.ParseV4(gn.URLv4()); err != nil {
			t.Errorf("our parse of geth's %s: %v", gn.URLv4(), err)
		}
	}
	// Nodes made by NewV4 agree too.
	on := enode.NewV4(&kp.ours.PublicKey, []byte{10, 0, 0, 1}, 30303, 30304)
	gn := genode.NewV4(&kp.geth.PublicKey, []byte{10, 0, 0, 1}, 30303, 30304)
	if on.URLv4() != gn.URLv4() || on.ID() != enode.ID(gn.ID()) {
		t.Errorf("NewV4: ours %s, geth %s", on.URLv4(), gn.URLv4())
	}
}

func crypto64(kp keyPair) []byte {
	return crypto.FromECDSAPub(&kp.ours.PublicKey)[1:]
}

// TestENRDistances: LogDist and DistCmp agree.
func TestENRDistances(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for range 1000 {
		var a, b, c enode.ID
		for i := range a {
			a[i], b[i], c[i] = byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())
		}
		copy(b[:rng.IntN(32)], a[:])
		if enode.LogDist(a, b) != genode.LogDist(genode.ID(a), genode.ID(b)) {
			t.Fatal("LogDist differs")
		}
		if enode.DistCmp(c, a, b) != genode.DistCmp(genode.ID(c), genode.ID(a), genode.ID(b)) {
			t.Fatal("DistCmp differs")
		}
	}
}

// TestENRVectorsBothParsers: the published record texts give the same nodes
// in both libraries (and the invalid ones fail in both).
func TestENRVectorsBothParsers(t *testing.T) {
	data, err := os.ReadFile("../enode/testdata/enr.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []struct {
			Name   string
			Inputs struct{ Text *string }
		}
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range file.Vectors {
		if v.Inputs.Text == nil {
			continue
		}
		n++
		on, oerr := enode.Parse(enode.ValidSchemes, *v.Inputs.Text)
		gn, gerr := genode.Parse(genode.ValidSchemes, *v.Inputs.Text)
		if (oerr == nil) != (gerr == nil) {
			t.Errorf("%s: ours %v, geth %v", v.Name, oerr, gerr)
			continue
		}
		if oerr == nil {
			compareNodes(t, on, gn)
		}
	}
	if n < 5 {
		t.Fatalf("only %d record texts", n)
	}
}
