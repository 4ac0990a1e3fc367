package main

import (
	"net/netip"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p/enr"
)

var nodesetFilterFlags = []cli.Flag{
	&cli.StringSliceFlag{Name: "ip", Usage: "keep nodes with an address (ip or ip6) in this network, e.g. 10.0.0.0/8 (repeat: any of them)"},
	&cli.DurationFlag{Name: "min-age", Usage: "keep nodes that have been answering at least this long (last response - first response)"},
	&cli.IntFlag{Name: "min-score", Usage: "keep nodes with at least this score"},
	&cli.StringSliceFlag{Name: "key", Usage: "keep nodes whose record has this ENR key, e.g. eth (repeat: all of them)"},
	&cli.BoolFlag{Name: "eth", Usage: "same as --key eth (execution-layer nodes)"},
	&cli.BoolFlag{Name: "snap", Usage: "same as --key snap"},
	&cli.IntFlag{Name: "limit", Value: -1, Usage: "keep at most this many nodes, those with the highest scores (-1: no limit)", DefaultText: "no limit"},
	&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the result to this file instead of stdout"},
}

// nodeFilter is the parsed filter flags of nodeset filter. A node passes
// when it passes each filter given.
type nodeFilter struct {
	networks []netip.Prefix
	minAge   time.Duration
	minScore int
	hasScore bool
	keys     []string
	limit    int
}

func parseNodeFilter(cmd *cli.Command) (*nodeFilter, error) {
	f := &nodeFilter{limit: cmd.Int("limit"), minAge: cmd.Duration("min-age")}
	for _, s := range cmd.StringSlice("ip") {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			return nil, flagError("ip", s, "want a network like 10.0.0.0/8 or fd00::/8")
		}
		f.networks = append(f.networks, p.Masked())
	}
	if f.minAge < 0 {
		return nil, flagError("min-age", f.minAge, "want a duration >= 0")
	}
	if cmd.IsSet("min-score") {
		f.minScore, f.hasScore = cmd.Int("min-score"), true
	}
	for _, k := range cmd.StringSlice("key") {
		k = strings.TrimSpace(k)
		if k == "" || len(k) > maxENRKeyLength {
			return nil, flagError("key", k, "want an ENR key like eth")
		}
		f.keys = append(f.keys, k)
	}
	for _, k := range []string{"eth", "snap"} {
		if cmd.Bool(k) {
			f.keys = append(f.keys, k)
		}
	}
	if f.limit < -1 {
		return nil, flagError("limit", f.limit, "want a number >= 0, or -1 for no limit")
	}
	return f, nil
}

// maxENRKeyLength bounds a --key: an ENR key is a short name, and a whole
// record is at most 300 bytes (EIP-778).
const maxENRKeyLength = 300

// apply returns the nodes of set that pass the filter.
func (f *nodeFilter) apply(set nodeSet) nodeSet {
	out := make(nodeSet)
	for id, e := range set {
		if f.pass(e) {
			out[id] = e
		}
	}
	if f.limit >= 0 {
		out = topByScore(out, f.limit)
	}
	return out
}

func (f *nodeFilter) pass(e *nodeSetEntry) bool {
	if len(f.networks) > 0 && !f.inNetworks(e) {
		return false
	}
	if e.age() < f.minAge {
		return false
	}
	if f.hasScore && e.Score < f.minScore {
		return false
	}
	for _, k := range f.keys {
		if e.Record.Record().Get(k) == nil {
			return false
		}
	}
	return true
}

// inNetworks reports whether one of the node's addresses, IPv4 or IPv6, is
// in one of the networks.
func (f *nodeFilter) inNetworks(e *nodeSetEntry) bool {
	addrs := []netip.Addr{e.Record.IPAddr()}
	var ip4 enr.IPv4
	if e.Record.Load(&ip4) == nil {
		addrs = append(addrs, ip4.Addr())
	}
	var ip6 enr.IPv6
	if e.Record.Load(&ip6) == nil {
		addrs = append(addrs, ip6.Addr())
	}
	for _, a := range addrs {
		if !a.IsValid() {
			continue
		}
		for _, p := range f.networks {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
	}
	return false
}
