"""
Layer 4, the ROS node: rclpy code only (the lifecycle node and what it is made of).

May import places, core/, zoo/ and convert/; never offline/, bench/, training/ or the CLI
(offline/ is its sibling: neither imports the other). `node` is the lifecycle node and
its wiring; `settings` the parameters, `camera` the subscriptions, publishers and
counters, `worker` the worker thread and per-frame processing, `frames` how frames travel
(serialized or typed), `diagnostics` the /diagnostics status, `reasons` one bounded line
per error, `log_throttle` the log lines per kind, `main` the process, `send_images` a
client that sends image files through the node.
"""

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
