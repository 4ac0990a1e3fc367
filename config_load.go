package devp2p

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/netutil"
)

// fileConfig is the serializable part of Config as it appears in files: the
// same field names, with the node key as hex and nodes as enode:// or enr:
// text.
type fileConfig struct {
	PrivateKey       string
	MaxPeers         *int // nil when absent, so that an explicit 0 is refused
	MaxPendingPeers  int
	DialRatio        int
	NoDiscovery      bool
	DiscoveryV5      bool
	Name             string
	BootstrapNodes   []string
	BootstrapNodesV5 []string
	StaticNodes      []string
	TrustedNodes     []string
	NetRestrict      *netutil.Netlist
	NodeDatabase     string
	ListenAddr       string
	NAT              string // nat.Parse syntax: "any", "upnp", "extip:1.2.3.4", ...
	NoDial           bool
	EnableMsgEvents  bool
	LANExempt        netutil.LANExemption // "auto", "always" or "never"
	DNSDiscovery     []string             // enrtree:// URLs
}

// LoadConfig reads a Config from a file, TOML or JSON by its extension
// (.toml, .json). Fields that cannot live in a file (Protocols, Logger, …)
// are left zero for the caller to set. Unknown fields are an error, so a
// misspelt option does not go unnoticed.
func LoadConfig(path string) (Config, error) {
	return loadConfigFile(path, ParseConfigTOML, ParseConfigJSON)
}

// loadConfigFile reads path and parses it with the parser its extension
// names.
func loadConfigFile(path string, parseTOML, parseJSON func([]byte) (Config, error)) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	var cfg Config
	switch strings.ToLower(filepath.Ext(path)) {
	case ".toml":
		cfg, err = parseTOML(data)
	case ".json":
		cfg, err = parseJSON(data)
	default:
		return Config{}, fmt.Errorf("devp2p: config %s: unknown format (want .toml or .json)", path)
	}
	if err != nil {
		return Config{}, fmt.Errorf("devp2p: config %s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfigTOML parses a Config from TOML.
func ParseConfigTOML(data []byte) (Config, error) {
	var fc fileConfig
	md, err := toml.Decode(string(data), &fc)
	if err != nil {
		return Config{}, tomlError(err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		return Config{}, fmt.Errorf("unknown field %q", undecoded[0].String())
	}
	return fc.config()
}

// ParseConfigJSON parses a Config from JSON.
func ParseConfigJSON(data []byte) (Config, error) {
	var fc fileConfig
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		return Config{}, jsonError(data, err)
	}
	return fc.config()
}

func (fc *fileConfig) config() (Config, error) {
	if err := checkFileMaxPeers(fc.MaxPeers); err != nil {
		return Config{}, err
	}
	cfg := Config{
		MaxPendingPeers: fc.MaxPendingPeers,
		DialRatio:       fc.DialRatio,
		NoDiscovery:     fc.NoDiscovery,
		DiscoveryV5:     fc.DiscoveryV5,
		Name:            fc.Name,
		NetRestrict:     fc.NetRestrict,
		NodeDatabase:    fc.NodeDatabase,
		ListenAddr:      fc.ListenAddr,
		NoDial:          fc.NoDial,
		LANExempt:       fc.LANExempt,
		EnableMsgEvents: fc.EnableMsgEvents,
	}

	if fc.MaxPeers != nil {
		cfg.MaxPeers = *fc.MaxPeers
	}
	if fc.PrivateKey != "" {
		key, err := crypto.HexToECDSA(strings.TrimPrefix(strings.TrimSpace(fc.PrivateKey), "0x"))
		if err != nil {
			// Never echo the key material in the error.
			return Config{}, errors.New("PrivateKey: invalid hex key")
		}
		cfg.PrivateKey = key
	}
	var err error
	if cfg.DNSDiscovery, err = parseDNSURLs(fc.DNSDiscovery); err != nil {
		return Config{}, fmt.Errorf("DNSDiscovery: %w", err)
	}
	if cfg.NAT, err = parseNAT(fc.NAT); err != nil {
		return Config{}, fmt.Errorf("NAT: %w", err)
	}
	lists := []struct {
		name string
		in   []string
		out  *[]*enode.Node
	}{
		{"BootstrapNodes", fc.BootstrapNodes, &cfg.BootstrapNodes},
		{"BootstrapNodesV5", fc.BootstrapNodesV5, &cfg.BootstrapNodesV5},
		{"StaticNodes", fc.StaticNodes, &cfg.StaticNodes},
		{"TrustedNodes", fc.TrustedNodes, &cfg.TrustedNodes},
	}
	for _, l := range lists {
		if *l.out, err = parseNodes(l.in); err != nil {
			return Config{}, fmt.Errorf("%s: %w", l.name, err)
		}
	}
	return cfg, nil
}

func parseNodes(in []string) ([]*enode.Node, error) {
	var nodes []*enode.Node
	for i, s := range in {
		n, err := enode.Parse(enode.ValidSchemes, strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}
