"""
Layer 3, message conversion: between ROS messages and the core's images and detections.

`image_input` (sensor_msgs Image/CompressedImage -> numpy), `messages` (detections, labels,
stats -> vision_msgs and this package's messages) and `cdr` (serialized frames -> messages,
with rosbags) work on any object with the messages' fields, rclpy's or rosbags', so the node
(ros/) and the offline tools (offline/, bench/) share them. May import core/ and zoo/;
never rclpy (message classes come from a mapping the caller passes).
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
