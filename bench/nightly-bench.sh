#!/usr/bin/env bash
# A nightly re-run that adds one video to N against the full run, on the same files and cores.
#   bench/nightly-bench.sh [N]   (default 320)
# Generates N+1 sample videos (folder format, 5 classes), holds one back, prepares the N with the
# default settings, puts the held-back video back and runs the same `cvmae prepare` again into the
# same folder. Prints both wall times (process start included), their ratio, what the re-run
# decoded/copied/kept, and each run's peak RSS; the load average shows other work on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
CVMAE="${CVMAE:-dotnet src/Pipeline/bin/Release/net10.0/cvmae.dll}"
N=${1:-320}
WORK=$(mktemp -d /tmp/cvmae-nightly-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
per=$(( (N + 1 + 4) / 5 ))
$CVMAE make-sample --out "$WORK/sample" --classes 5 --videos-per-class "$per" --seed 1 >/dev/null
videos="$WORK/sample/videos"
# Keep exactly N+1 videos, then hold the last one back.
find "$videos" -type f | sort | tail -n +$((N + 2)) | xargs -r rm
held=$(find "$videos" -type f | sort | tail -n 1)
mv "$held" "$WORK/held"
run() {
  local start end
  start=$(date +%s.%N)
  $CVMAE prepare --format folder --annotations "$videos" --out "$WORK/shards" --name bench --quiet --summary-json "$WORK/$1.json"
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
load=$(cut -d' ' -f1 /proc/loadavg)
full=$(run full)
mv "$WORK/held" "$held"
nightly=$(run nightly)
field() { python3 -c "import json,sys;print(json.load(open('$WORK/$1.json'))['$2'])"; }
printf '%-8s %-10s %-10s %-8s %-8s %-8s %-8s %-6s %-12s %-12s %-6s\n' inputs full_s nightly_s ratio added decoded copied kept full_rss_mb night_rss_mb load
printf '%-8s %-10.2f %-10.2f %-8.3f %-8s %-8s %-8s %-6s %-12s %-12s %-6s\n' "$(field nightly inputs)" "$full" "$nightly" \
  "$(echo "$nightly / $full" | bc -l)" "$(field nightly added)" "$(field nightly decoded)" "$(field nightly copied_rows)" \
  "$(field nightly kept)" "$(( $(field full peak_rss_bytes) / 1000000 ))" "$(( $(field nightly peak_rss_bytes) / 1000000 ))" "$load"
