#!/usr/bin/env bash
# Feed and augmentation throughput of two builds, alternated run by run in the same minutes.
#   bench/feed-ab.sh OLD_ROOT NEW_ROOT [PAIRS=3] [BATCHES=48] [WORK=/tmp/feed-ab]
# OLD_ROOT and NEW_ROOT are repository checkouts with bench/FeedShards, bench/AugmentBench and
# src/Pipeline built in Release (e.g. `git worktree add /tmp/old <commit>` and a build there).
# Each build writes its own shards (feed-shards 64 16 256 340: the same synthetic clips) and reads
# them with configs/pretrain-vitb-k400.yaml on the CPU: batch 8, prefetch 2, decode threads 1,
# threads 1, CVMAE_THREADS=1, `cvmae pretrain --feed-only BATCHES`. Then augment-bench
# (--rounds 4 --iters 12 --no-stages) per pair: old, new, and new with --per-sample when the new
# build has it (the draws the train feed makes since the data-parallel change).
# Prints each run's result line and the load average; compare clips per CPU-second within a pair.
set -euo pipefail
old=$(cd "$1" && pwd); new=$(cd "$2" && pwd)
pairs=${3:-3}; batches=${4:-48}; work=${5:-/tmp/feed-ab}
mkdir -p "$work"
for side in old new; do
  root=${!side}
  [[ -f $work/$side/index.json ]] || dotnet "$root/bench/FeedShards/bin/Release/net10.0/feed-shards.dll" "$work/$side" 64 16 256 340
  sed -e 's/device: cuda/device: cpu/' -e 's/bf16: true/bf16: false/' -e 's/batch_size: 32/batch_size: 8/' \
      -e 's/decode_threads: 8/decode_threads: 1/' -e 's/prefetch: 4/prefetch: 2/' -e 's/threads: 0/threads: 1/' \
      "$root/configs/pretrain-vitb-k400.yaml" > "$work/$side-feed224.yaml"
done

feed() { # side
  local root=${!1}
  echo "== $1 feed, $(cut -d' ' -f1-3 /proc/loadavg)"
  CVMAE_THREADS=1 "$root/src/Pipeline/bin/Release/net10.0/cvmae" pretrain --manifest "$work/$1/index.json" \
    --config "$work/$1-feed224.yaml" --feed-only "$batches" 2>&1 | grep '^feed'
}
augment() { # side [--per-sample]
  local root=${!1}
  echo "== $1 augment-bench ${2:-}, $(cut -d' ' -f1-3 /proc/loadavg)"
  dotnet "$root/bench/AugmentBench/bin/Release/net10.0/augment-bench.dll" --rounds 4 --iters 12 --no-stages ${2:-} | grep '^all rounds'
}
per_sample=
grep -q -- '--per-sample' "$new/bench/AugmentBench/Program.cs" && per_sample=--per-sample
for ((p = 1; p <= pairs; p++)); do
  echo "### pair $p"
  if ((p % 2)); then feed old; feed new; else feed new; feed old; fi
  augment old; augment new
  if [[ -n $per_sample ]]; then augment new "$per_sample"; fi
done
