"""
Layer 4, offline tools that run without a ROS graph.

Datasets and mAP evaluation (`eval_run`: a model scored on a data set), COCO-C
corruptions and robustness, rosbag2 files and offline replay, the paired bootstrap, the
cross-architecture check. May import places, core/, zoo/ and convert/; never ros/ (its
sibling) or the layers above (training/, bench/, the CLI).
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
