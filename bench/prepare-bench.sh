#!/usr/bin/env bash
# Prepare throughput against ffmpeg's own decode throughput, on the same files and cores.
#   bench/prepare-bench.sh [VIDEOS_PER_CLASS...]   (default: 8 24)
# For each dataset size: generates the sample dataset (5 classes), runs `cvmae prepare` with the
# default settings (16 frames, stride 4, short side 256, JPEG q90, one clip per video,
# parallelism = cores), then `ffmpeg -i X -f null -` over the same files with the same number of
# parallel processes. Prints clips/s, videos/s and their ratio, prepare's peak RSS, and the 1-minute
# load average before each size (other work on the machine skews both timings).
set -euo pipefail
cd "$(dirname "$0")/.."
CVMAE="${CVMAE:-dotnet src/Pipeline/bin/Release/net10.0/cvmae.dll}"   # override to bench another build
CORES=$(nproc)
WORK=$(mktemp -d /tmp/cvmae-prepare-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
sizes=("$@"); [ ${#sizes[@]} -eq 0 ] && sizes=(8 24)

printf '%-8s %-8s %-12s %-14s %-12s %-8s %-12s %-6s\n' videos clips prepare_s clips_per_s ffmpeg_s ratio peak_rss_mb load
for per in "${sizes[@]}"; do
  d="$WORK/sample-$per"
  $CVMAE make-sample --out "$d" --classes 5 --videos-per-class "$per" --seed 1 >/dev/null
  out="$WORK/shards-$per"
  load=$(cut -d' ' -f1 /proc/loadavg)
  start=$(date +%s.%N)
  $CVMAE prepare --format ucf101 --annotations "$d/annotations/ucf101" --videos "$d/videos" --out "$out" \
      --name bench --parallelism "$CORES" --quiet --summary-json "$WORK/summary-$per.json"
  end=$(date +%s.%N)
  prep=$(echo "$end - $start" | bc -l)
  clips=$(python3 -c "import json;print(json.load(open('$WORK/summary-$per.json'))['rows'])")
  rss=$(python3 -c "import json;print(round(json.load(open('$WORK/summary-$per.json'))['peak_rss_bytes']/1e6))")
  videos=$(find "$d/videos" -type f | wc -l)
  start=$(date +%s.%N)
  find "$d/videos" -type f -print0 | xargs -0 -n1 -P "$CORES" sh -c 'ffmpeg -v error -threads 1 -i "$0" -f null - </dev/null'
  end=$(date +%s.%N)
  ff=$(echo "$end - $start" | bc -l)
  printf '%-8s %-8s %-12.2f %-14.2f %-12.2f %-8.2f %-12s %-6s\n' "$videos" "$clips" "$prep" "$(echo "$clips / $prep" | bc -l)" "$ff" \
      "$(echo "($clips / $prep) / ($videos / $ff)" | bc -l)" "$rss" "$load"
done
