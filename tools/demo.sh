#!/usr/bin/env bash
# The main job on the built-in default: detect objects in ../shared/data/samples with the
# default zoo model (alpha 1.0, resolution 300) and write annotated images to out/demo/.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$repo/tools/setup_env.sh"
# shellcheck source=tools/env.sh
source "$repo/tools/env.sh"
cd "$repo"
images="${1:-../shared/data/samples}"
exec mobilenet-ssd detect "$images" --annotate out/demo
