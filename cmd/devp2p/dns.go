package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p/dnsdisc"
	"github.com/devp2p-go/devp2p/enode"
)

// Files of a tree directory.
const (
	dnsNodesFile = "nodes.json"        // the node set (node ID → record and stats)
	dnsInfoFile  = "enrtree-info.json" // domain, seq, signature and links
	// maxTreeInfoFile bounds enrtree-info.json; it holds a few links.
	maxTreeInfoFile = 1 << 20
)

// TTLs of the zone file: the root changes with every signing, the hashed
// entries never do (a new version has new names).
const (
	zoneRootTTL  = 60
	zoneEntryTTL = 86900
)

var dnsCommand = &cli.Command{
	Name:  "dns",
	Usage: "publish and read EIP-1459 node lists in DNS (enrtree://)",
	Commands: []*cli.Command{
		{
			Name:      "sign",
			Usage:     "sign the node set DIR/" + dnsNodesFile + " as a tree; writes DIR/" + dnsInfoFile,
			ArgsUsage: "DIR KEYFILE",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "domain", Usage: "DNS name the tree is published at (default: the one in " + dnsInfoFile + ")"},
				&cli.Uint64Flag{Name: "seq", Usage: "sequence number (default: one more than in " + dnsInfoFile + ", or 1)"},
			},
			Action: dnsSign,
		},
		{
			Name:      "to-txt",
			Usage:     "print the TXT records of the signed tree in DIR as JSON (name → text), or write them to FILE",
			ArgsUsage: "DIR [FILE]",
			Action:    dnsToTXT,
		},
		{
			Name:      "to-zone",
			Usage:     "print the signed tree in DIR as a DNS zone file, or write it to FILE",
			ArgsUsage: "DIR [FILE]",
			Action:    dnsToZone,
		},
		{
			Name:      "sync",
			Usage:     "download and verify the tree at URL; with DIR, write its node set and signature there",
			ArgsUsage: "URL [DIR]",
			Flags: []cli.Flag{
				&cli.Float64Flag{Name: "rate", Value: 50, Usage: "DNS queries per second"},
				&cli.DurationFlag{Name: "timeout", Value: 30 * time.Minute, Usage: "give up after this long"},
				&cli.StringFlag{Name: "dns.server", Usage: "ask this DNS server (HOST:PORT) instead of the system's"},
				&cli.IntFlag{Name: "verbosity", Value: 2, Usage: "log level: 0 silent, 1 error, 2 warn, 3 info, 4 debug, 5 trace"},
			},
			Action: dnsSync,
		},
	},
}

// treeInfo is DIR/enrtree-info.json: what, with the node set, makes the
// signed tree again.
type treeInfo struct {
	URL    string   `json:"url,omitempty"`
	Domain string   `json:"domain"`
	Seq    uint64   `json:"seq"`
	Sig    string   `json:"sig,omitempty"`
	Links  []string `json:"links,omitempty"`
}

func dnsSign(_ context.Context, cmd *cli.Command) error {
	if cmd.NArg() != 2 {
		return usageErrorf(cmd, "want arguments DIR KEYFILE, got %d", cmd.NArg())
	}
	dir, keyfile := cmd.Args().Get(0), cmd.Args().Get(1)
	info, err := loadTreeInfo(dir, false)
	if err != nil {
		return err
	}
	if cmd.IsSet("domain") {
		info.Domain = cmd.String("domain")
	}
	if info.Domain == "" {
		return usageErrorf(cmd, "--domain is required (no %s in %s)", dnsInfoFile, dir)
	}
	if cmd.IsSet("seq") {
		info.Seq = cmd.Uint64("seq")
	} else {
		info.Seq++
	}
	key, err := loadKeyFile(keyfile)
	if err != nil {
		return err
	}
	nodes, err := loadTreeNodes(dir)
	if err != nil {
		return err
	}
	tree, err := dnsdisc.MakeTree(info.Seq, nodes, info.Links)
	if err != nil {
		return err
	}
	url, err := tree.Sign(key, info.Domain)
	if err != nil {
		return err
	}
	info.URL, info.Sig = url, tree.Signature()
	if err := writeJSON(filepath.Join(dir, dnsInfoFile), info); err != nil {
		return err
	}
	fmt.Printf("signed %d nodes, %d links, seq %d\n%s\n", len(nodes), len(info.Links), info.Seq, url)
	return nil
}

func dnsToTXT(_ context.Context, cmd *cli.Command) error {
	dir, out, err := dirAndOutput(cmd)
	if err != nil {
		return err
	}
	info, tree, err := loadSignedTree(dir)
	if err != nil {
		return err
	}
	records, err := tree.ToTXT(info.Domain)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(records, "", "  ") // keys sorted
	if err != nil {
		return err
	}
	return writeOutput(out, append(data, '\n'))
}

func dnsToZone(_ context.Context, cmd *cli.Command) error {
	dir, out, err := dirAndOutput(cmd)
	if err != nil {
		return err
	}
	info, tree, err := loadSignedTree(dir)
	if err != nil {
		return err
	}
	records, err := tree.ToTXT(info.Domain)
	if err != nil {
		return err
	}
	return writeOutput(out, []byte(zoneFile(info.Domain, records)))
}

// zoneFile writes the records in the master file format of RFC 1035, names
// relative to $ORIGIN, each text split into quoted strings of ≤ 255 bytes.
func zoneFile(domain string, records map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "$ORIGIN %s.\n", domain)
	fmt.Fprintf(&b, "@ %d IN TXT %s\n", zoneRootTTL, zoneStrings(records[domain]))
	for _, name := range slices.Sorted(maps.Keys(records)) {
		if name == domain {
			continue
		}
		rel := strings.TrimSuffix(name, "."+domain)
		fmt.Fprintf(&b, "%s %d IN TXT %s\n", rel, zoneEntryTTL, zoneStrings(records[name]))
	}
	return b.String()
}

func zoneStrings(text string) string {
	var parts []string
	for len(text) > 0 {
		n := min(len(text), 255)
		s := strings.ReplaceAll(text[:n], `\`, `\\`)
		parts = append(parts, `"`+strings.ReplaceAll(s, `"`, `\"`)+`"`)
		text = text[n:]
	}
	if len(parts) == 0 {
		return `""`
	}
	return strings.Join(parts, " ")
}

func dnsSync(ctx context.Context, cmd *cli.Command) error {
	if cmd.NArg() < 1 || cmd.NArg() > 2 {
		return usageErrorf(cmd, "want arguments URL [DIR], got %d", cmd.NArg())
	}
	url, dir := cmd.Args().Get(0), cmd.Args().Get(1)
	domain, _, err := dnsdisc.ParseURL(url)
	if err != nil {
		return usageErrorf(cmd, "%v", err)
	}
	rate := cmd.Float64("rate")
	if rate <= 0 {
		return flagError("rate", rate, "must be positive")
	}
	log, err := newLogger(cmd)
	if err != nil {
		return err
	}
	cfg := dnsdisc.Config{RateLimit: rate, Logger: log}
	if server := cmd.String("dns.server"); server != "" {
		if _, _, err := net.SplitHostPort(server); err != nil {
			return flagError("dns.server", server, "want HOST:PORT")
		}
		cfg.Resolver = dnsdisc.NewResolver(server)
	}
	client, err := dnsdisc.NewClient(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, cmd.Duration("timeout"))
	defer cancel()
	tree, err := client.SyncTree(ctx, url)
	if err != nil {
		return err
	}
	fmt.Printf("%s: seq %d, %d nodes, %d links\n", url, tree.Seq(), len(tree.Nodes()), len(tree.Links()))
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fileError("create", dir, err)
	}
	set := make(nodeSet)
	for _, n := range tree.Nodes() {
		set[n.ID()] = &nodeSetEntry{Seq: n.Seq(), Record: nodeRecord{n}}
	}
	if err := set.write(filepath.Join(dir, dnsNodesFile)); err != nil {
		return err
	}
	info := treeInfo{URL: url, Domain: domain, Seq: tree.Seq(), Sig: tree.Signature(), Links: tree.Links()}
	return writeJSON(filepath.Join(dir, dnsInfoFile), info)
}

// loadTreeInfo reads DIR/enrtree-info.json; a missing file is an empty info
// unless required.
func loadTreeInfo(dir string, required bool) (treeInfo, error) {
	var info treeInfo
	file := filepath.Join(dir, dnsInfoFile)
	if !required && !fileExists(file) {
		return info, nil
	}
	data, err := readSmallFile(file, maxTreeInfoFile)
	if err != nil {
		return info, err
	}
	if err := json.Unmarshal(data, &info); err != nil {
		return info, fmt.Errorf("%s: %v", file, err)
	}
	return info, nil
}

// loadTreeNodes reads the nodes of DIR/nodes.json that have a signed record;
// a node known only by its enode URL cannot be published and is left out.
func loadTreeNodes(dir string) ([]*enode.Node, error) {
	set, err := loadNodeSet(filepath.Join(dir, dnsNodesFile))
	if err != nil {
		return nil, err
	}
	nodes := make([]*enode.Node, 0, len(set))
	for _, e := range set {
		if e.Record.Node.Record().Signature() != nil {
			nodes = append(nodes, e.Record.Node)
		}
	}
	return nodes, nil
}

// loadSignedTree rebuilds the tree of DIR and checks its signature.
func loadSignedTree(dir string) (treeInfo, *dnsdisc.Tree, error) {
	info, err := loadTreeInfo(dir, true)
	if err != nil {
		return info, nil, err
	}
	if info.Sig == "" || info.URL == "" {
		return info, nil, fmt.Errorf("%s: tree is not signed (run 'devp2p dns sign')", filepath.Join(dir, dnsInfoFile))
	}
	domain, pubkey, err := dnsdisc.ParseURL(info.URL)
	if err != nil {
		return info, nil, err
	}
	if !strings.EqualFold(domain, info.Domain) {
		return info, nil, fmt.Errorf("%s: url is for %s, domain is %s", dnsInfoFile, domain, info.Domain)
	}
	nodes, err := loadTreeNodes(dir)
	if err != nil {
		return info, nil, err
	}
	tree, err := dnsdisc.MakeTree(info.Seq, nodes, info.Links)
	if err != nil {
		return info, nil, err
	}
	if err := tree.SetSignature(pubkey, info.Sig); err != nil {
		return info, nil, fmt.Errorf("%s: %v (was %s changed after signing?)", dir, err, dnsNodesFile)
	}
	return info, tree, nil
}

func dirAndOutput(cmd *cli.Command) (dir, out string, err error) {
	if cmd.NArg() < 1 || cmd.NArg() > 2 {
		return "", "", usageErrorf(cmd, "want arguments DIR [FILE], got %d", cmd.NArg())
	}
	return cmd.Args().Get(0), cmd.Args().Get(1), nil
}

// writeOutput writes data to file, or to stdout when file is "" or "-".
func writeOutput(file string, data []byte) error {
	if file == "" || file == "-" {
		_, err := os.Stdout.Write(data)
		return err
	}
	return writeFileAtomic(file, data)
}

func writeJSON(file string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(file, append(data, '\n'))
}

func writeFileAtomic(file string, data []byte) error {
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fileError("write", file, err)
	}
	if err := os.Rename(tmp, file); err != nil {
		return fileError("write", file, err)
	}
	return nil
}
