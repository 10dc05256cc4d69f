#!/usr/bin/env bash
# The main job on the built-in default, end to end through ROS 2: start the lifecycle
# node (default zoo model, autostart), send the sample images through a real topic,
# print the detections, write annotated images and a result bag to out/demo/.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$repo/tools/setup_env.sh"
# shellcheck source=tools/env.sh
source "$repo/tools/env.sh"
cd "$repo"
images="${1:-../shared/data/samples}"
out="out/demo"
rm -rf "$out"
# A private, loopback-only DDS domain, and shared memory big enough for whole images.
export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST
export ROS_DOMAIN_ID="${ROS_DOMAIN_ID:-$((100 + RANDOM % 100))}"
export FASTDDS_DEFAULT_PROFILES_FILE="$repo/config/fastdds_large_images.xml"
export ROS_LOG_DIR="$repo/out/ros_log"
mkdir -p "$out"
python scripts/mobilenet_ssd_node --ros-args -p autostart:=true >"$out/node.log" 2>&1 &
node_pid=$!
trap 'kill -TERM $node_pid 2>/dev/null; wait $node_pid 2>/dev/null || true' EXIT
python scripts/detect_images "$images" --output "$out"
