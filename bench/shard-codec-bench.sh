#!/usr/bin/env bash
# Write and read speed of one realistic shard (100 clips of 16 JPEG frames, 341x256, q90), the
# shard codec of commit BASE (default 965bbdc: the hand-written Parquet codec, format 1) against
# the working tree's (Parquet.Net, format 2), in one run: the same bench source
# (bench/ShardCodecBench, public ShardWriter/ShardReader API only) is built against both trees,
# then the two binaries run in turns, ROUNDS rounds each per turn.
#   bench/shard-codec-bench.sh [BASE] [TURNS] [ROUNDS]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
base="${1:-965bbdc}" turns="${2:-3}" rounds="${3:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/old"
git -C "$repo" archive "$base" | tar -x -C "$work/old"
cp -r "$repo/bench/ShardCodecBench" "$work/old/bench/"
build() { # tree output
  dotnet build "$1/bench/ShardCodecBench" -c Release -nologo -v q -clp:ErrorsOnly \
    -p:SkipNativeBuild=true -p:NativeBuildDir="$repo/native/build" -o "$2" >/dev/null
}
build "$work/old" "$work/bin-old"
build "$repo" "$work/bin-new"
for turn in $(seq 1 "$turns"); do
  "$work/bin-old/shard-codec-bench" "old codec ($base), turn $turn" "$rounds"
  "$work/bin-new/shard-codec-bench" "Parquet.Net 6.1.0, turn $turn" "$rounds"
done
