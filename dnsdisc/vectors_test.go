package dnsdisc

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
)

// vector is one case of testdata/dnsdisc.json (EIP-1459 examples and the
// parsing cases of the reference implementation).
type vector struct {
	Name   string `json:"name"`
	Inputs struct {
		URL     string  `json:"url"`
		Entry   *string `json:"entry"`
		TreeURL string  `json:"tree_url"`
		Records []struct {
			Name string `json:"name"`
			TXT  string `json:"txt"`
		} `json:"records"`
	} `json:"inputs"`
	Expected struct {
		Valid       bool     `json:"valid"`
		ErrorKind   string   `json:"error_kind"`
		Type        string   `json:"type"`
		Domain      string   `json:"domain"`
		PublicKey   string   `json:"public_key"`
		NodeID      string   `json:"node_id"`
		Children    []string `json:"children"`
		E, L        string
		Seq         uint64   `json:"seq"`
		Sig         string   `json:"sig"`
		Links       []string `json:"links"`
		Nodes       []string `json:"nodes"`
		FailingName string   `json:"failing_name"`
		SigningKey  string   `json:"signing_private_key"`
		Root        *struct {
			E, L string
			Seq  uint64 `json:"seq"`
			Sig  string `json:"sig"`
		} `json:"root"`
	} `json:"expected"`
	Derived struct {
		KeyDecoded string `json:"public_key_base32_decoded"`
	} `json:"derived"`
}

func loadVectors(t *testing.T) []vector {
	vectors, err := readVectorsFile()
	if err != nil {
		t.Fatal(err)
	}
	if len(vectors) < 20 {
		t.Fatalf("only %d vectors loaded", len(vectors))
	}
	return vectors
}

func readVectorsFile() ([]vector, error) {
	data, err := os.ReadFile("testdata/dnsdisc.json")
	if err != nil {
		return nil, err
	}
	var file struct{ Vectors []vector }
	err = json.Unmarshal(data, &file)
	return file.Vectors, err
}

var errorKinds = map[string]error{
	"Syntax":       ErrSyntax,
	"InvalidSig":   ErrInvalidSig,
	"InvalidChild": ErrInvalidChild,
	"NoPubkey":     ErrNoPubkey,
	"BadPubkey":    ErrBadPubkey,
	"InvalidENR":   ErrInvalidENR,
	"UnknownEntry": ErrUnknownEntry,
}

func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			switch {
			case v.Inputs.URL != "":
				testVectorURL(t, v)
			case v.Inputs.Entry != nil:
				testVectorEntry(t, v)
			case len(v.Inputs.Records) > 0:
				testVectorTree(t, v)
			default:
				t.Fatal("vector of unknown shape")
			}
		})
	}
}

func testVectorURL(t *testing.T, v vector) {
	domain, pubkey, err := ParseURL(v.Inputs.URL)
	if err != nil {
		t.Fatal(err)
	}
	if domain != v.Expected.Domain {
		t.Errorf("domain %q, want %q", domain, v.Expected.Domain)
	}
	if got := hex.EncodeToString(crypto.CompressPubkey(pubkey)); got != v.Derived.KeyDecoded {
		t.Errorf("key %s, want %s", got, v.Derived.KeyDecoded)
	}
	if got := FormatURL(pubkey, domain); got != v.Inputs.URL {
		t.Errorf("FormatURL = %s", got)
	}
}

func testVectorEntry(t *testing.T, v vector) {
	text := *v.Inputs.Entry
	var e entry
	var err error
	if strings.HasPrefix(text, rootPrefix) {
		e, err = parseRoot(text)
	} else {
		e, err = parseEntry(text, enode.ValidSchemes)
	}
	if !v.Expected.Valid {
		want := errorKinds[v.Expected.ErrorKind]
		if want == nil {
			t.Fatalf("unknown error kind %q", v.Expected.ErrorKind)
		}
		if !errors.Is(err, want) {
			t.Fatalf("error %v, want %v", err, want)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if e.String() != text {
		t.Errorf("String() = %q, want the input", e.String())
	}
	switch e := e.(type) {
	case *rootEntry:
		if e.eroot != v.Expected.E || e.lroot != v.Expected.L || e.seq != v.Expected.Seq || hex.EncodeToString(e.sig) != v.Expected.Sig {
			t.Errorf("root %+v", e)
		}
	case *branchEntry:
		if v.Expected.Type != "branch" || strings.Join(e.children, ",") != strings.Join(v.Expected.Children, ",") {
			t.Errorf("branch %v, want %s %v", e.children, v.Expected.Type, v.Expected.Children)
		}
	case *linkEntry:
		if v.Expected.Type != "link" || e.domain != v.Expected.Domain || hex.EncodeToString(crypto.FromECDSAPub(e.pubkey)[1:]) != v.Expected.PublicKey {
			t.Errorf("link %s %x, want %s %s", e.domain, crypto.FromECDSAPub(e.pubkey), v.Expected.Domain, v.Expected.PublicKey)
		}
	case *enrEntry:
		if v.Expected.Type != "enr" || e.node.ID().String() != v.Expected.NodeID {
			t.Errorf("enr node %v, want %s", e.node.ID(), v.Expected.NodeID)
		}
	}
}

// testVectorTree serves the vector's records (names relative to the tree's
// domain, "@" for the domain itself) and syncs the tree.
func testVectorTree(t *testing.T, v vector) {
	domain, _, err := ParseURL(v.Inputs.TreeURL)
	if err != nil {
		t.Fatal(err)
	}
	r := newMapResolver()
	for _, rec := range v.Inputs.Records {
		name := rec.Name
		switch {
		case name == "@":
			name = domain
		case !strings.HasSuffix(name, "."+domain) && name != domain:
			name += "." + domain
		}
		r.set(name, rec.TXT)
	}
	c := newTestClient(t, fastConfig(t, r))
	tree, err := c.SyncTree(context.Background(), v.Inputs.TreeURL)
	if !v.Expected.Valid {
		if !errors.Is(err, errorKinds[v.Expected.ErrorKind]) {
			t.Fatalf("error %v, want kind %s", err, v.Expected.ErrorKind)
		}
		if !strings.Contains(err.Error(), v.Expected.FailingName) {
			t.Fatalf("error %q does not name %s", err, v.Expected.FailingName)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	root := v.Expected.Root
	if tree.root.eroot != root.E || tree.root.lroot != root.L || tree.Seq() != root.Seq || hex.EncodeToString(tree.root.sig) != root.Sig {
		t.Errorf("root %v", tree.root)
	}
	if got := strings.Join(tree.Links(), " "); got != strings.Join(v.Expected.Links, " ") {
		t.Errorf("links %s", got)
	}
	var want []*enode.Node
	for _, text := range v.Expected.Nodes {
		want = append(want, mustParseNode(t, text))
	}
	sameNodes(t, tree.Nodes(), want)

	// The signing key in the vector makes the same root signature.
	key, err := crypto.HexToECDSA(v.Expected.SigningKey)
	if err != nil {
		t.Fatal(err)
	}
	if got := FormatURL(&key.PublicKey, domain); got != v.Inputs.TreeURL {
		t.Errorf("signing key gives URL %s", got)
	}
	sig, err := crypto.Sign(tree.root.sigHash(), key)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(sig) != root.Sig {
		t.Errorf("re-signing gives %x", sig)
	}
}
