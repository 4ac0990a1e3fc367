//go:build libsecp256k1 && cgo

package crypto

import (
	"strings"
	"testing"
)

// extraBackends: the tagged build always has the cgo backend.
func extraBackends(*testing.T) []curveBackend { return []curveBackend{cgoBackend{}} }

func TestBackendIsLibsecp256k1(t *testing.T) {
	if _, ok := active().(cgoBackend); !ok {
		t.Fatalf("backend %q", Secp256k1Backend())
	}
}

func TestLoadFromErrors(t *testing.T) {
	err := loadFrom("libdevp2p-no-such-library.so")
	if err == nil || !strings.Contains(err.Error(), "libdevp2p-no-such-library.so") {
		t.Fatalf("missing library: err = %v", err)
	}
	// A library without the functions: refused, and the loaded one stays.
	err = loadFrom("libc.so.6")
	if err == nil || !strings.Contains(err.Error(), "no secp256k1_context_create") {
		t.Fatalf("libc: err = %v", err)
	}
	if err := selfTest(cgoBackend{}); err != nil {
		t.Fatalf("after failed loads: %v", err)
	}
}
