#!/usr/bin/env bash
# Data-parallel pre-training on one machine: 2 ranks x 1 intra-op thread (`--nproc-per-node 2`, Gloo on
# 127.0.0.1) against 1 rank x 2 threads, on the demo's config and data, measured in one run and
# interleaved (A B A B) so that load from elsewhere hits both alike.
#   bench/ddp-bench.sh [STEPS] [MANIFEST]
# Without MANIFEST it generates the demo's data (make-sample --quick --one-scene, 5 classes, train split).
# Prints, per run, the median step time after the first 5 steps, the median all-reduce time and its share
# of the step, the feed wait share and clips/s; then the ratio of the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-40}
cvmae=(dotnet src/Pipeline/bin/Release/net10.0/cvmae.dll)
work=$(mktemp -d /tmp/cvmae-ddp.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [ $# -ge 2 ]; then manifest=$2; else
  "${cvmae[@]}" make-sample --out "$work/sample" --quick --one-scene --classes 5 --videos-per-class 60 > /dev/null
  "${cvmae[@]}" prepare --format ucf101 --annotations "$work/sample/annotations/ucf101" --videos "$work/sample/videos" \
      --out "$work/shards" --name sample-train --splits train --clip-length 8 --stride 2 --clips-per-video 2 --short-side 64 --quiet > /dev/null
  manifest=$work/shards/index.json
fi
summary() {  # metrics.jsonl label
  python3 - "$1" "$2" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][5:]
step = statistics.median(r["step_ms"] for r in rows)
ar = statistics.median(r.get("allreduce_ms", 0.0) for r in rows)
wait = sum(r["feed_wait_ms"] for r in rows) / sum(r["step_ms"] for r in rows)
cps = statistics.median(r["clips_per_s"] for r in rows)
print(f"{sys.argv[2]:<22} step {step:8.1f} ms  all-reduce {ar:7.1f} ms ({100 * ar / step:4.1f}%)  feed wait {100 * wait:4.1f}%  {cps:6.2f} clips/s  (median of steps 6..{len(rows) + 5})")
PY
}
for round in 1 2; do
  CVMAE_THREADS=2 "${cvmae[@]}" pretrain --manifest "$manifest" --config configs/demo-tiny.yaml --out "$work/one-$round" --max-steps "$steps" --quiet > "$work/one-$round.log"
  summary "$work/one-$round/metrics.jsonl" "1 rank x 2 threads"
  CVMAE_THREADS=1 "${cvmae[@]}" pretrain --manifest "$manifest" --config configs/demo-tiny.yaml --out "$work/two-$round" --max-steps "$steps" --quiet --nproc-per-node 2 > "$work/two-$round.log"
  summary "$work/two-$round/metrics.jsonl" "2 ranks x 1 thread"
done
python3 - "$work" <<'PY'
import json, statistics, sys
def med(p): return statistics.median(json.loads(l)["step_ms"] for l in list(open(p))[5:] if l.strip())
one = statistics.mean(med(f"{sys.argv[1]}/one-{r}/metrics.jsonl") for r in (1, 2))
two = statistics.mean(med(f"{sys.argv[1]}/two-{r}/metrics.jsonl") for r in (1, 2))
print(f"step time, 2 ranks x 1 thread / 1 rank x 2 threads: {two / one:.2f}")
PY
nproc; uptime
