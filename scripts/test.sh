#!/usr/bin/env bash
# The project's test command (README, "Run the tests"): vet and race-test the
# main module, then the interop module that checks us against go-ethereum.
#
# Every stage runs even when an earlier one failed, so that one run tells
# everything that is wrong. A summary (stage, result, seconds) ends the
# output; its last line, "stages: N passed, N failed", is what CI reads. The
# exit status is non-zero when a stage failed.
set -uo pipefail
cd "$(dirname "$0")/.."

names=()
results=()
secs=()

# stage NAME COMMAND...: runs COMMAND and records its result and duration.
stage() {
	local name=$1
	shift
	echo "== $name"
	local start=$SECONDS
	if "$@"; then
		results+=(PASS)
	else
		results+=(FAIL)
		echo "== $name: FAIL" >&2
	fi
	names+=("$name")
	secs+=($((SECONDS - start)))
}

# skip NAME WHY: records a stage that cannot run here.
skip() {
	echo "== skipping $1: $2" >&2
	names+=("$1")
	results+=(SKIP)
	secs+=(0)
}

in_dir() { (cd "$1" && shift && "$@"); }

# Where libsecp256k1 is installed, the default build uses it (found at run
# time); the crypto tests must then really load it rather than fall back.
if pkg-config --exists libsecp256k1 2>/dev/null; then
	export DEVP2P_REQUIRE_LIBSECP256K1=1
fi

stage "main: go vet" go vet ./...
stage "main: go test -race" go test -race -timeout 9m ./...
# Allocation-count tests skip themselves under -race (the race runtime
# allocates); run them once without it so the zero-allocation paths stay so.
stage "main: allocation tests without -race" go test -count=1 -run 'Allocs?$|ZeroAlloc' ./rlp/ ./rlpx/

# The secp256k1 backends other than the one the run above chose: the system
# library loaded without cgo (CGO_ENABLED=0), and decred's pure Go, forced by
# the environment and by the build tag that never looks for the library.
stage "crypto without cgo" env CGO_ENABLED=0 go test -count=1 ./crypto/...
stage "crypto, rlpx, enr with DEVP2P_SECP256K1=go" env DEVP2P_SECP256K1=go go test -count=1 ./crypto/... ./rlpx/ ./enr/
stage "crypto -tags nosystemsecp256k1: go vet" go vet -tags nosystemsecp256k1 ./crypto/
stage "crypto -tags nosystemsecp256k1: go test" go test -count=1 -tags nosystemsecp256k1 ./crypto/

# The C secp256k1 backend (-tags libsecp256k1, crypto/secp256k1_libsecp256k1.go)
# replaces only the curve arithmetic, so only the packages that test it
# directly run again with it: crypto (including the differential test against
# decred), ecies, rlpx (handshake vectors) and enr (signatures). The interop
# module is not rerun: what it checks is protocol behaviour, which the
# backend does not change. Needs cgo, a C compiler and the library's headers.
if pkg-config --exists libsecp256k1 2>/dev/null && [ "$(go env CGO_ENABLED)" = 1 ] && command -v "$(go env CC | cut -d" " -f1)" >/dev/null; then
	stage "main -tags libsecp256k1: go vet" go vet -tags libsecp256k1 ./crypto/...
	stage "main -tags libsecp256k1: go test -race (crypto, rlpx, enr)" \
		go test -race -tags libsecp256k1 -timeout 5m ./crypto/... ./rlpx/ ./enr/
else
	skip "main -tags libsecp256k1" "needs libsecp256k1-dev (pkg-config libsecp256k1), cgo and a C compiler"
fi

for mod in interop bench; do
	if [ -f "$mod/go.mod" ]; then
		stage "$mod: go vet" in_dir "$mod" go vet ./...
	fi
done
if [ -f interop/go.mod ]; then
	stage "interop: go test -race" in_dir interop go test -race -timeout 9m ./...
fi

passed=0
failed=0
echo
echo "summary"
for i in "${!names[@]}"; do
	printf '  %-4s %5ss  %s\n' "${results[$i]}" "${secs[$i]}" "${names[$i]}"
	case ${results[$i]} in
	PASS) passed=$((passed + 1)) ;;
	FAIL) failed=$((failed + 1)) ;;
	esac
done
printf '  total %ss\n' "$SECONDS"
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
