#!/usr/bin/env bash
# compare.sh runs the paired benchmarks in bench/ and prints, for every pair
# Benchmark<Area>/<case>/ours and Benchmark<Area>/<case>/geth, the ratio
# ours/geth of time per op, of process CPU time per op (the cpu-ns/op
# metric, shown by benchstat as cpu-sec/op, where a benchmark reports it;
# steadier than wall-clock time on a busy machine) and of allocations per op
# (< 1.00 = ours is better), using benchstat's medians.
#
# Usage: bench/compare.sh [pattern] [count]
#   pattern  -bench regexp (default "."), e.g. 'RLP' or 'RLP/Decode'
#   count    -count (default 6; also settable as COUNT=N)
# Environment: BENCHTIME (passed as -benchtime), OUT (directory for the raw
# and split results; default a new temporary directory), TAGS (passed as
# -tags, e.g. TAGS=libsecp256k1 to measure ours with the C secp256k1 backend;
# go-ethereum's side uses its bundled C library either way).
set -euo pipefail

pattern="${1:-.}"
count="${2:-${COUNT:-6}}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/bench-compare.XXXXXX")}"
mkdir -p "$out"

# benchstat from golang.org/x/perf, installed on first use.
benchstat_bin() {
	if command -v benchstat >/dev/null 2>&1; then
		command -v benchstat
		return
	fi
	local gobin
	gobin="$(go env GOBIN)"
	[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
	if [ ! -x "$gobin/benchstat" ]; then
		echo "installing benchstat into $gobin ..." >&2
		GOFLAGS=-buildvcs=false go install golang.org/x/perf/cmd/benchstat@latest >&2
	fi
	echo "$gobin/benchstat"
}
BENCHSTAT="$(benchstat_bin)"

args=(test -run '^$' -bench "$pattern" -benchmem -count "$count")
[ -n "${BENCHTIME:-}" ] && args+=(-benchtime "$BENCHTIME")
[ -n "${TAGS:-}" ] && args+=(-tags "$TAGS")
echo "running: go ${args[*]}  (in $here; results in $out)" >&2
(cd "$here" && go "${args[@]}" .) | tee "$out/raw.txt" >&2

# Split by the last name element: .../ours and .../geth lines go to their
# own files with that element removed, so benchstat pairs them by name.
# Header lines (goos, goarch, pkg, cpu) go to both.
awk -v ours="$out/ours.txt" -v geth="$out/geth.txt" '
	/^Benchmark/ {
		name = $1
		suffix = ""
		if (match(name, /-[0-9]+$/)) { suffix = substr(name, RSTART); name = substr(name, 1, RSTART - 1) }
		if (name ~ /\/ours$/) { sub(/\/ours$/, "", name); $1 = name suffix; print > ours; next }
		if (name ~ /\/geth$/) { sub(/\/geth$/, "", name); $1 = name suffix; print > geth; next }
		next
	}
	/^[a-z]+: / { print > ours; print > geth }
' "$out/raw.txt"

if [ ! -s "$out/ours.txt" ] || ! grep -q '^Benchmark' "$out/ours.txt"; then
	echo "no Benchmark<Area>/<case>/{ours,geth} pairs matched \"$pattern\"" >&2
	exit 1
fi

echo
echo "== benchstat (base = geth, compared = ours) =="
"$BENCHSTAT" geth="$out/geth.txt" ours="$out/ours.txt" 2>/dev/null || true

echo
echo "== ratios ours/geth (medians; < 1.00 means ours is faster / allocates less) =="
"$BENCHSTAT" -format csv geth="$out/geth.txt" ours="$out/ours.txt" 2>/dev/null | awk -F, '
	# benchstat CSV: per unit, a row ",<unit>,CI,<unit>,CI,vs base,P" and
	# then rows name,geth,CI,ours,CI,delta,P.
	$1 == "" && $3 == "CI" { unit = $2; next }
	NF < 5 || $1 == "" || $1 == "geomean" { next }
	{
		name = $1
		if (!(name in seen)) { seen[name] = 1; order[++n] = name }
		if ($2 == 0 && $4 == 0) r = "1.00"
		else if ($2 == 0 || $2 == "" || $4 == "") r = "n/a"
		else r = sprintf("%.2f", $4 / $2)
		ratio[name, unit] = r
		if (unit == "sec/op") { tg[name] = $2; to[name] = $4 }
		if (unit == "cpu-sec/op") { cg[name] = $2; co[name] = $4 }
		if (unit == "allocs/op") { ag[name] = $2; ao[name] = $4 }
	}
	function human(s) {
		if (s == "") return "-"
		if (s >= 1) return sprintf("%.3gs", s)
		if (s >= 1e-3) return sprintf("%.3gms", s * 1e3)
		if (s >= 1e-6) return sprintf("%.3gµs", s * 1e6)
		return sprintf("%.3gns", s * 1e9)
	}
	END {
		printf "%-36s %10s %10s %6s   %10s %10s %6s   %8s %8s %6s\n", "pair", "time ours", "time geth", "ratio", \
			"cpu ours", "cpu geth", "ratio", "allocs o", "allocs g", "ratio"
		for (i = 1; i <= n; i++) {
			k = order[i]
			if (!((k, "sec/op") in ratio)) continue
			printf "%-36s %10s %10s %6s   %10s %10s %6s   %8s %8s %6s\n", k, human(to[k]), human(tg[k]), ratio[k, "sec/op"], \
				(k in co ? human(co[k]) : "-"), (k in cg ? human(cg[k]) : "-"), ((k, "cpu-sec/op") in ratio ? ratio[k, "cpu-sec/op"] : "-"), \
				(k in ao ? ao[k] : "-"), (k in ag ? ag[k] : "-"), ((k, "allocs/op") in ratio ? ratio[k, "allocs/op"] : "-")
		}
	}
'
