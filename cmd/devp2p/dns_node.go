package main

import (
	"fmt"
	"net"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/dnsdisc"
)

// dnsFlags applies `node --discovery.dns` and `--dns.server` to cfg. The
// flag replaces the config file's DNSDiscovery; an empty flag clears it.
func dnsFlags(cmd *cli.Command, cfg *devp2p.Config) error {
	if cmd.IsSet("discovery.dns") {
		cfg.DNSDiscovery = nil
		for url := range strings.SplitSeq(cmd.String("discovery.dns"), ",") {
			if url = strings.TrimSpace(url); url == "" {
				continue
			}
			if _, _, err := dnsdisc.ParseURL(url); err != nil {
				return flagError("discovery.dns", url, strings.TrimPrefix(err.Error(), fmt.Sprintf("invalid enrtree URL %q: ", url)))
			}
			cfg.DNSDiscovery = append(cfg.DNSDiscovery, url)
		}
	}
	if server := cmd.String("dns.server"); server != "" {
		if _, _, err := net.SplitHostPort(server); err != nil {
			return flagError("dns.server", server, "want HOST:PORT")
		}
		cfg.DNSResolver = dnsdisc.NewResolver(server)
	}
	return nil
}
