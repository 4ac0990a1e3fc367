#!/usr/bin/env bash
# The project's test command (README, "Run the tests"): vet and race-test the
# main module, then the interop module that checks us against go-ethereum.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== main module: go vet"
go vet ./...
echo "== main module: go test -race"
go test -race -timeout 9m ./...
# Allocation-count tests skip themselves under -race (the race runtime
# allocates); run them once without it so the zero-allocation paths stay so.
echo "== main module: allocation tests without -race"
go test -count=1 -run 'Allocs?$|ZeroAlloc' ./rlp/ ./rlpx/

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
