#!/usr/bin/env bash
# The project's test command (README, "Run the tests"): vet and race-test the
# main module, then the interop module that checks us against go-ethereum.
set -euo pipefail
cd "$(dirname "$0")/.."

# Where libsecp256k1 is installed, the default build uses it (found at run
# time); the crypto tests must then really load it rather than fall back.
if pkg-config --exists libsecp256k1 2>/dev/null; then
	export DEVP2P_REQUIRE_LIBSECP256K1=1
fi

echo "== main module: go vet"
go vet ./...
echo "== main module: go test -race"
go test -race -timeout 9m ./...
# Allocation-count tests skip themselves under -race (the race runtime
# allocates); run them once without it so the zero-allocation paths stay so.
echo "== main module: allocation tests without -race"
go test -count=1 -run 'Allocs?$|ZeroAlloc' ./rlp/ ./rlpx/

# The secp256k1 backends other than the one the run above chose: the system
# library loaded without cgo (CGO_ENABLED=0), and decred's pure Go, forced by
# the environment and by the build tag that never looks for the library.
echo "== crypto without cgo, with DEVP2P_SECP256K1=go, and with -tags nosystemsecp256k1"
CGO_ENABLED=0 go test -count=1 ./crypto/...
DEVP2P_SECP256K1=go go test -count=1 ./crypto/... ./rlpx/ ./enr/
go vet -tags nosystemsecp256k1 ./crypto/
go test -count=1 -tags nosystemsecp256k1 ./crypto/

# The C secp256k1 backend (-tags libsecp256k1, crypto/secp256k1_libsecp256k1.go)
# replaces only the curve arithmetic, so only the packages that test it
# directly run again with it: crypto (including the differential test against
# decred), ecies, rlpx (handshake vectors) and enr (signatures). The interop
# module is not rerun: what it checks is protocol behaviour, which the
# backend does not change. Needs cgo, a C compiler and the library's headers.
if pkg-config --exists libsecp256k1 2>/dev/null && [ "$(go env CGO_ENABLED)" = 1 ] && command -v "$(go env CC | cut -d" " -f1)" >/dev/null; then
	echo "== main module: go vet and go test -race with -tags libsecp256k1 (crypto, rlpx, enr)"
	go vet -tags libsecp256k1 ./crypto/...
	go test -race -tags libsecp256k1 -timeout 5m ./crypto/... ./rlpx/ ./enr/
else
	echo "== skipping -tags libsecp256k1 tests: needs libsecp256k1-dev (pkg-config libsecp256k1), cgo and a C compiler" >&2
fi

for mod in interop bench; do
	if [ -f "$mod/go.mod" ]; then
		echo "== $mod module: go vet"
		(cd "$mod" && go vet ./...)
	fi
done
if [ -f interop/go.mod ]; then
	echo "== interop module: go test -race"
	(cd interop && go test -race -timeout 9m ./...)
fi
