package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// resolveTimeout bounds the DNS lookup of a host name in an enode URL.
const resolveTimeout = 10 * time.Second

// maxNodeListFile bounds a --bootnodes/--static/--trusted file (1 MiB holds
// thousands of records).
const maxNodeListFile = 1 << 20

// parseNode reads one node argument: an enode:// URL or an enr: record. A
// host name in an enode URL is resolved.
func parseNode(ctx context.Context, arg string) (*enode.Node, error) {
	n, err := enode.Parse(enode.ValidSchemes, strings.TrimSpace(arg))
	if err != nil {
		return nil, fmt.Errorf("invalid node %q: %v", shorten(arg), err)
	}
	if n.Hostname() != "" {
		ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
		defer cancel()
		if n, err = n.Resolve(ctx, net.DefaultResolver); err != nil {
			return nil, fmt.Errorf("resolve %q: %v", shorten(arg), err)
		}
	}
	return n, nil
}

// parseNodeList reads a node-list flag value: comma-separated nodes, or the
// name of a file with one node per line ('#' starts a comment).
func parseNodeList(ctx context.Context, value string) ([]*enode.Node, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return nil, nil
	}
	var items []string
	if !strings.HasPrefix(value, "enode://") && !strings.HasPrefix(value, "enr:") {
		data, err := readSmallFile(value, maxNodeListFile)
		if err != nil {
			return nil, err
		}
		for line := range strings.Lines(string(data)) {
			line, _, _ = strings.Cut(line, "#")
			if line = strings.TrimSpace(line); line != "" {
				items = append(items, line)
			}
		}
	} else {
		for _, s := range strings.Split(value, ",") {
			if s = strings.TrimSpace(s); s != "" {
				items = append(items, s)
			}
		}
	}
	nodes := make([]*enode.Node, 0, len(items))
	for _, it := range items {
		n, err := parseNode(ctx, it)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// shorten keeps error messages on one readable line.
func shorten(s string) string {
	const max = 60
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

// fileExists reports whether name exists (errors other than "not found"
// count as existing, so that they surface when the file is read).
func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil || !os.IsNotExist(err)
}
