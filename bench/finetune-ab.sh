#!/usr/bin/env bash
# Fine-tuning throughput of two builds, alternated run by run in the same minutes.
#   bench/finetune-ab.sh OLD_ROOT NEW_ROOT [PAIRS=3] [STEPS=8] [WORK=/tmp/finetune-ab]
# OLD_ROOT and NEW_ROOT are checkouts with src/Pipeline and bench/FeedShards built in Release.
# Data: feed-shards 64 16 256 340 (64 synthetic clips of 16 frames at 256x340, 10 classes, split train).
# Run: `cvmae finetune` from random init, ViT-tiny at 16x112x112, batch 8, repeated augmentation 2,
# RandAugment, erasing, mixup/cutmix on (the recipe), --max-steps STEPS, --threads 2, no eval.
# Prints each run's wall seconds (process start to exit) and clips/s = STEPS x 8 / seconds; the
# first STEPS steps include the model build and the feed's start, the same for both builds.
set -euo pipefail
old=$(cd "$1" && pwd); new=$(cd "$2" && pwd)
pairs=${3:-3}; steps=${4:-8}; work=${5:-/tmp/finetune-ab}
mkdir -p "$work"
[[ -f $work/data/index.json ]] || dotnet "$new/bench/FeedShards/bin/Release/net10.0/feed-shards.dll" "$work/data" 64 16 256 340
cat > "$work/ft.yaml" <<YAML
config: tiny
size: 112
epochs: 100
warmup_epochs: 1
batch_size: 8
eval_split: ''
YAML
run() { # side
  local root=${!1} out="$work/out-$1"
  rm -rf "$out"
  local t0=$(date +%s.%N)
  dotnet "$root/src/Pipeline/bin/Release/net10.0/cvmae.dll" --quiet finetune --manifest "$work/data/index.json" --config "$work/ft.yaml" \
    --out "$out" --max-steps "$steps" --threads 2 > /dev/null
  local t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v s="$steps" -v side="$1" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
    'BEGIN { printf "%s: %.2f s, %.2f clips/s (load %s)\n", side, b - a, s * 8 / (b - a), load }'
}
for ((p = 1; p <= pairs; p++)); do
  echo "### pair $p"
  if ((p % 2)); then run old; run new; else run new; run old; fi
done
