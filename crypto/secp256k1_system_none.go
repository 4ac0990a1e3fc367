//go:build !libsecp256k1 && (nosystemsecp256k1 || !(linux || darwin) || !(amd64 || arm64))

package crypto

import "errors"

// Builds with the nosystemsecp256k1 tag, and platforms where purego cannot
// load a library without cgo, never look for the system libsecp256k1: such
// a binary stays free of any dynamic linking (CGO_ENABLED=0 gives a static
// executable, which loading a shared library would not).

func systemLibraryNames() []string { return nil }

func loadSystemBackend([]string) (curveBackend, error) {
	return nil, errors.New("not looked for in this build (tag nosystemsecp256k1, or a platform without run-time loading)")
}
