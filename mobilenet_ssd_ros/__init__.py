"""
MobileNetV1-SSD object detection: a ROS-free core plus a ROS 2 lifecycle node.

Layers, each importing only those of a lower rank (test/test_layers.py):
0. `places`: where the data, the models and the CLI are on this machine;
1. `core`: an RGB array in, detections out (no rclpy, no model names);
2. `zoo`: models by (alpha, resolution): lookup, metadata, opening, download, builder;
3. `convert`: ROS messages <-> images and detections (no rclpy);
4. `ros`: the lifecycle node (rclpy); `offline`: datasets, evaluation, bags and replay
   (siblings: neither imports the other);
5. `training`: distillation (PyTorch); `bench`: benchmarks;
6. `cli`: the `mobilenet-ssd` command line.
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

import os as _os

# OpenCV reads its decoders' pixel limit once, when it loads: give it the node's default
# limit (convert/image_input.py, DEFAULT_MAX_PIXELS) before any module here imports cv2,
# so that no decoder, whatever a header claims, makes a larger image. A value set by the
# user wins; where cv2 was loaded before this package, only the header check applies.
_os.environ.setdefault('OPENCV_IO_MAX_IMAGE_PIXELS', str(50_000_000))

# In a colcon install the generated `msg` subpackage sits next to these modules. In the
# development environment (tools/setup_env.sh) it is installed under .dev/install while
# the sources are used in place: let the package span both directories.
__path__ = __import__('pkgutil').extend_path(__path__, __name__)
