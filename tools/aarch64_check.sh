#!/usr/bin/env bash
# Copyright 2026 The mobilenet_ssd_ros developers
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

# The detector on an emulated Raspberry Pi 4: aarch64 Debian Bookworm, Python 3.11, the
# aarch64 wheels of requirements/core.txt, under qemu-aarch64-static (-cpu cortex-a72).
#
#   tools/aarch64_check.sh [--out DIR] [--expect-from MODEL] [MODEL ...]
#
# For each model (default: every model the package ships, see `models` below) it runs
# `python -m mobilenet_ssd_ros detect <samples> --json --threshold 0.3 --threads 1` on this
# machine (the reference) and emulated (the candidate), and compares the two with
# mobilenet_ssd_ros.offline.crosscheck (same objects above 0.5, scores within 6 uint8 steps,
# box IoU >= 0.9). Exit 0: every model agrees; 1: a mismatch; 3: qemu-user-static or
# debootstrap is missing (the test skips on it).
# --expect-from MODEL compares against MODEL's x86 run instead of each model's own: a check
# that must fail (tests use it to prove that a differing ARM result is caught).
#
# The emulated root and the wheels are cached under $MOBILENET_SSD_AARCH64_CACHE (default
# ~/.cache/mobilenet_ssd_ros/aarch64), keyed on what they were made from, so a second run
# only builds the package wheel and runs the detector. From nothing it took 42 s here (one
# model; Debian's archive and PyPI close by) and 456 MB of cache (root 250, wheels 206).
# Needs the network for the first run (Debian's archive, PyPI); needs the development
# environment (tools/setup_env.sh) for the x86 reference and the comparison.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/env.sh
source "$repo/tools/env.sh"
out="$repo/.dev/aarch64"
expect_from=""
models=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --expect-from) expect_from="$2"; shift 2 ;;
    -h|--help) sed -n '16,35p' "$0"; exit 0 ;;
    *) models+=("$1"); shift ;;
  esac
done
log() { printf '[aarch64] %s\n' "$*" >&2; }

qemu="$(command -v qemu-aarch64-static || true)"
debootstrap="$(command -v debootstrap || echo /usr/sbin/debootstrap)"
if [ -z "$qemu" ] || [ ! -x "$debootstrap" ]; then
  log "needs qemu-user-static and debootstrap (Debian: apt-get install qemu-user-static debootstrap)"
  exit 3
fi

cache="${MOBILENET_SSD_AARCH64_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mobilenet_ssd_ros/aarch64}"
mkdir -p "$cache" "$out"
suite=bookworm
packages=python3.11,libpython3.11-stdlib

# --- the Pi's userland: debootstrap's first stage, every package unpacked (no chroot) ---
root="$cache/root-$suite-$(printf '%s' "$suite $packages" | sha256sum | cut -c1-12)"
if [ ! -x "$root/usr/bin/python3.11" ]; then
  log "building an arm64 $suite root in $root"
  rm -rf "$root.tmp"
  "$debootstrap" --arch=arm64 --foreign --variant=minbase --include="$packages" \
    "$suite" "$root.tmp" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log" >&2; log "debootstrap failed"; exit 1; }
  for deb in "$root.tmp"/var/cache/apt/archives/*.deb; do dpkg -x "$deb" "$root.tmp"; done
  rm -f "$root.tmp"/var/cache/apt/archives/*.deb
  # qemu-user shows the guest this machine's x86 /proc/cpuinfo, on which LiteRT's CPU
  # detection segfaults in allocate_tensors; qemu -L serves this file in its place.
  mkdir -p "$root.tmp/proc"
  for n in 0 1 2 3; do
    printf 'processor\t: %s\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\n' "$n"
    printf 'CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\n'
    printf 'CPU part\t: 0xd08\nCPU revision\t: 3\n\n'
  done >"$root.tmp/proc/cpuinfo"
  printf 'Hardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n' >>"$root.tmp/proc/cpuinfo"
  mv "$root.tmp" "$root"
fi

# --- the core requirements, as a Pi's pip would pick them (aarch64 wheels, cp311) --------
site="$cache/site-$(cat "$repo/requirements/core.txt" | sha256sum | cut -c1-12)"
if [ ! -f "$site/.complete" ]; then
  log "installing the aarch64 wheels of requirements/core.txt into $site"
  rm -rf "$site"
  python -m pip install -q --target "$site" --implementation cp --python-version 3.11 \
    --abi cp311 --platform manylinux_2_28_aarch64 --platform manylinux_2_27_aarch64 \
    --platform manylinux_2_17_aarch64 --platform manylinux2014_aarch64 \
    --only-binary=:all: -r "$repo/requirements/core.txt" >"$cache/pip.log" 2>&1 \
    || { tail -20 "$cache/pip.log" >&2; log "pip could not install the aarch64 wheels"; exit 1; }
  touch "$site/.complete"
fi

# --- the package itself: a wheel of this checkout, as `pip install .` would make it ----
# (built from a copy: setuptools would leave a build/ folder in the checkout)
pkg="$out/package"
rm -rf "$pkg" "$out/wheel" "$out/src"
mkdir -p "$out/src"
for item in setup.py mobilenet_ssd_ros models; do
  [ -e "$repo/$item" ] && cp -r "$repo/$item" "$out/src/"
done
find "$out/src" -name __pycache__ -prune -exec rm -rf {} +
python -m pip wheel -q --no-deps --no-build-isolation -w "$out/wheel" "$out/src" >"$out/wheel.log" 2>&1 \
  || { tail -20 "$out/wheel.log" >&2; log "building the wheel failed"; exit 1; }
python -m pip install -q --no-deps --target "$pkg" "$out"/wheel/*.whl >>"$out/wheel.log" 2>&1

# --- the models: every model the package ships (the release, trained models under models/)
if [ ${#models[@]} -eq 0 ]; then
  mapfile -t models < <(python - <<'EOF'
from mobilenet_ssd_ros import zoo
from mobilenet_ssd_ros.places import shipped_dir

shipped = shipped_dir()
catalogue = zoo.Catalogue()
for entry in catalogue.entries:
    found = catalogue.locate(entry)
    if found and (entry in zoo.MANIFEST or (shipped and found.model_path.is_relative_to(shipped))):
        print(found.model_path)
EOF
  )
fi
[ ${#models[@]} -gt 0 ] || { log "no model to check (is MOBILENET_SSD_SHARED_DIR set?)"; exit 1; }

samples="$MOBILENET_SSD_SHARED_DIR/data/samples"
detect=(-m mobilenet_ssd_ros detect "$samples" --json --threshold 0.3 --threads 1)
status=0
reference_of() {  # the x86 run of model $1, made once per call of this script
  local ref="$out/x86_$(basename "$(dirname "$1")").jsonl"
  [ -s "$ref" ] || python "${detect[@]}" --model "$1" >"$ref" 2>"$out/x86.log"
  printf '%s' "$ref"
}
rm -f "$out"/x86_*.jsonl
for model in "${models[@]}"; do
  name="$(basename "$(dirname "$model")")"
  log "$name: detecting on aarch64 (emulated Cortex-A72)"
  # The model and labels are read by the emulated Python through the host's paths.
  if ! env -i PATH=/usr/bin:/bin HOME="$HOME" QEMU_CPU=cortex-a72 PYTHONNOUSERSITE=1 \
      PYTHONPATH="$pkg:$site" MOBILENET_SSD_MODEL_DIR="$out/no-cache" \
      "$qemu" -L "$root" "$root/usr/bin/python3.11" "${detect[@]}" --model "$model" \
      >"$out/aarch64_$name.jsonl" 2>"$out/aarch64_$name.log"; then
    tail -20 "$out/aarch64_$name.log" >&2
    log "$name: the emulated run failed"
    status=1
    continue
  fi
  reference="$(reference_of "${expect_from:-$model}")"
  if python -m mobilenet_ssd_ros.offline.crosscheck "$reference" "$out/aarch64_$name.jsonl" \
      >"$out/compare_$name.txt"; then
    log "$name: agrees with x86: $(head -1 "$out/compare_$name.txt")"
  else
    cat "$out/compare_$name.txt" >&2
    log "$name: differs from x86"
    status=1
  fi
done
exit "$status"
