#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600; 0 only builds them), JOBS at a time (default 2), seeding the
# corpora from testdata/, and fails when any target finds a crash (its log's tail is printed).
# Installs cargo-fuzz with `cargo install` when it is missing; RUSTC_BOOTSTRAP lets the stable
# toolchain take the sanitizer flags. Crashes land in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:-600}
JOBS=${JOBS:-2}
export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version > /dev/null 2>&1; then
  echo "fuzz/run.sh: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi
targets=(cloudtrail cloudtrail_paths chunks lookup_events envelopes metric_streams metric_streams_paths
  otel get_metric_data get_metric_statistics time_parsers render health)
seed() {
  local dir=corpus/$1; shift
  mkdir -p "$dir"
  for f in "$@"; do [ -f "$f" ] && head -c 65536 "$f" > "$dir/seed-$(basename "$f")"; done
  return 0
}
seed cloudtrail ../testdata/cloudtrail/extra/*.json ../testdata/broken/* ../testdata/doc-sample/*.json \
  "$(find ../testdata/cloudtrail/AWSLogs -name '*.json.gz' | sort | head -n 3)"
seed cloudtrail $(find ../testdata/envelopes ../testdata/compressed -type f | sort)
seed cloudtrail_paths ../testdata/cloudtrail/extra/*.json ../testdata/doc-sample/*.json
for f in $(find ../testdata/cloudtrail/AWSLogs -name '*.json.gz' | sort | head -n 3); do
  # `|| true`: head closing the pipe early is not a failure (pipefail).
  zcat "$f" | head -c 65536 > "corpus/cloudtrail_paths/seed-$(basename "$f" .gz)" || true
done
# chunks: the first byte picks the piece size.
mkdir -p corpus/chunks
for f in ../testdata/cloudtrail/extra/*.json ../testdata/doc-sample/*.json ../testdata/broken/*; do
  [ -f "$f" ] && { printf '\005'; head -c 65536 "$f"; } > "corpus/chunks/seed-$(basename "$f")"
done
seed lookup_events ../testdata/doc-sample/*.json
seed envelopes ../testdata/doc-sample/*.json ../testdata/envelopes/eventbridge-single/*.json
seed metric_streams ../testdata/metrics/get-metric-data/output.json ../testdata/metrics/get-metric-statistics/*.json \
  $(find ../testdata/metrics/streams -type f | sort | head -n 2)
mkdir -p corpus/metric_streams_paths
for f in $(find ../testdata/metrics/streams -type f | sort | head -n 4); do
  # The Firehose objects are gzip without an extension, or plain text.
  { zcat "$f" 2>/dev/null || cat "$f"; } | head -c 65536 > "corpus/metric_streams_paths/seed-$(basename "$f")" || true
done
seed otel $(find ../testdata/metrics/otel-1.0 ../testdata/metrics/otel-0.7 -type f | sort)
seed get_metric_data ../testdata/metrics/get-metric-data/output.json
seed get_metric_statistics ../testdata/metrics/get-metric-statistics/*.json
# render: a mode byte (0: metrics, 4: CloudTrail; the low bits pick the bucket) and a width.
mkdir -p corpus/render
for f in $(find ../testdata/metrics/streams -type f | sort | head -n 2) ../testdata/metrics/get-metric-statistics/*.json; do
  { printf '\000\120'; head -c 65536 "$f"; } > "corpus/render/seed-m-$(basename "$f")"
done
for f in ../testdata/cloudtrail/extra/*.json ../testdata/doc-sample/*.json; do
  { printf '\004\050'; head -c 65536 "$f"; } > "corpus/render/seed-c-$(basename "$f")"
done
# health: the first byte picks the piece size; seeds of each kind it tells apart.
mkdir -p corpus/health
for f in $(find ../testdata/health/consumers/metrics ../testdata/health/accounts -type f | sort | head -n 3) \
    ../testdata/health/cli-5m/export/*.json; do
  { printf '\011'; { zcat "$f" 2>/dev/null || cat "$f"; } | head -c 65536; } > "corpus/health/seed-$(basename "$f")"
done
mkdir -p corpus/time_parsers
printf '2024-03-09T10:00:00.123+0000' > corpus/time_parsers/a
printf '1h30m' > corpus/time_parsers/b
cargo fuzz build -O
if [ "$SECONDS_EACH" = 0 ]; then
  echo "fuzz/run.sh: built every target; not running them (0 seconds)"
  exit 0
fi
mkdir -p logs
printf '%s\n' "${targets[@]}" | xargs -P "$JOBS" -I{} sh -c \
  "cargo fuzz run -O {} -- -max_total_time=$SECONDS_EACH -max_len=65536 -rss_limit_mb=4096 > logs/{}.log 2>&1; echo \$? > logs/{}.status"
failed=0
for t in "${targets[@]}"; do
  status=$(cat "logs/$t.status")
  runs=$(grep -o 'Done [0-9]* runs' "logs/$t.log" | tail -n 1 || true)
  echo "fuzz $t: exit $status${runs:+, $runs}"
  if [ "$status" != 0 ]; then
    failed=1
    tail -n 40 "logs/$t.log"
  fi
done
exit "$failed"
