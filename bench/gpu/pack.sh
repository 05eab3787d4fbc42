#!/usr/bin/env bash
# Packs what bench/gpu/check.sh needs on a GPU machine that has no .NET, no ffmpeg and no network,
# into out/gpu-carry/ (git-ignored; name it in the device run's `carry`):
#   app.tar.gz             `dotnet publish` of src/Pipeline (cvmae) and bench/gpu/GpuCheck (gpucheck),
#                          framework-dependent, plus this machine's libturbojpeg.so.0
#   dotnet-runtime.tar.gz  the .NET runtime the app runs on (host, hostfxr, Microsoft.NETCore.App) from
#                          this machine's SDK, as `dotnet --list-runtimes` shows it
#   dataset.tar.gz         prepared shards for the `base` config (16-frame clips, short side 128), from
#                          make-sample + prepare
#   SHA256SUMS             the archives' checksums (check.sh verifies them)
# Prints each archive's size and fails when they and the working tree add up to more than the 64 MiB
# a device run carries.
#
#   bench/gpu/pack.sh [--out DIR] [--videos-per-class N]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/out/gpu-carry"
PER_CLASS=12
LIMIT_MIB=64

while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="${2:?--out needs a folder}"; shift ;;
    --videos-per-class) PER_CLASS="${2:?--videos-per-class needs a number}"; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "pack: unknown argument '$1' (--out DIR | --videos-per-class N)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$PER_CLASS" =~ ^[0-9]+$ ]] || { echo "pack: --videos-per-class must be a whole number" >&2; exit 2; }

log() { printf '[pack] %s\n' "$*"; }
die() { printf '[pack] error: %s\n' "$*" >&2; exit 1; }
command -v dotnet >/dev/null || die "dotnet (the .NET SDK) is not on PATH"
command -v ffmpeg >/dev/null || die "ffmpeg is needed to generate the dataset (./run setup installs it)"

STAGE="$OUT/.stage"
rm -rf "$STAGE" && mkdir -p "$STAGE/app" "$STAGE/runtime" "$STAGE/data"

log "publishing src/Pipeline and bench/gpu/GpuCheck (Release, framework-dependent)"
for project in src/Pipeline bench/gpu/GpuCheck; do
  dotnet publish "$ROOT/$project" -c Release --no-self-contained -o "$STAGE/app" -nologo -v q -clp:ErrorsOnly -p:DebugType=none \
    || die "dotnet publish $project failed"
done
TURBO="$(ldconfig -p | awk '/libturbojpeg\.so\.0 .*x86-64/ && !found { found = $NF } END { print found }')"
[ -n "$TURBO" ] || die "libturbojpeg.so.0 not found (package libturbojpeg0)"
cp -L "$TURBO" "$STAGE/app/libturbojpeg.so.0"

# The runtime the app targets: the newest Microsoft.NETCore.App of the SDK's major version.
MAJOR="$(sed -n 's/.*"version": *"\([0-9]*\)\..*/\1/p' "$STAGE/app/cvmae.runtimeconfig.json" | head -1)"
read -r VERSION RUNTIME_DIR < <(dotnet --list-runtimes | awk -v m="$MAJOR" '$1 == "Microsoft.NETCore.App" && index($2, m ".") == 1 { v = $2; d = $3 } END { gsub(/[][]/, "", d); print v, d }')
[ -n "${VERSION:-}" ] || die "no Microsoft.NETCore.App $MAJOR.x in dotnet --list-runtimes"
DOTNET_ROOT_DIR="$(cd "$RUNTIME_DIR/../.." && pwd)"
log "runtime Microsoft.NETCore.App $VERSION from $DOTNET_ROOT_DIR"
mkdir -p "$STAGE/runtime/host/fxr" "$STAGE/runtime/shared/Microsoft.NETCore.App"
cp -a "$DOTNET_ROOT_DIR/dotnet" "$STAGE/runtime/"
cp -a "$DOTNET_ROOT_DIR/host/fxr/$VERSION" "$STAGE/runtime/host/fxr/"
cp -a "$RUNTIME_DIR/$VERSION" "$STAGE/runtime/shared/Microsoft.NETCore.App/"

# Small frames (short side 128; the feed's random resized crop scales them to 224) and 4 clips per
# video keep 240 clips within the carry limit: 21 MiB at 128 px, where 120 clips at 224 px took 29 MiB.
log "dataset: make-sample (5 classes x $PER_CLASS videos) + prepare (4 clips of 16 frames per video, short side 128)"
CVMAE=(dotnet "$STAGE/app/cvmae.dll")
"${CVMAE[@]}" make-sample --out "$STAGE/data/sample" --quick --classes 5 --videos-per-class "$PER_CLASS" > "$STAGE/make-sample.log" \
  || { cat "$STAGE/make-sample.log"; die "make-sample failed"; }
"${CVMAE[@]}" prepare --format ucf101 --annotations "$STAGE/data/sample/annotations/ucf101" --videos "$STAGE/data/sample/videos" \
  --out "$STAGE/data/shards" --name gpucheck --clip-length 16 --stride 2 --clips-per-video 4 --short-side 128 --jpeg-quality 75 --quiet \
  > "$STAGE/prepare.log" || { cat "$STAGE/prepare.log"; die "prepare failed"; }

log "archiving"
tar -czf "$STAGE/app.tar.gz" -C "$STAGE/app" .
tar -czf "$STAGE/dotnet-runtime.tar.gz" -C "$STAGE/runtime" .
tar -czf "$STAGE/dataset.tar.gz" -C "$STAGE/data" shards
(cd "$STAGE" && sha256sum app.tar.gz dotnet-runtime.tar.gz dataset.tar.gz > SHA256SUMS)

find "$OUT" -mindepth 1 -maxdepth 1 ! -name .stage -exec rm -rf {} +
mv "$STAGE"/{app.tar.gz,dotnet-runtime.tar.gz,dataset.tar.gz,SHA256SUMS} "$OUT/"
rm -rf "$STAGE"
total=0
for f in app.tar.gz dotnet-runtime.tar.gz dataset.tar.gz; do
  bytes="$(stat -c %s "$OUT/$f")"; total=$((total + bytes))
  printf '[pack] %-22s %6.1f MiB\n' "$f" "$(awk -v b="$bytes" 'BEGIN { print b / 1048576 }')"
done
# The working tree travels too (tracked and untracked, not ignored files).
tree="$(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | xargs -0 -r stat -c %s -- 2>/dev/null | awk '{ t += $1 } END { print t + 0 }')"
printf '[pack] %-22s %6.1f MiB\n' "working tree" "$(awk -v b="$tree" 'BEGIN { print b / 1048576 }')"
total=$((total + tree))
printf '[pack] %-22s %6.1f MiB (limit %d MiB)\n' total "$(awk -v b="$total" 'BEGIN { print b / 1048576 }')" "$LIMIT_MIB"
[ "$total" -le $((LIMIT_MIB * 1048576)) ] || die "the archives and the working tree exceed $LIMIT_MIB MiB: fewer --videos-per-class"
log "done: $OUT"
