package v4wire

import (
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/rlp"
)

// discv4Vectors mirrors testdata/discv4.json.
type discv4Vectors struct {
	Vectors []struct {
		Name   string `json:"name"`
		Note   string `json:"note"`
		Inputs struct {
			PrivateKey string `json:"private_key"`
			Packet     string `json:"packet"`
		} `json:"inputs"`
		Expected struct {
			PublicKey string `json:"public_key"`
			NodeID    string `json:"node_id"`
			Valid     bool   `json:"valid"`
			Hash      string `json:"hash"`
			Type      byte   `json:"packet_type"`
			Signer    string `json:"signer_public_key"`
			Fields    struct {
				ENRSeq     *uint64       `json:"enr_seq"`
				Expiration uint64        `json:"expiration"`
				From       *jsonEndpoint `json:"from"`
				To         *jsonEndpoint `json:"to"`
				Version    *uint         `json:"version"`
				ReplyToken string        `json:"reply_token"`
				Target     string        `json:"target"`
				Rest       []string      `json:"rest"`
				Nodes      []jsonNode    `json:"nodes"`
			} `json:"fields"`
		} `json:"expected"`
	} `json:"vectors"`
}

type jsonEndpoint struct {
	IP  string `json:"ip"`
	TCP uint16 `json:"tcp"`
	UDP uint16 `json:"udp"`
}

type jsonNode struct {
	ID  string `json:"id"`
	IP  string `json:"ip"`
	TCP uint16 `json:"tcp"`
	UDP uint16 `json:"udp"`
}

func loadVectors(t testing.TB) discv4Vectors {
	t.Helper()
	data, err := os.ReadFile("testdata/discv4.json")
	if err != nil {
		t.Fatal(err)
	}
	var v discv4Vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// vectorPackets returns the packets of discv4.json and eip8.json.
func vectorPackets(t testing.TB) [][]byte {
	var out [][]byte
	for _, v := range loadVectors(t).Vectors {
		if v.Inputs.Packet != "" {
			out = append(out, mustHex(t, v.Inputs.Packet))
		}
	}
	data, err := os.ReadFile("testdata/eip8.json")
	if err != nil {
		t.Fatal(err)
	}
	var e8 struct {
		Vectors []struct {
			Name string `json:"name"`
			Hex  string `json:"hex"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(data, &e8); err != nil {
		t.Fatal(err)
	}
	for _, v := range e8.Vectors {
		if v.Hex != "" && (strings.HasPrefix(v.Name, "ping") || strings.HasPrefix(v.Name, "pong") ||
			strings.HasPrefix(v.Name, "findnode") || strings.HasPrefix(v.Name, "neighbours")) {
			out = append(out, mustHex(t, v.Hex))
		}
	}
	return out
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVectors(t *testing.T) {
	vectors := loadVectors(t)
	for _, v := range vectors.Vectors {
		if v.Inputs.PrivateKey != "" {
			key, err := crypto.HexToECDSA(v.Inputs.PrivateKey)
			if err != nil {
				t.Fatal(err)
			}
			pub := EncodePubkey(&key.PublicKey)
			if hex.EncodeToString(pub[:]) != v.Expected.PublicKey {
				t.Errorf("public key mismatch")
			}
			if id := pub.ID(); hex.EncodeToString(id[:]) != v.Expected.NodeID {
				t.Errorf("node ID mismatch")
			}
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			p, from, hash, err := Decode(mustHex(t, v.Inputs.Packet))
			if err != nil {
				t.Fatalf("decode error: %v (note: %s)", err, v.Note)
			}
			exp := v.Expected
			if hex.EncodeToString(hash) != exp.Hash {
				t.Errorf("hash %x, want %s", hash, exp.Hash)
			}
			if hex.EncodeToString(from[:]) != exp.Signer {
				t.Errorf("signer %x, want %s", from[:], exp.Signer)
			}
			if p.Kind() != exp.Type {
				t.Fatalf("type %d, want %d", p.Kind(), exp.Type)
			}
			f := exp.Fields
			var rest []rlp.RawValue
			switch p := p.(type) {
			case *Ping:
				checkEndpoint(t, "from", p.From, f.From)
				checkEndpoint(t, "to", p.To, f.To)
				if p.Version != *f.Version || p.Expiration != f.Expiration {
					t.Errorf("version %d expiration %d", p.Version, p.Expiration)
				}
				wantSeq := uint64(0)
				if f.ENRSeq != nil {
					wantSeq = *f.ENRSeq
				}
				if p.ENRSeq != wantSeq {
					t.Errorf("enr-seq %d, want %d", p.ENRSeq, wantSeq)
				}
				rest = p.Rest
			case *Pong:
				checkEndpoint(t, "to", p.To, f.To)
				if hex.EncodeToString(p.ReplyTok) != f.ReplyToken || p.Expiration != f.Expiration {
					t.Errorf("reply token %x expiration %d", p.ReplyTok, p.Expiration)
				}
				if p.ENRSeq != 0 {
					t.Errorf("enr-seq %d, want none", p.ENRSeq)
				}
				rest = p.Rest
			case *Findnode:
				if hex.EncodeToString(p.Target[:]) != f.Target || p.Expiration != f.Expiration {
					t.Errorf("target %x expiration %d", p.Target, p.Expiration)
				}
				rest = p.Rest
			case *Neighbors:
				if len(p.Nodes) != len(f.Nodes) {
					t.Fatalf("%d nodes, want %d", len(p.Nodes), len(f.Nodes))
				}
				for i, n := range p.Nodes {
					w := f.Nodes[i]
					if n.IP != netip.MustParseAddr(w.IP) || n.UDP != w.UDP || n.TCP != w.TCP || hex.EncodeToString(n.ID[:]) != w.ID {
						t.Errorf("node %d: %+v, want %+v", i, n, w)
					}
				}
				if p.Expiration != f.Expiration {
					t.Errorf("expiration %d", p.Expiration)
				}
				rest = p.Rest
			default:
				t.Fatalf("unexpected packet %T", p)
			}
			if len(rest) != len(f.Rest) {
				t.Fatalf("rest has %d elements, want %d", len(rest), len(f.Rest))
			}
			for i := range rest {
				if hex.EncodeToString(rest[i]) != f.Rest[i] {
					t.Errorf("rest[%d] = %x, want %s", i, rest[i], f.Rest[i])
				}
			}
		})
	}
}

func checkEndpoint(t *testing.T, name string, got Endpoint, want *jsonEndpoint) {
	t.Helper()
	if want == nil {
		t.Fatalf("%s: no expected value", name)
	}
	if got.IP != netip.MustParseAddr(want.IP) || got.UDP != want.UDP || got.TCP != want.TCP {
		t.Errorf("%s = %+v, want %+v", name, got, *want)
	}
}

// The eip8.json copies of the packets decode as well and agree with
// discv4.json.
func TestEIP8Vectors(t *testing.T) {
	pkts := vectorPackets(t)
	if len(pkts) < 11 {
		t.Fatalf("only %d vector packets", len(pkts))
	}
	for i, pkt := range pkts {
		if _, _, _, err := Decode(pkt); err != nil {
			t.Errorf("packet %d: %v", i, err)
		}
	}
}
