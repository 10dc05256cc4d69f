#!/usr/bin/env bash
# Build the development environment in .dev/ (git-ignored), idempotently:
#   .dev/venv     Python 3.11 venv: ROS 2 Kilted wheels, LiteRT, OpenCV, pycocotools, ...
#   .dev/build    CMake build trees of the interface packages
#   .dev/install  ament prefix with vision_msgs (stand-in) and this package's messages
#   .dev/colcon   colcon in a venv of its own (requirements/colcon.txt), linked into the venv
# Each stage is skipped when the inputs it was built from are unchanged, so a re-run
# with nothing changed takes about a second. Works on a fresh Debian 12 with no ROS.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dev="$repo/.dev"
venv="$dev/venv"
prefix="$dev/install"
python_bin="${PYTHON:-python3.11}"
mkdir -p "$dev"

log() { printf '[setup] %s\n' "$*" >&2; }

# A stage runs only if the hash of its inputs differs from the stamp it left last time.
inputs_hash() { cat "$@" | sha256sum | cut -d' ' -f1; }
stage_current() { [ -f "$dev/$1.stamp" ] && [ "$(cat "$dev/$1.stamp")" = "$2" ]; }
stage_done() { printf '%s' "$2" > "$dev/$1.stamp"; }

# --- system packages: a C/C++ compiler and Python headers (rosidl generates C code) ----
need_apt=()
command -v "$python_bin" >/dev/null || need_apt+=(python3.11)
"$python_bin" -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3.11-venv)
command -v cc >/dev/null && command -v c++ >/dev/null || need_apt+=(build-essential)
if command -v "$python_bin" >/dev/null; then
  inc="$("$python_bin" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
  [ -f "$inc/Python.h" ] || need_apt+=(python3.11-dev)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  command -v apt-get >/dev/null || { log "missing: ${need_apt[*]} (install them; no apt-get here)"; exit 1; }
  log "installing system packages: ${need_apt[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# --- optional: qemu-user-static and debootstrap for the emulated Pi 4 (aarch64_check.sh) --
# Without them that check (test/test_aarch64.py) skips with the reason; nothing else needs them.
if ! command -v qemu-aarch64-static >/dev/null || [ ! -x /usr/sbin/debootstrap ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if command -v apt-get >/dev/null && { [ -z "$sudo" ] || sudo -n true 2>/dev/null; }; then
    log "installing qemu-user-static and debootstrap (the emulated Pi 4 check)"
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        $sudo apt-get install -y -qq qemu-user-static debootstrap >/dev/null; } \
      || log "could not install qemu-user-static/debootstrap: the aarch64 check will skip"
  else
    log "no qemu-user-static/debootstrap and no apt-get as root: the aarch64 check will skip"
  fi
fi

# --- the virtual environment --------------------------------------------------------
h="$(inputs_hash "$repo/requirements/dev.txt" "$repo/requirements/core.txt" "$repo/requirements/constraints.txt" "$repo/requirements/no-deps.txt" "$repo/requirements/tracking.txt" "$repo/requirements/tracking-no-deps.txt" "$repo/setup.py")"
if ! stage_current venv "$h" || [ ! -x "$venv/bin/python" ]; then
  log "creating venv in $venv"
  [ -x "$venv/bin/python" ] || "$python_bin" -m venv "$venv"
  pip_install() {
    "$venv/bin/python" -m pip install -q "$@" >"$dev/pip.log" 2>&1 \
      || { grep -v '^WARNING: Location' "$dev/pip.log" | tail -30 >&2; log "pip install failed"; exit 1; }
  }
  pip_install --upgrade pip
  pip_install -r "$repo/requirements/dev.txt" -c "$repo/requirements/constraints.txt"
  pip_install --no-deps -r "$repo/requirements/no-deps.txt" -r "$repo/requirements/tracking-no-deps.txt"
  # The project itself, editable, without resolving its dependencies again.
  pip_install --no-deps --no-build-isolation -e "$repo"
  # The ROS wheels' CMake exports carry include paths of their build machine; point
  # them at this venv's Python and numpy headers (see ../shared/ROS_ENV.md).
  py_inc="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
  np_inc="$("$venv/bin/python" -c 'import numpy; print(numpy.get_include())')"
  # (grep finds nothing once they are rewritten: not an error.)
  { grep -rlZ --include='*.cmake' '/opt/python/cp311-cp311' "$venv/share" || true; } \
    | xargs -0 -r sed -i \
        -e "s#/opt/python/cp311-cp311/lib/python3.11/site-packages/numpy/_core/include#$np_inc#g" \
        -e "s#/opt/python/cp311-cp311/include/python3.11#$py_inc#g"
  rm -f "$dev"/interfaces-*.stamp
  stage_done venv "$h"
fi

# --- colcon: a venv of its own (colcon-core needs setuptools < 80), linked into the venv --
colcon_venv="$dev/colcon"
h="$(inputs_hash "$repo/requirements/colcon.txt")"
if ! stage_current colcon "$h" || [ ! -x "$colcon_venv/bin/colcon" ] || [ ! -e "$venv/bin/colcon" ]; then
  log "installing colcon in $colcon_venv"
  [ -x "$colcon_venv/bin/python" ] || "$python_bin" -m venv "$colcon_venv"
  "$colcon_venv/bin/python" -m pip install -q -r "$repo/requirements/colcon.txt" >"$dev/pip-colcon.log" 2>&1 \
    || { grep -v '^WARNING: Location' "$dev/pip-colcon.log" | tail -30 >&2; log "colcon install failed"; exit 1; }
  ln -sf "$colcon_venv/bin/colcon" "$venv/bin/colcon"
  stage_done colcon "$h"
fi

# --- interface packages: vision_msgs stand-in, then this package's msg/ ----------------
export AMENT_PREFIX_PATH="$prefix:$venv"
export CMAKE_PREFIX_PATH="$prefix:$venv"
export PATH="$venv/bin:$PATH"
build_pkg() {  # name source_dir input files...
  local name="$1" src="$2"; shift 2
  local h; h="$(inputs_hash "$@")"
  stage_current "interfaces-$name" "$h" && [ -d "$prefix/share/$name" ] && return 0
  log "building interfaces: $name"
  cmake -S "$src" -B "$dev/build/$name" -G Ninja -Wno-dev \
    -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_PREFIX_PATH="$prefix;$venv" \
    -DPython3_EXECUTABLE="$venv/bin/python" >"$dev/build-$name.log" 2>&1 \
    && cmake --build "$dev/build/$name" --target install >>"$dev/build-$name.log" 2>&1 \
    || { tail -40 "$dev/build-$name.log" >&2; log "building $name failed (log: $dev/build-$name.log)"; exit 1; }
  stage_done "interfaces-$name" "$h"
}
build_pkg vision_msgs "$repo/interfaces/vision_msgs" \
  "$repo/interfaces/vision_msgs/CMakeLists.txt" "$repo/interfaces/vision_msgs/package.xml" \
  "$repo"/interfaces/vision_msgs/msg/*.msg
# CMake refuses include paths inside the source directory, and the venv (numpy's headers)
# lives inside the repository: build this package from a staging copy of its sources.
# (The venv imports the Python sources in place; the install prefix provides `msg`.)
stage="$dev/src/mobilenet_ssd_ros"
rm -rf "$stage" && mkdir -p "$stage"
for item in CMakeLists.txt package.xml msg mobilenet_ssd_ros scripts launch config models; do
  if [ -e "$repo/$item" ]; then cp -r "$repo/$item" "$stage/$item"; fi
done
find "$stage" -name __pycache__ -prune -exec rm -rf {} +
build_pkg mobilenet_ssd_ros "$stage" \
  "$repo/CMakeLists.txt" "$repo/package.xml" "$repo"/msg/*.msg

log "environment ready: source tools/env.sh"
