//go:build !libsecp256k1

package crypto

import (
	"errors"
	"os"
	"sync"
)

// secp256k1Env is the environment variable that chooses the backend: unset
// (or "auto") uses the system libsecp256k1 where it is installed and the
// pure-Go backend otherwise; "go" never loads the library. It is read once,
// at the first secp256k1 operation.
const secp256k1Env = "DEVP2P_SECP256K1"

// errNoSystemLibrary: no libsecp256k1 shared library was found.
var errNoSystemLibrary = errors.New("no libsecp256k1 shared library found")

// active returns the backend of this process, chosen and (for the C
// library) loaded and self-tested once.
var active = sync.OnceValue(func() curveBackend {
	return chooseBackend(os.Getenv(secp256k1Env), func() (curveBackend, error) {
		return loadSystemBackend(systemLibraryNames())
	})
})

// chooseBackend applies the secp256k1Env setting: the library that load
// returns unless the setting is "go" or loading fails, pure Go otherwise.
func chooseBackend(setting string, load func() (curveBackend, error)) curveBackend {
	if setting == "go" {
		return fallbackBackend{goBackend{}, secp256k1Env + "=go"}
	}
	b, err := load()
	if err != nil {
		return fallbackBackend{goBackend{}, "system libsecp256k1 not used: " + err.Error()}
	}
	return b
}

// fallbackBackend is the pure-Go backend with the reason the C library is
// not in use, which its name reports (for the node's start-up log).
type fallbackBackend struct {
	goBackend
	why string
}

func (f fallbackBackend) name() string { return f.goBackend.name() + "; " + f.why }
