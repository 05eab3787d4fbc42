#!/usr/bin/env bash
# Resident memory of `cvmae pretrain` over a long run, sampled while it trains.
#   bench/pretrain-rss.sh MANIFEST CONFIG STEPS [INTERVAL_S]
# Runs pretrain with --max-steps STEPS (no earlier checkpoints kept: a fresh output folder), reads
# VmRSS from /proc every INTERVAL_S seconds (default 5) together with the last step of
# metrics.jsonl, and prints the samples, the peak (VmHWM) and the largest RSS in each quarter of
# the run, so growth over the run shows as rising quarter maxima.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { echo "usage: bench/pretrain-rss.sh MANIFEST CONFIG STEPS [INTERVAL_S]" >&2; exit 2; }
manifest=$1 config=$2 steps=$3 every=${4:-5}
out=$(mktemp -d /tmp/cvmae-rss.XXXXXX)
trap 'rm -rf "$out"' EXIT
dotnet src/Pipeline/bin/Release/net10.0/cvmae.dll pretrain --manifest "$manifest" --config "$config" \
    --out "$out/run" --max-steps "$steps" --quiet > "$out/log.txt" 2>&1 &
pid=$!
echo "step rss_mb" > "$out/samples.txt"
hwm=0
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ {print int($2/1024)}' "/proc/$pid/status" 2>/dev/null || true)
  h=$(awk '/^VmHWM/ {print int($2/1024)}' "/proc/$pid/status" 2>/dev/null || true)
  [ -n "$h" ] && hwm=$h
  step=$(tail -n 1 "$out/run/metrics.jsonl" 2>/dev/null | sed -n 's/.*"step": *\([0-9]*\).*/\1/p' || true)
  [ -n "$rss" ] && echo "${step:-0} $rss" >> "$out/samples.txt"
  sleep "$every"
done
wait "$pid" || { echo "pretrain failed:" >&2; cat "$out/log.txt" >&2; exit 1; }
tail -n 2 "$out/log.txt"
echo "peak RSS (VmHWM): ${hwm} MB"
awk -v steps="$steps" 'NR > 1 && $1 > 0 { q = int(($1 - 1) * 4 / steps); if ($2 > m[q]) m[q] = $2 }
     END { for (i = 0; i < 4; i++) printf "steps %d-%d: max RSS %d MB\n", i * steps / 4 + 1, (i + 1) * steps / 4, m[i] }' "$out/samples.txt"
echo "samples (step rss_mb):"
tail -n +2 "$out/samples.txt" | tr '\n' ';' | sed 's/;/; /g'; echo
