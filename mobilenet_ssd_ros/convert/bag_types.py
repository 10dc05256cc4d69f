"""
Message definitions the bag tools register with rosbags (which knows only the core ROS types).

The vision_msgs 4.x types of Detection2DArray and this package's DetectionStats. They are kept
here, not read from an install, so that `pip install .` alone can write result bags; a test checks
them field for field against msg/ and interfaces/vision_msgs/msg/.
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

from __future__ import annotations

from rosbags.typesys import get_types_from_msg, get_typestore, Stores
from rosbags.typesys.store import Typestore

DEFINITIONS = {
    'vision_msgs/msg/Point2D': 'float64 x\nfloat64 y',
    'vision_msgs/msg/Pose2D': 'vision_msgs/Point2D position\nfloat64 theta',
    'vision_msgs/msg/BoundingBox2D': 'vision_msgs/Pose2D center\nfloat64 size_x\nfloat64 size_y',
    'vision_msgs/msg/ObjectHypothesis': 'string class_id\nfloat64 score',
    'vision_msgs/msg/ObjectHypothesisWithPose': (
        'vision_msgs/ObjectHypothesis hypothesis\ngeometry_msgs/PoseWithCovariance pose'
    ),
    'vision_msgs/msg/Detection2D': (
        'std_msgs/Header header\n'
        'vision_msgs/ObjectHypothesisWithPose[] results\n'
        'vision_msgs/BoundingBox2D bbox\n'
        'string id'
    ),
    'vision_msgs/msg/Detection2DArray': (
        'std_msgs/Header header\nvision_msgs/Detection2D[] detections'
    ),
    'mobilenet_ssd_ros/msg/DetectionStats': (
        'std_msgs/Header header\n'
        'float32 preprocess_ms\n'
        'float32 inference_ms\n'
        'float32 postprocess_ms\n'
        'float32 total_ms\n'
        'float32 latency_ms\n'
        'uint32 frames_dropped\n'
        'uint32 num_detections\n'
        'string model_id\n'
        'float32 alpha\n'
        'uint16 resolution\n'
        'float32 brightness\n'
        'float32 contrast\n'
        'float32 haze\n'
        'string image_quality\n'
        'bool enhanced'
    ),
}


def typestore() -> Typestore:
    """Return the ROS 2 Kilted store plus the types above (Humble/Jazzy share them)."""
    store = get_typestore(Stores.ROS2_KILTED)
    types = {}
    for name, text in DEFINITIONS.items():
        types.update(get_types_from_msg(text, name))
    store.register(types)
    return store
