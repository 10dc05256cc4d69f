"""
Detections and images -> ROS messages (vision_msgs 4.x layout), for any message classes.

The node publishes rclpy messages; the offline replay writes rosbags messages into bags.
Both are built here by one set of functions that take the message classes from a
mapping of ROS type names (`"vision_msgs/msg/Detection2D"`) to classes: `RCLPY_TYPES`
for rclpy (imported on first use, so this module needs no ROS install), or a rosbags
typestore's `types`. Every field is passed to the constructor, which both kinds accept
(rosbags' classes have no defaults).
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

from collections.abc import Iterator, Mapping, Sequence
import importlib
from typing import Any

import numpy as np

from ..core.detection import BBox, Detection
from ..core.detector import Detector, FrameResult
from ..core.enhance import ImageQuality
from ..core.labels import LabelMap

DETECTION_ARRAY = 'vision_msgs/msg/Detection2DArray'
STATS = 'mobilenet_ssd_ros/msg/DetectionStats'


class _RclpyTypes(Mapping[str, type]):
    """ROS type name -> rclpy message class, imported when first asked for."""

    def __init__(self):
        self._cache: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        cls = self._cache.get(name)
        if cls is None:
            package, _, type_name = name.split('/')
            cls = self._cache[name] = getattr(importlib.import_module(f'{package}.msg'), type_name)
        return cls

    def __iter__(self) -> Iterator[str]:
        return iter(self._cache)

    def __len__(self) -> int:
        return len(self._cache)


RCLPY_TYPES: Mapping[str, type] = _RclpyTypes()


def _identity_pose(types: Mapping[str, type]) -> Any:
    """Return the (unused) 3D pose of a 2D hypothesis: identity, zero covariance."""
    return types['geometry_msgs/msg/PoseWithCovariance'](
        pose=types['geometry_msgs/msg/Pose'](
            position=types['geometry_msgs/msg/Point'](x=0.0, y=0.0, z=0.0),
            orientation=types['geometry_msgs/msg/Quaternion'](x=0.0, y=0.0, z=0.0, w=1.0),
        ),
        covariance=np.zeros(36, np.float64),
    )


def detection_array(
    detections: Sequence[Detection], header: Any, types: Mapping[str, type]
) -> Any:
    """
    One Detection2D per detection.

    Center and size in pixels of the original image, `results[0].hypothesis.class_id` = the label
    name, `score` in [0, 1], `id` the track id where a tracker set one (core/tracking.py), else
    empty; the array and every Detection2D carry the image's header.
    """
    detection, hypothesis_with_pose = (
        types['vision_msgs/msg/Detection2D'],
        types['vision_msgs/msg/ObjectHypothesisWithPose'],
    )
    hypothesis, box = (
        types['vision_msgs/msg/ObjectHypothesis'],
        types['vision_msgs/msg/BoundingBox2D'],
    )
    pose2d, point2d = types['vision_msgs/msg/Pose2D'], types['vision_msgs/msg/Point2D']
    pose = _identity_pose(types)
    items = []
    for d in detections:
        cx, cy = d.bbox.center
        items.append(
            detection(
                header=header,
                results=[
                    hypothesis_with_pose(
                        hypothesis=hypothesis(class_id=d.label, score=d.score), pose=pose
                    )
                ],
                bbox=box(
                    center=pose2d(position=point2d(x=cx, y=cy), theta=0.0),
                    size_x=d.bbox.width,
                    size_y=d.bbox.height,
                ),
                id='' if d.track_id is None else str(d.track_id),
            )
        )
    return types[DETECTION_ARRAY](header=header, detections=items)


def detections_from_array(msg: Any) -> list[Detection]:
    """Invert detection_array: Detections (class_id unknown: -1) from a message."""
    out = []
    for d in msg.detections:
        cx, cy, w, h = (
            d.bbox.center.position.x,
            d.bbox.center.position.y,
            d.bbox.size_x,
            d.bbox.size_y,
        )
        hyp = d.results[0].hypothesis
        out.append(
            Detection(
                hyp.class_id,
                -1,
                hyp.score,
                BBox(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2),
                int(d.id) if d.id else None,
            )
        )
    return out


def label_info(labels: LabelMap, threshold: float, header: Any, types: Mapping[str, type]) -> Any:
    vision_class = types['vision_msgs/msg/VisionClass']
    return types['vision_msgs/msg/LabelInfo'](
        header=header,
        class_map=[
            vision_class(class_id=i, class_name=name) for i, name in sorted(labels.items())
        ],
        threshold=float(threshold),
    )


def rgb_image(rgb: np.ndarray, header: Any, types: Mapping[str, type]) -> Any:
    """Return an rgb8 Image message holding the HxWx3 uint8 array's bytes."""
    rgb = np.ascontiguousarray(rgb)
    return types['sensor_msgs/msg/Image'](
        header=header,
        height=rgb.shape[0],
        width=rgb.shape[1],
        encoding='rgb8',
        is_bigendian=0,
        step=rgb.shape[1] * 3,
        data=rgb.reshape(-1),
    )


def stats_message(
    types: Mapping[str, type],
    header: Any,
    result: FrameResult,
    detector: Detector,
    *,
    convert_ms: float,
    total_ms: float,
    latency_ms: float,
    frames_dropped: int,
) -> Any:
    """
    Return the DetectionStats of one processed frame: the node's ~/stats, replay's bag.

    `convert_ms` is the image message -> array conversion before detect(), `total_ms` the
    frame from taken to its detections sent (published, or written to the bag): what is
    not preprocessing or inference is post-processing (msg/DetectionStats.msg).
    """
    preprocess_ms = convert_ms + result.timings.preprocess_ms
    return types[STATS](
        header=header,
        preprocess_ms=preprocess_ms,
        inference_ms=result.timings.inference_ms,
        postprocess_ms=total_ms - preprocess_ms - result.timings.inference_ms,
        total_ms=total_ms,
        latency_ms=latency_ms,
        frames_dropped=frames_dropped,
        num_detections=len(result.detections),
        model_id=detector.model_id,
        alpha=float(detector.alpha),
        resolution=detector.input_size[0],
        **quality_fields(result.quality, result.enhanced),
    )


def quality_fields(quality: ImageQuality | None, enhanced: bool) -> dict[str, Any]:
    """Return the image-quality fields of DetectionStats for a frame's measured quality."""
    if quality is None:  # nothing measured
        nan = float('nan')
        return {
            'brightness': nan,
            'contrast': nan,
            'haze': nan,
            'image_quality': 'unknown',
            'enhanced': enhanced,
        }
    return {
        'brightness': quality.brightness,
        'contrast': quality.contrast,
        'haze': quality.haze,
        'image_quality': quality.verdict(),
        'enhanced': enhanced,
    }
