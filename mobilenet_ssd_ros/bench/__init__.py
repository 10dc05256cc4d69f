"""
Layer 5, benchmarks that report ratios measured in one run.

`core` (detect against invoke and a reference pipeline, the threads x XNNPACK sweep),
`node` (the node through real DDS against a naive node, and a soak; rclpy, but it starts
the node as a process and never imports ros/), `zoo_report` (every model's cost and
accuracy), `plots` (their PNGs). May import places, core/, zoo/, convert/ and offline/.
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
