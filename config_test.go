package devp2p

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/netutil"
)

const testNodeURL = "enode://a979fb575495b8d6db44f750317d0f4622bf4c2aa3365d6af7c284339968eef29b69ad0dce72a4d8db5ebb4968de0e3bec910127f134779fbcb0cb6d3331163c@52.16.188.185:30303"

func TestConfigDefaultsAndValidate(t *testing.T) {
	c := Config{PrivateKey: newKey(t), MaxPeers: 50}.withDefaults()
	if c.MaxPendingPeers != 50 || c.DialRatio != 3 || c.Name == "" || c.Logger == nil || c.Clock == nil {
		t.Fatalf("defaults: %+v", c)
	}
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	if d, in := c.maxDialedConns(), c.maxInboundConns(); d != 16 || in != 34 {
		t.Errorf("50 peers: %d dialed, %d inbound; want 16, 34", d, in)
	}
	run := func(*Peer, MsgReadWriter) error { return nil }
	bad := []struct {
		name string
		mod  func(*Config)
	}{
		{"no key", func(c *Config) { c.PrivateKey = nil }},
		{"no peers", func(c *Config) { c.MaxPeers = 0 }},
		{"negative ratio", func(c *Config) { c.DialRatio = -1 }},
		{"bad listen", func(c *Config) { c.ListenAddr = "nope" }},
		{"no run", func(c *Config) { c.Protocols = []Protocol{{Name: "a", Version: 1, Length: 1}} }},
		{"no length", func(c *Config) { c.Protocols = []Protocol{{Name: "a", Version: 1, Run: run}} }},
		{"twice", func(c *Config) {
			p := Protocol{Name: "a", Version: 1, Length: 1, Run: run}
			c.Protocols = []Protocol{p, p}
		}},
		{"nil node", func(c *Config) { c.StaticNodes = []*enode.Node{nil} }},
	}
	for _, tt := range bad {
		c := Config{PrivateKey: newKey(t), MaxPeers: 5}
		tt.mod(&c)
		c = c.withDefaults()
		if err := c.validate(); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	if err := (&Server{}).Start(); !errors.Is(err, ErrNoPrivateKey) {
		t.Errorf("empty config: %v", err)
	}
}

func TestLoadConfig(t *testing.T) {
	key := newKey(t)
	hexKey := strings.TrimPrefix(hexOf(crypto.FromECDSA(key)), "0x")
	toml := `
PrivateKey = "` + hexKey + `"
MaxPeers = 25
DialRatio = 2
Name = "mynode"
ListenAddr = ":30303"
NoDiscovery = true
StaticNodes = ["` + testNodeURL + `"]
NetRestrict = ["10.0.0.0/8", "127.0.0.0/8"]
NodeDatabase = "/tmp/nodes"
LANExempt = "never"
`
	json := `{"PrivateKey": "0x` + hexKey + `", "MaxPeers": 25, "DialRatio": 2, "Name": "mynode",
 "ListenAddr": ":30303", "NoDiscovery": true, "StaticNodes": ["` + testNodeURL + `"],
 "NetRestrict": ["10.0.0.0/8", "127.0.0.0/8"], "NodeDatabase": "/tmp/nodes", "LANExempt": "never"}`
	dir := t.TempDir()
	for name, content := range map[string]string{"c.toml": toml, "c.json": json} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(content), 0o600)
		c, err := LoadConfig(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !c.PrivateKey.Equal(key) || c.MaxPeers != 25 || c.DialRatio != 2 || c.Name != "mynode" ||
			c.ListenAddr != ":30303" || !c.NoDiscovery || c.NodeDatabase != "/tmp/nodes" ||
			c.LANExempt != netutil.LANExemptNever {
			t.Errorf("%s: loaded %+v", name, c)
		}
		if len(c.StaticNodes) != 1 || c.StaticNodes[0].URLv4() != testNodeURL {
			t.Errorf("%s: static nodes %v", name, c.StaticNodes)
		}
		if c.NetRestrict == nil || len(*c.NetRestrict) != 2 {
			t.Errorf("%s: NetRestrict %v", name, c.NetRestrict)
		}
	}
	// Unknown fields and bad values are errors; the key is never echoed.
	for _, in := range []string{`MaxPeer = 1`, `LANExempt = "sometimes"`, `StaticNodes = ["enode://nope"]`, `PrivateKey = "zz` + hexKey[2:] + `"`} {
		_, err := ParseConfigTOML([]byte(in))
		if err == nil {
			t.Errorf("%q accepted", in)
		} else if strings.Contains(err.Error(), hexKey[2:]) {
			t.Errorf("error echoes the key: %v", err)
		}
	}
	if _, err := ParseConfigJSON([]byte(`{"MaxPeer": 1}`)); err == nil {
		t.Error("JSON unknown field accepted")
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
