package devp2p

import (
	"fmt"
	"strings"

	"github.com/devp2p-go/devp2p/dnsdisc"
	"github.com/devp2p-go/devp2p/enode"
)

// DNS discovery (EIP-1459, https://eips.ethereum.org/EIPS/eip-1459): the
// nodes of the signed lists at Config.DNSDiscovery are dial candidates
// beside discv4's and discv5's. The list iterator queries DNS only from the
// dialer's candidate mix, never from Start, so a DNS server that does not
// answer delays no one; the mix closes it when the dialer stops, which ends
// a query in flight at once.

// validateDNS checks the enrtree:// URLs of Config.DNSDiscovery, so that a
// bad one fails Start (and the config check) with the field it came from.
func (c *Config) validateDNS() error {
	for i, url := range c.DNSDiscovery {
		if strings.TrimSpace(url) != url {
			return fmt.Errorf("devp2p: invalid Config.DNSDiscovery[%d] %q: leading or trailing space", i, url)
		}
		if _, _, err := dnsdisc.ParseURL(url); err != nil {
			return fmt.Errorf("devp2p: invalid Config.DNSDiscovery[%d]: %w", i, err)
		}
	}
	return nil
}

// parseDNSURLs checks the enrtree:// URLs of a config file, trimmed of
// spaces; errors name the entry.
func parseDNSURLs(in []string) ([]string, error) {
	var urls []string
	for i, url := range in {
		url = strings.TrimSpace(url)
		if _, _, err := dnsdisc.ParseURL(url); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		urls = append(urls, url)
	}
	return urls, nil
}

// addDNSDiscovery adds the iterator of the DNS lists to the dialer's
// candidates, which then own it. It does nothing without lists or when the
// server does not dial.
func (srv *Server) addDNSDiscovery(mix *enode.FairMix) error {
	if len(srv.cfg.DNSDiscovery) == 0 || srv.cfg.NoDial {
		return nil
	}
	client, err := dnsdisc.NewClient(dnsdisc.Config{
		Resolver: srv.cfg.DNSResolver,
		Clock:    srv.clock,
		Logger:   srv.log.With("component", "dnsdisc"),
	})
	if err != nil {
		return fmt.Errorf("devp2p: DNS discovery: %w", err)
	}
	it, err := client.NewIterator(srv.cfg.DNSDiscovery...)
	if err != nil {
		return fmt.Errorf("devp2p: DNS discovery: %w", err)
	}
	mix.AddNamedSource(SourceDNS, it)
	srv.log.Debug("DNS discovery started", "lists", len(srv.cfg.DNSDiscovery))
	return nil
}
