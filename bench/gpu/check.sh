#!/usr/bin/env bash
# The GPU check, one script for one call on a GPU machine (bench/gpu/README.md):
#   1. builds the shim (native/) against the machine's PyTorch libtorch (CUDA);
#   2. unpacks the app, the .NET runtime and the dataset that bench/gpu/pack.sh packed (out/gpu-carry);
#   3. runs the device smoke (gpucheck smoke: tensors, bf16 autocast, a tiny training step, each
#      against the CPU) and `cvmae doctor`;
#   4. pre-trains the `base` config (configs/pretrain-vitb-k400.yaml: ViT-B, 16x224x224, bf16) for
#      --steps steps on one GPU, then with --nproc-per-node N over NCCL when N > 1 GPUs are visible;
#   5. prints clips/s, achieved TFLOP/s and MFU, the feed-wait share of step time and peak GPU memory.
# Every phase has a wall-clock cap so the whole stays under 10 minutes; a pre-training run cut by its
# cap is summarised over the steps it logged.
#
#   bench/gpu/check.sh [--steps N] [--batch B] [--carry DIR] [--work DIR] [--peak-tflops P]
#   bench/gpu/check.sh --cpu [--steps N] [--work DIR]
#
# --cpu (CI, tests/Pipeline.Tests): the same phases on this machine's CPU with what `./run setup` built
# (system libtorch, src/Pipeline and bench/gpu/GpuCheck in Release), a generated tiny dataset and the
# tiny config. Output lines the CI test reads: "smoke: passed", "summary[...]: ...", "check: passed".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MODE=gpu
STEPS=""
BATCH=""
CARRY="$ROOT/out/gpu-carry"
WORK=""
PEAK=""

while [ $# -gt 0 ]; do
  case "$1" in
    --cpu) MODE=cpu ;;
    --steps) STEPS="${2:?--steps needs a number}"; shift ;;
    --batch) BATCH="${2:?--batch needs a number}"; shift ;;
    --carry) CARRY="${2:?--carry needs a folder}"; shift ;;
    --work) WORK="${2:?--work needs a folder}"; shift ;;
    --peak-tflops) PEAK="${2:?--peak-tflops needs a number}"; shift ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

START=$SECONDS
log() { printf '[check %4ds] %s\n' "$((SECONDS - START))" "$*"; }
die() { printf '[check %4ds] FAILED: %s\n' "$((SECONDS - START))" "$*" >&2; exit 1; }
number() { [[ "$2" =~ ^[0-9]+$ ]] || die "$1 must be a whole number, got '$2'"; }

# override FILE SECTION KEY VALUE: sets "  KEY: VALUE" inside "SECTION:" of a two-level YAML config
# (the layout of configs/*.yaml); a key that is not there is added to its section.
override() {
  local file="$1" section="$2" key="$3" value="$4" tmp="$1.tmp"
  awk -v s="$section" -v k="$key" -v v="$value" '
    /^[^ #][^:]*:/ { if (in_s && !done) { print "  " k ": " v; done = 1 } in_s = ($0 ~ "^" s ":") }
    in_s && $0 ~ "^  " k ":" { print "  " k ": " v; done = 1; next }
    { print }
    END { if (in_s && !done) print "  " k ": " v; else if (!done) { print s ":"; print "  " k ": " v } }
  ' "$file" > "$tmp" && mv "$tmp" "$file"
}

# config_value FILE SECTION KEY: the value of SECTION.KEY (empty when absent).
config_value() {
  awk -v s="$2" -v k="$3" '/^[^ #][^:]*:/ { in_s = ($0 ~ "^" s ":") } in_s && $0 ~ "^  " k ":" { sub(/^  [^:]*: */, ""); sub(/ *#.*/, ""); print; exit }' "$1"
}

if [ "$MODE" = cpu ]; then
  WORK="${WORK:-$ROOT/out/gpu-check-cpu}"
  STEPS="${STEPS:-6}"; BATCH="${BATCH:-4}"
  DOTNET=(dotnet)
  APP="$ROOT/src/Pipeline/bin/Release/net10.0"
  GPUCHECK="$ROOT/bench/gpu/GpuCheck/bin/Release/net10.0/gpucheck.dll"
  [ -f "$APP/cvmae.dll" ] || die "$APP/cvmae.dll is missing: run ./run setup (or dotnet build src/Pipeline -c Release)"
  [ -f "$GPUCHECK" ] || die "$GPUCHECK is missing: dotnet build bench/gpu/GpuCheck -c Release"
  DEVICE=cpu
else
  WORK="${WORK:-$ROOT/out/gpu-check}"
  STEPS="${STEPS:-300}"; BATCH="${BATCH:-32}"
  DEVICE=cuda
fi
number --steps "$STEPS"; number --batch "$BATCH"
# The work folder is emptied first; only one that this script made (it holds the marker) or an empty one.
if [ -d "$WORK" ] && [ -n "$(ls -A "$WORK")" ] && [ ! -f "$WORK/.gpu-check-work" ]; then
  die "$WORK is not empty and was not made by this script; give another --work"
fi
rm -rf "$WORK" && mkdir -p "$WORK" && touch "$WORK/.gpu-check-work"
log "mode $MODE, work folder $WORK"

# ---- 1-2. the shim against PyTorch's libtorch, the carried app and runtime (GPU mode) ----
PY=python3
if [ "$MODE" = gpu ]; then
  [ -x /opt/torch/.venv/bin/python3 ] && PY=/opt/torch/.venv/bin/python3
  # CMake finds the CUDA toolkit through nvcc; the usual install is not always on PATH.
  command -v nvcc >/dev/null || { [ -x /usr/local/cuda/bin/nvcc ] && export PATH="/usr/local/cuda/bin:$PATH"; }
  command -v nvidia-smi >/dev/null || die "nvidia-smi not found: not a GPU machine (use --cpu)"
  nvidia-smi -L
  for f in app.tar.gz dotnet-runtime.tar.gz SHA256SUMS; do
    [ -f "$CARRY/$f" ] || die "$CARRY/$f is missing: run bench/gpu/pack.sh on the build machine and carry out/gpu-carry"
  done
  (cd "$CARRY" && sha256sum --quiet -c SHA256SUMS) || die "$CARRY: an archive does not match SHA256SUMS (damaged in transit?)"

  TORCH_PREFIX="$("$PY" -c 'import torch; print(torch.utils.cmake_prefix_path)')" || die "$PY cannot import torch"
  log "PyTorch $("$PY" -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda)'), libtorch at $TORCH_PREFIX"
  GEN=(); command -v ninja >/dev/null && GEN=(-G Ninja)
  log "building the shim (cmake ${GEN[*]})"
  timeout 300 cmake -S "$ROOT/native" -B "$WORK/native-build" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release -DLIBTORCH_DIR="$TORCH_PREFIX" \
    > "$WORK/cmake-configure.log" 2>&1 || { tail -40 "$WORK/cmake-configure.log"; die "cmake configure failed ($WORK/cmake-configure.log)"; }
  grep -q "CUDA libtorch found" "$WORK/cmake-configure.log" || die "cmake did not find a CUDA libtorch under $TORCH_PREFIX"
  timeout 300 cmake --build "$WORK/native-build" -j "$(nproc)" > "$WORK/cmake-build.log" 2>&1 \
    || { tail -60 "$WORK/cmake-build.log"; die "building the shim failed ($WORK/cmake-build.log)"; }
  log "shim built"

  mkdir -p "$WORK/dotnet" "$WORK/app"
  tar -xzf "$CARRY/dotnet-runtime.tar.gz" -C "$WORK/dotnet"
  tar -xzf "$CARRY/app.tar.gz" -C "$WORK/app"
  APP="$WORK/app"
  # The freshly built native libraries replace the CPU ones that were packed with the app.
  cp "$WORK/native-build"/*.so "$APP/"
  export DOTNET_ROOT="$WORK/dotnet"
  DOTNET=("$WORK/dotnet/dotnet")
  GPUCHECK="$APP/gpucheck.dll"
  "${DOTNET[@]}" --info > "$WORK/dotnet-info.txt" 2>&1 || die ".NET runtime does not start (see $WORK/dotnet-info.txt)"
fi
CVMAE=("${DOTNET[@]}" "$APP/cvmae.dll")

# ---- 3. doctor and the device smoke ----
log "cvmae doctor"
"${CVMAE[@]}" doctor || log "doctor reported a missing dependency (above); going on"
log "device smoke on $DEVICE"
# A failed smoke check is reported at the end; the pre-training runs still measure (one GPU session is scarce).
FAILED=()
timeout 300 "${DOTNET[@]}" "$GPUCHECK" smoke --device "$DEVICE" || { FAILED+=("device smoke"); log "device smoke on $DEVICE FAILED (above); going on"; }

# ---- dataset: the carried one, else generated here (make-sample + prepare; needs ffmpeg) ----
if [ "$MODE" = gpu ]; then
  CONFIG_SRC="$ROOT/configs/pretrain-vitb-k400.yaml"
else
  CONFIG_SRC="$ROOT/configs/pretrain-tiny-cpu.yaml"
fi
FRAMES="$(config_value "$CONFIG_SRC" model frames)"
if [ "$MODE" = gpu ] && [ -f "$CARRY/dataset.tar.gz" ]; then
  mkdir -p "$WORK/data" && tar -xzf "$CARRY/dataset.tar.gz" -C "$WORK/data"
  MANIFEST="$WORK/data/shards/index.json"
  log "dataset: carried ($(du -sh "$WORK/data/shards" | cut -f1))"
else
  command -v ffmpeg >/dev/null || die "no carried dataset and no ffmpeg to generate one"
  log "dataset: make-sample + prepare (clip length $FRAMES)"
  "${CVMAE[@]}" make-sample --out "$WORK/data/sample" --quick --classes 2 --videos-per-class 4 > "$WORK/make-sample.log" \
    || { cat "$WORK/make-sample.log"; die "make-sample"; }
  "${CVMAE[@]}" prepare --format ucf101 --annotations "$WORK/data/sample/annotations/ucf101" --videos "$WORK/data/sample/videos" \
    --out "$WORK/data/shards" --name gpucheck --clip-length "$FRAMES" --stride 2 --short-side 64 --quiet > "$WORK/prepare.log" \
    || { cat "$WORK/prepare.log"; die "prepare"; }
  MANIFEST="$WORK/data/shards/index.json"
fi
[ -f "$MANIFEST" ] || die "$MANIFEST is missing"

# ---- 4. pre-training config: the recipe with the check's batch, no checkpoints, all cores feeding ----
CONFIG="$WORK/pretrain.yaml"
cp "$CONFIG_SRC" "$CONFIG"
override "$CONFIG" optim batch_size "$BATCH"
override "$CONFIG" optim accum_steps 1
override "$CONFIG" run checkpoint_every 1000000
override "$CONFIG" run device "$DEVICE"
if [ "$MODE" = gpu ]; then
  override "$CONFIG" run bf16 true
  override "$CONFIG" run decode_threads "$(( $(nproc) > 4 ? $(nproc) - 2 : 2 ))"
  override "$CONFIG" run prefetch 8
else
  override "$CONFIG" run bf16 false
  override "$CONFIG" run decode_threads 1
fi
# Sampled frames per clip (n) from the manifest's settings (data-schemas/index.schema.json).
SAMPLED="$("$PY" -c 'import json, sys; print(int(json.load(open(sys.argv[1]))["config"]["sampled_frames"]))' "$MANIFEST")" \
  || die "$MANIFEST: no config.sampled_frames"
if [ "$MODE" = gpu ] && [ -z "$PEAK" ]; then
  # bf16 dense tensor peak of the SXM parts (H200 has the H100's compute); others: give --peak-tflops.
  case "$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)" in
    *H100*|*H200*) PEAK=989 ;;
  esac
fi
PEAK_ARGS=(); [ -n "$PEAK" ] && PEAK_ARGS=(--peak-tflops "$PEAK")
SKIP=$(( STEPS >= 40 ? 20 : 1 ))

# pretrain LABEL CAP_SECONDS [EXTRA ARGS...]: one run, memory sampled on the GPU, then its summary.
pretrain() {
  local label="$1" cap="$2"; shift 2
  local out="$WORK/run-$label" sampler=""
  log "pretrain [$label]: $STEPS steps of batch $BATCH, at most ${cap}s"
  if [ "$MODE" = gpu ]; then
    nvidia-smi --query-gpu=index,memory.used --format=csv,noheader,nounits -lms 500 > "$WORK/memory-$label.csv" &
    sampler=$!
  fi
  local rc=0
  timeout --kill-after=20 "$cap" "${CVMAE[@]}" pretrain --manifest "$MANIFEST" --config "$CONFIG" --out "$out" --max-steps "$STEPS" --quiet "$@" \
    > "$WORK/pretrain-$label.log" 2>&1 || rc=$?
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null && wait "$sampler" 2>/dev/null || true
  tail -3 "$WORK/pretrain-$label.log"
  if [ "$rc" = 124 ]; then log "pretrain [$label]: stopped at the ${cap}s cap; summarising the logged steps"
  elif [ "$rc" != 0 ]; then tail -30 "$WORK/pretrain-$label.log"; die "pretrain [$label] exited with $rc"; fi
  # The model geometry from the settings as the run resolved them (every key present, defaults filled in).
  local resolved="$out/config.resolved.yaml" freeze=()
  [ -f "$resolved" ] || die "$resolved is missing"
  [ "$(config_value "$resolved" model freeze_image_encoder)" = true ] && freeze=(--freeze-image)
  "${DOTNET[@]}" "$GPUCHECK" summary --metrics "$out/metrics.jsonl" --label "$label" --skip "$SKIP" "${PEAK_ARGS[@]}" "${freeze[@]}" \
    --model "$(config_value "$resolved" model name)" --frames "$(config_value "$resolved" model frames)" \
    --video-size "$(config_value "$resolved" model video_size)" --frame-size "$(config_value "$resolved" model frame_size)" \
    --video-mask "$(config_value "$resolved" masking video_ratio)" --image-mask "$(config_value "$resolved" masking image_ratio)" \
    --video-masking "$(config_value "$resolved" masking video_kind)" --sampled-frames "$SAMPLED" \
    || die "summary of pretrain [$label]"
  if [ "$MODE" = gpu ]; then
    awk -F', *' -v l="$label" '{ if ($2 > m[$1]) m[$1] = $2 } END { for (g in m) printf "summary[%s]: peak GPU memory cuda:%s %.0f MiB (nvidia-smi: the process with its CUDA context and allocator cache)\n", l, g, m[g] }' \
      "$WORK/memory-$label.csv" | sort
  else
    echo "summary[$label]: peak GPU memory n/a (--cpu)"
  fi
}

if [ "$MODE" = gpu ]; then
  pretrain 1gpu 240
  GPUS="$(nvidia-smi -L | grep -c '^GPU ' || true)"
  if [ "$GPUS" -gt 1 ]; then
    help="$("${CVMAE[@]}" pretrain --help 2>&1 || true)"   # read whole: grep -q closing the pipe early would fail it
    if grep -q -- '--nproc-per-node' <<< "$help"; then
      pretrain "${GPUS}gpu" 180 --nproc-per-node "$GPUS"
    else
      log "skipped the ${GPUS}-GPU run: this cvmae has no --nproc-per-node"
    fi
  else
    log "one GPU visible: no --nproc-per-node run"
  fi
else
  pretrain cpu 300
fi
log "done in $((SECONDS - START)) s"
if [ "${#FAILED[@]}" -gt 0 ]; then
  echo "check: FAILED: ${FAILED[*]}"
  exit 1
fi
echo "check: passed"
