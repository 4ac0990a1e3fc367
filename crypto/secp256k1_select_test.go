//go:build !libsecp256k1

package crypto

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// requireSystemEnv, when set to 1, makes the tests fail if the system
// libsecp256k1 cannot be loaded by a build that looks for it
// (scripts/test.sh sets it where the library is installed), so a broken
// binding cannot pass as "library absent".
const requireSystemEnv = "DEVP2P_REQUIRE_LIBSECP256K1"

// extraBackends returns the system library's backend when it loads here.
func extraBackends(t *testing.T) []curveBackend {
	b, err := loadSystemBackend(systemLibraryNames())
	if err != nil {
		// A build that never loads the library (no names to try) is not
		// held to the requirement.
		if os.Getenv(requireSystemEnv) == "1" && len(systemLibraryNames()) > 0 {
			t.Fatalf("%s=1 but the system libsecp256k1 does not load: %v", requireSystemEnv, err)
		}
		t.Logf("system libsecp256k1 not tested: %v", err)
		return nil
	}
	return []curveBackend{b}
}

// TestChooseBackend forces each choice: the library when it loads, pure Go
// when it does not or when DEVP2P_SECP256K1=go (which must not even try).
func TestChooseBackend(t *testing.T) {
	loaded := &systemBackendStub{}
	loadOK := func() (curveBackend, error) { return loaded, nil }
	loadFail := func() (curveBackend, error) { return nil, errNoSystemLibrary }
	loadNever := func() (curveBackend, error) {
		t.Fatal("loaded the library despite DEVP2P_SECP256K1=go")
		return nil, nil
	}

	if b := chooseBackend("", loadOK); b != loaded {
		t.Errorf("auto with the library: %s", b.name())
	}
	if b := chooseBackend("auto", loadOK); b != loaded {
		t.Errorf("auto with the library: %s", b.name())
	}
	b := chooseBackend("", loadFail)
	if _, ok := b.(fallbackBackend); !ok || !strings.Contains(b.name(), errNoSystemLibrary.Error()) || !strings.HasPrefix(b.name(), "pure Go") {
		t.Errorf("auto without the library: %T %q", b, b.name())
	}
	b = chooseBackend("go", loadNever)
	if _, ok := b.(fallbackBackend); !ok || !strings.Contains(b.name(), "DEVP2P_SECP256K1=go") {
		t.Errorf("go: %T %q", b, b.name())
	}
	// The fallback computes like decred.
	if err := selfTest(b); err != nil {
		t.Error(err)
	}
}

// systemBackendStub stands for a loaded library in TestChooseBackend.
type systemBackendStub struct{ decredBackend }

// TestSecp256k1Backend: the process's choice follows the environment and
// what is installed.
func TestSecp256k1Backend(t *testing.T) {
	name := Secp256k1Backend()
	t.Logf("backend: %s", name)
	_, err := loadSystemBackend(systemLibraryNames())
	switch {
	case os.Getenv(secp256k1Env) == "go":
		if !strings.HasPrefix(name, "pure Go") {
			t.Errorf("%s=go, backend %q", secp256k1Env, name)
		}
	case err == nil:
		if !strings.HasPrefix(name, "libsecp256k1 (") {
			t.Errorf("library loads but backend is %q", name)
		}
	default:
		if !strings.HasPrefix(name, "pure Go") || !strings.Contains(name, err.Error()) {
			t.Errorf("library does not load (%v) but backend is %q", err, name)
		}
	}
}

// TestSystemLibraryLoadErrors: names that do not open, and a library without
// the functions, are refused with errors that say so.
func TestSystemLibraryLoadErrors(t *testing.T) {
	_, err := loadSystemBackend([]string{"libdevp2p-no-such-library.so"})
	if !errors.Is(err, errNoSystemLibrary) && !strings.Contains(err.Error(), "not looked for") {
		t.Errorf("missing library: %v", err)
	}
	if len(systemLibraryNames()) == 0 {
		return // this build never loads libraries; the error above says so
	}
	_, err = loadSystemBackend([]string{"libc.so.6"})
	if err == nil || !strings.Contains(err.Error(), "no secp256k1_context_create") {
		t.Errorf("libc: %v", err)
	}
}
