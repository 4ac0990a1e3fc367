package devp2p

import (
	"bytes"
	"net/netip"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/nat"
)

const exampleConfig = "docs/example-config.toml"

// commandSection starts the part of the sample that configures the devp2p
// node command rather than the Server; cmd/devp2p tests it.
const commandSection = "\n# ---- The devp2p node command"

// readExampleConfig returns the Server's part of the sample.
func readExampleConfig(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	lib, _, found := bytes.Cut(data, []byte(commandSection))
	if !found {
		t.Fatalf("%s has no %q section", exampleConfig, strings.TrimSpace(commandSection))
	}
	return lib
}

// TestExampleConfig loads docs/example-config.toml as `devp2p node --config`
// does and checks every value, so the sample cannot drift from the format.
func TestExampleConfig(t *testing.T) {
	cfg, err := LoadConfig(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Name != "my-devp2p-node" || cfg.ListenAddr != "0.0.0.0:30303" ||
		cfg.MaxPeers != 50 || cfg.DialRatio != 3 || cfg.MaxPendingPeers != 50 ||
		cfg.NoDial || cfg.NoDiscovery || !cfg.DiscoveryV5 || cfg.EnableMsgEvents || cfg.NAT != nil {
		t.Errorf("active settings: %+v", cfg)
	}
	// The commented examples are left out of the active configuration.
	if cfg.PrivateKey != nil || cfg.NetRestrict != nil || cfg.NodeDatabase != "" ||
		cfg.BootstrapNodes != nil || cfg.BootstrapNodesV5 != nil || cfg.StaticNodes != nil || cfg.TrustedNodes != nil ||
		cfg.DNSDiscovery != nil {
		t.Errorf("a commented-out example is active: %+v", cfg)
	}
	cfg.PrivateKey = newKey(t) // the one required setting the file leaves to the data directory
	full := cfg.withDefaults()
	if err := full.validate(); err != nil {
		t.Errorf("sample config does not validate: %v", err)
	}
}

// exampleLine matches an optional setting shown as a comment: "# Key = value".
var exampleLine = regexp.MustCompile(`(?m)^# ([A-Z][A-Za-z0-9]*) = `)

// TestExampleConfigCommented uncomments the optional settings of the sample
// and checks that they parse to what their comments say. A second value for
// a key that is also set (NAT) replaces the active line.
func TestExampleConfigCommented(t *testing.T) {
	data := readExampleConfig(t)
	commented := map[string]bool{}
	for _, m := range exampleLine.FindAllStringSubmatch(string(data), -1) {
		commented[m[1]] = true
	}
	var lines []string
	activeLine := regexp.MustCompile(`^([A-Z][A-Za-z0-9]*) = `)
	for _, line := range strings.Split(string(data), "\n") {
		if m := activeLine.FindStringSubmatch(line); m != nil && commented[m[1]] {
			continue // replaced by its commented alternative
		}
		lines = append(lines, exampleLine.ReplaceAllString(line, "$1 = "))
	}
	cfg, err := ParseConfigTOML([]byte(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatalf("uncommented sample: %v", err)
	}
	if cfg.PrivateKey == nil || enode.PubkeyToIDV4(&cfg.PrivateKey.PublicKey).String() != "a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7" {
		t.Errorf("PrivateKey is not the EIP-778 example key")
	}
	if got := cfg.NAT; got == nil || got.String() != nat.Any().String() {
		t.Errorf("NAT %v, want any", got)
	}
	if cfg.NetRestrict == nil || !cfg.NetRestrict.Contains(netip.MustParseAddr("10.1.2.3")) ||
		!cfg.NetRestrict.Contains(netip.MustParseAddr("192.168.7.7")) || cfg.NetRestrict.Contains(netip.MustParseAddr("203.0.113.10")) {
		t.Errorf("NetRestrict %v", cfg.NetRestrict)
	}
	if len(cfg.DNSDiscovery) != 1 || !strings.HasSuffix(cfg.DNSDiscovery[0], "@all.mainnet.ethdisco.net") {
		t.Errorf("DNSDiscovery %q", cfg.DNSDiscovery)
	}
	if cfg.NodeDatabase != "/var/lib/devp2p/nodes" {
		t.Errorf("NodeDatabase %q", cfg.NodeDatabase)
	}
	for name, nodes := range map[string]int{
		"StaticNodes": len(cfg.StaticNodes), "TrustedNodes": len(cfg.TrustedNodes),
		"BootstrapNodes": len(cfg.BootstrapNodes), "BootstrapNodesV5": len(cfg.BootstrapNodesV5),
	} {
		if nodes != 1 {
			t.Errorf("%s: %d nodes, want 1", name, nodes)
		}
	}
	if n := cfg.BootstrapNodes[0]; n.IPAddr() != netip.MustParseAddr("203.0.113.10") || n.TCP() != 30303 || n.UDP() != 30301 {
		t.Errorf("bootnode %v", n)
	}
	if n := cfg.BootstrapNodesV5[0]; n.Seq() != 1 || n.UDP() != 30303 {
		t.Errorf("v5 bootnode %v", n)
	}
}

// TestExampleConfigComplete: every key the loader accepts appears in the
// sample, set or as a commented example.
func TestExampleConfigComplete(t *testing.T) {
	data, err := os.ReadFile(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	typ := reflect.TypeFor[fileConfig]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		re := regexp.MustCompile(`(?m)^(# )?` + f.Name + ` = `)
		if !re.Match(data) {
			t.Errorf("%s is not in %s", f.Name, exampleConfig)
		}
	}
}
