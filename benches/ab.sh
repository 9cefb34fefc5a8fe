#!/usr/bin/env bash
# Interleaved A/B timing of two kinesis-insights builds on the benchmark's CloudTrail corpus:
# ROUNDS rounds, each running A then B five times per thread count, printing the fastest run of
# each. Interleaving matters here: on a shared 2-core machine the same binary moves 3-5% from
# minute to minute, as much as most single changes to the hot path.
#
#   benches/ab.sh OLD_BINARY NEW_BINARY [ROUNDS]   (after python3 benches/bench.py made the corpus)
#
# CORPUS=DIR picks another corpus than the realistic one (bench-out/corpus/cloudtrail is the
# low-cardinality case, cloudtrail-stress the high-cardinality one).
set -euo pipefail
corpus="${CORPUS:-$(dirname "$0")/../bench-out/corpus/cloudtrail-real}"
[ -d "$corpus" ] || { echo "no corpus: run python3 benches/bench.py first" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
best() { # BINARY THREADS -> fastest wall time of 5 runs, in seconds
  local b=99 s e
  for _ in 1 2 3 4 5; do
    s=$(date +%s.%N)
    "$1" events -q -j "$2" -f csv -o "$out" "$corpus" 2>/dev/null
    e=$(date +%s.%N)
    b=$(awk -v s="$s" -v e="$e" -v b="$b" 'BEGIN { t = e - s; print (t < b) ? t : b }')
  done
  echo "$b"
}
for round in $(seq "${3:-3}"); do
  for j in 1 2; do
    printf 'round %s  -j%s  A %.3f s  B %.3f s\n' "$round" "$j" "$(best "$1" "$j")" "$(best "$2" "$j")"
  done
done
