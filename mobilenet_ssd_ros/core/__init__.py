"""
Layer 1, the detector core: one frame from an RGB array to `Detection`s, and nothing else.

Runtime selection, model loading and introspection, anchors, preprocessing,
postprocessing, label maps, the value types, enhancement, drawing and the newest-frame
mailbox. May import only places; never rclpy or ROS messages, so it runs wherever numpy,
OpenCV and a TFLite runtime do. `Detector(path)` knows files, not model names: finding a
model by (alpha, resolution) is the zoo's job.
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
