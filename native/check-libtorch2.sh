#!/usr/bin/env bash
# Compile-only check of the shim (native/src/*.cpp) against libtorch 2.x, the version the GPU
# machine's PyTorch ships, while this machine builds against Debian 12's libtorch 1.13:
#   - every source against Debian trixie's libtorch-dev 2.6 headers (CPU build);
#   - the sources with CUDA-only code (#ifdef CVM_WITH_CUDA) again with CVM_WITH_CUDA=1 against
#     trixie contrib's libtorch-cuda-dev 2.6 plus the CUDA 12.4 headers of non-free's nvidia-cuda-dev
#     (and libcu++-dev, which they include).
# The packages are downloaded with apt-get into a private apt state (nothing is installed) and only
# their usr/include is kept, in the cache folder native/build-libtorch2/ (git-ignored; override with
# CVM_LIBTORCH2_CACHE). The first run downloads ~940 MB (nvidia-cuda-dev is most of it) and takes
# about 3 minutes; a re-run with the same sources, headers and compiler returns at once.
#
#   native/check-libtorch2.sh [--no-cuda] [--jobs N]
#
# Exit 0: every file compiled. Exit 1: a compile error (the compiler's messages are printed).
# Exit 2: bad arguments or the headers could not be fetched.
set -euo pipefail

NATIVE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${CVM_LIBTORCH2_CACHE:-$NATIVE/build-libtorch2}"
SUITE=trixie
CUDA=1
JOBS=2

while [ $# -gt 0 ]; do
  case "$1" in
    --no-cuda) CUDA=0 ;;
    --jobs) JOBS="${2:?--jobs needs a number}"; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check-libtorch2: unknown argument '$1' (--no-cuda | --jobs N)" >&2; exit 2 ;;
  esac
  shift
done

log() { printf '[check-libtorch2] %s\n' "$*" >&2; }
die() { printf '[check-libtorch2] error: %s\n' "$*" >&2; exit 2; }

# The Debian mirror this machine already uses (the deb822 URIs: line, else a sources.list line).
mirror_uri() {
  local uri=""
  [ -f /etc/apt/sources.list.d/debian.sources ] &&
    uri="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)"
  [ -z "$uri" ] && [ -f /etc/apt/sources.list ] &&
    uri="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)"
  echo "${uri:-http://deb.debian.org/debian}"
}

APT_DIR="$CACHE/apt"
APT_OPTS=(
  -o "Dir::Etc::SourceList=$APT_DIR/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$APT_DIR/lists" -o "Dir::Cache=$APT_DIR/cache"
  -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
  -o "APT::Sandbox::User=$(id -un)"
)
APT_UPDATED=0

apt_update() {
  [ "$APT_UPDATED" = 1 ] && return
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [ -f "$keyring" ] || die "$keyring is missing (package debian-archive-keyring)"
  echo "deb [signed-by=$keyring] $(mirror_uri) $SUITE main contrib non-free" > "$APT_DIR/sources.list"
  log "apt-get update ($SUITE main contrib non-free, private state in $APT_DIR)"
  apt-get "${APT_OPTS[@]}" -qq update || die "apt-get update of $SUITE failed (network or mirror)"
  APT_UPDATED=1
}

# fetch NAME PACKAGE...: the packages' usr/include under $CACHE/NAME, fetched once. Written under a
# temporary name and renamed when complete, so a killed download is redone, not half-used.
fetch() {
  local name="$1"; shift
  local dest="$CACHE/$name"
  [ -f "$dest/versions.txt" ] && return
  apt_update
  local tmp="$CACHE/.$name.partial"
  rm -rf "$tmp" && mkdir -p "$tmp/debs" "$tmp/root"
  log "downloading $* (headers only are kept)"
  (cd "$tmp/debs" && apt-get "${APT_OPTS[@]}" -qq download "$@") || die "apt-get download $* failed"
  local deb
  for deb in "$tmp"/debs/*.deb; do
    dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb" >> "$tmp/root/versions.txt"
    # Unpacking nvidia-cuda-dev's 934 MB archive is most of the first run; only include/ is written.
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/root" --wildcards './usr/include/*' \
      || die "unpacking $deb failed"
  done
  rm -rf "$dest" && mv "$tmp/root" "$dest" && rm -rf "$tmp"
  log "$name: $(paste -sd',' "$dest/versions.txt" | sed 's/,/, /g')"
}

SOURCES=("$NATIVE"/src/*.cpp)
CXX="${CXX:-g++}"
WARN=(-Wall -Wno-unused-parameter)

# Skips a variant whose sources, headers, flags, compiler and this script are those of an earlier pass.
stamp_for() {
  local headers="$1"; shift
  { "$CXX" -dumpfullversion; "$CXX" -dumpmachine; echo "$*"; cat "$0" "$NATIVE"/src/*.h "${SOURCES[@]}" "$CACHE/$headers/versions.txt"; } \
    | sha256sum | cut -c1-16
}

# compile VARIANT HEADERS FLAGS... -- FILE...: -fsyntax-only per file, $JOBS at a time; with more
# than two files shim.h (most of the parse time: ATen) is parsed once into a precompiled header.
compile() {
  local variant="$1" headers="$2"; shift 2
  local flags=() files=()
  while [ "$1" != -- ]; do flags+=("$1"); shift; done; shift
  files=("$@")
  local stamp; stamp="$CACHE/passed/$variant-$(stamp_for "$headers" "${flags[@]}")"
  if [ -f "$stamp" ]; then
    log "$variant: ${#files[@]} files unchanged since the pass of $(cat "$stamp")"
    return 0
  fi
  local work="$CACHE/work-$variant"
  rm -rf "$work" && mkdir -p "$work/logs"
  cp "$NATIVE"/src/*.h "$NATIVE"/src/*.cpp "$work/"
  if [ "${#files[@]}" -gt 2 ]; then
    log "$variant: precompiling shim.h"
    if ! "$CXX" "${flags[@]}" -x c++-header "$work/shim.h" -o "$work/shim.h.gch" 2> "$work/logs/shim.h.log"; then
      cat "$work/logs/shim.h.log" >&2
      rm -rf "$work"
      echo "[check-libtorch2] FAILED: $variant: shim.h does not compile" >&2
      return 1
    fi
  fi
  log "$variant: compiling ${#files[@]} files (-fsyntax-only, $JOBS at a time)"
  local f running=0
  for f in "${files[@]}"; do
    f="$(basename "$f")"
    ( if "$CXX" "${flags[@]}" -Winvalid-pch -fsyntax-only "$work/$f" 2> "$work/logs/$f.log"; then :; else touch "$work/logs/$f.failed"; fi ) &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then wait -n || true; running=$((running - 1)); fi
  done
  wait
  local failed=() log_file
  for f in "${files[@]}"; do
    f="$(basename "$f")"
    log_file="$work/logs/$f.log"
    # Messages name the sources where they live (the compiler saw the copies in $work).
    if [ -f "$work/logs/$f.failed" ]; then failed+=("$f"); sed "s|$work/|native/src/|g" "$log_file" >&2
    elif [ -s "$log_file" ]; then log "$variant: warnings in $f:"; sed "s|$work/|native/src/|g" "$log_file" >&2
    fi
  done
  rm -rf "$work"   # the precompiled header alone is ~300 MB
  if [ "${#failed[@]}" -gt 0 ]; then
    echo "[check-libtorch2] FAILED: $variant: ${#failed[@]} of ${#files[@]} files do not compile: ${failed[*]}" >&2
    return 1
  fi
  mkdir -p "$CACHE/passed" && date -u +%Y-%m-%dT%H:%M:%SZ > "$stamp"
  log "$variant: ${#files[@]} files compile"
}

command -v "$CXX" >/dev/null || die "$CXX not found (./run setup installs g++)"
command -v apt-get >/dev/null || die "apt-get not found (a Debian machine is needed)"
mkdir -p "$CACHE"

status=0
fetch torch2 libtorch-dev
T="$CACHE/torch2/usr/include"
compile libtorch2-cpu torch2 -std=c++17 "${WARN[@]}" -isystem "$T" -isystem "$T/torch/csrc/api/include" -- "${SOURCES[@]}" || status=1

if [ "$CUDA" = 1 ]; then
  mapfile -t CUDA_SOURCES < <(grep -l 'CVM_WITH_CUDA' "${SOURCES[@]}")
  if [ "${#CUDA_SOURCES[@]}" -gt 0 ]; then
    fetch torch2-cuda libtorch-cuda-dev nvidia-cuda-dev libcu++-dev
    C="$CACHE/torch2-cuda/usr/include"
    compile libtorch2-cuda torch2-cuda -std=c++17 "${WARN[@]}" -DCVM_WITH_CUDA=1 -isystem "$C" -isystem "$C/torch/csrc/api/include" \
      -- "${CUDA_SOURCES[@]}" || status=1
  fi
fi

if [ "$status" = 0 ]; then
  echo "check-libtorch2: passed ($( [ "$CUDA" = 1 ] && echo "CPU and CUDA code paths" || echo "CPU code paths" ))"
else
  echo "check-libtorch2: FAILED" >&2
fi
exit "$status"
