#!/usr/bin/env bash
# Gradient all-reduce overlapped with backward (libtorch's DDP reducer) against the all-reduce after
# backward (CVMAE_GRAD_OVERLAP=0, the path before), 2 ranks x 1 intra-op thread (`--nproc-per-node 2`,
# Gloo on 127.0.0.1), same build, runs alternated (A B, then B A in the next round) so that load from
# elsewhere hits both alike.
#   bench/ddp-overlap-bench.sh [STEPS] [ROUNDS] [CONFIG...]
# Defaults: 30 steps, 2 rounds, configs/demo-tiny.yaml and configs/pretrain-small-cpu.yaml (ViT-S: 7 buckets).
# Data: the demo's (make-sample --quick --one-scene, 5 classes, train split, 8 frames at 64 px), made once
# into $CVMAE_BENCH_DATA (default /tmp/cvmae-overlap-data).
# Prints per run the median step and allreduce_ms of steps 6..STEPS, then per config and mode the median
# over all those steps of all rounds, and the ratio overlapped / after.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-30}
rounds=${2:-2}
shift $(( $# >= 2 ? 2 : $# )) || true
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(configs/demo-tiny.yaml configs/pretrain-small-cpu.yaml)
cvmae=(dotnet src/Pipeline/bin/Release/net10.0/cvmae.dll)
data=${CVMAE_BENCH_DATA:-/tmp/cvmae-overlap-data}
if [ ! -f "$data/shards/index.json" ]; then
  rm -rf "$data" && mkdir -p "$data"
  "${cvmae[@]}" make-sample --out "$data/sample" --quick --one-scene --classes 5 --videos-per-class 60 > /dev/null
  "${cvmae[@]}" prepare --format ucf101 --annotations "$data/sample/annotations/ucf101" --videos "$data/sample/videos" \
      --out "$data/shards" --name sample-train --splits train --clip-length 8 --stride 2 --clips-per-video 2 --short-side 64 --quiet > /dev/null
fi
manifest=$data/shards/index.json
work=$(mktemp -d /tmp/cvmae-overlap.XXXXXX)
trap 'rm -rf "$work"' EXIT
run() {  # config mode(overlap|after) round
  local name; name=$(basename "$1" .yaml)-$2-$3
  local flag=1; [ "$2" = after ] && flag=0
  CVMAE_GRAD_OVERLAP=$flag CVMAE_THREADS=1 "${cvmae[@]}" pretrain --manifest "$manifest" --config "$1" --out "$work/$name" \
      --max-steps "$steps" --quiet --nproc-per-node 2 > "$work/$name.log" 2>&1 || { cat "$work/$name.log"; exit 1; }
  python3 - "$work/$name/metrics.jsonl" "$name" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][5:]
step = statistics.median(r["step_ms"] for r in rows)
ar = statistics.median(r["allreduce_ms"] for r in rows)
print(f"{sys.argv[2]:<34} step {step:8.1f} ms  allreduce_ms {ar:7.1f} ({100 * ar / step:4.1f}%)  (median of steps 6..{len(rows) + 5})", flush=True)
PY
}
for r in $(seq 1 "$rounds"); do
  for c in "${configs[@]}"; do
    if [ $((r % 2)) = 1 ]; then run "$c" after "$r"; run "$c" overlap "$r"; else run "$c" overlap "$r"; run "$c" after "$r"; fi
  done
done
python3 - "$work" "${configs[@]}" <<'PY'
import glob, json, os, statistics, sys
work = sys.argv[1]
for c in sys.argv[2:]:
    name = os.path.basename(c)[:-5]
    med = {}
    for mode in ("after", "overlap"):
        rows = [json.loads(l) for p in sorted(glob.glob(f"{work}/{name}-{mode}-*/metrics.jsonl")) for l in list(open(p))[5:] if l.strip()]
        med[mode] = (statistics.median(r["step_ms"] for r in rows), statistics.median(r["allreduce_ms"] for r in rows), len(rows))
        print(f"{name:<20} {mode:<8} step {med[mode][0]:8.1f} ms  allreduce_ms {med[mode][1]:7.1f}  ({med[mode][2]} steps)")
    print(f"{name:<20} step overlapped / after: {med['overlap'][0] / med['after'][0]:.3f}")
PY
nproc; uptime
