package dnstest

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
)

// TestServer: both listeners answer, long records come back joined, names
// match in any case, unknown names are not found, and Set changes what is
// served.
func TestServer(t *testing.T) {
	long := strings.Repeat("x", 600)
	srv, err := Start(map[string]string{"Short.Example.org": "hello", "long.example.org": long})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	}()
	ctx := context.Background()
	for _, network := range []string{"udp", "tcp"} {
		r := srv.Resolver(network)
		if txt, err := r.LookupTXT(ctx, "short.EXAMPLE.org"); err != nil || len(txt) != 1 || txt[0] != "hello" {
			t.Errorf("%s: short record: %q, %v", network, txt, err)
		}
		if txt, err := r.LookupTXT(ctx, "long.example.org"); err != nil || len(txt) != 1 || txt[0] != long {
			t.Errorf("%s: long record: %d records, %v", network, len(txt), err)
		}
		var dnsErr *net.DNSError
		if _, err := r.LookupTXT(ctx, "missing.example.org"); !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
			t.Errorf("%s: missing name: %v, want not found", network, err)
		}
	}
	srv.Set(map[string]string{"short.example.org": "bye"})
	if txt, err := srv.Resolver("udp").LookupTXT(ctx, "short.example.org"); err != nil || txt[0] != "bye" {
		t.Errorf("after Set: %q, %v", txt, err)
	}
}

func TestSplitTXT(t *testing.T) {
	parts := SplitTXT(strings.Repeat("a", 2*255+1))
	if len(parts) != 3 || len(parts[0]) != 255 || len(parts[1]) != 255 || parts[2] != "a" {
		t.Errorf("split into %d parts", len(parts))
	}
	if parts := SplitTXT(""); len(parts) != 1 || parts[0] != "" {
		t.Errorf("empty record: %q", parts)
	}
}
