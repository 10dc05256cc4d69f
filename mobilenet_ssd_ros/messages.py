"""Detections and images -> ROS messages (vision_msgs 4.x layout). No rclpy needed."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sensor_msgs.msg import Image
from std_msgs.msg import Header
from vision_msgs.msg import Detection2D, Detection2DArray, LabelInfo, ObjectHypothesisWithPose, VisionClass

from .detection import BBox, Detection
from .labels import LabelMap


def detection_array(detections: Sequence[Detection], header: Header) -> Detection2DArray:
    """One Detection2D per detection: center and size in pixels of the original image,
    `results[0].hypothesis.class_id` = the label name, `score` in [0, 1], `id` empty (no
    tracking); every Detection2D carries the image's header."""
    out = Detection2DArray(header=header)
    for d in detections:
        det = Detection2D(header=header)
        cx, cy = d.bbox.center
        det.bbox.center.position.x = cx
        det.bbox.center.position.y = cy
        det.bbox.size_x = d.bbox.width
        det.bbox.size_y = d.bbox.height
        hyp = ObjectHypothesisWithPose()
        hyp.hypothesis.class_id = d.label
        hyp.hypothesis.score = d.score
        det.results.append(hyp)
        out.detections.append(det)
    return out


def detections_from_array(msg: Detection2DArray) -> list[Detection]:
    """The inverse of detection_array: Detections (class_id unknown: -1) from a message."""
    out = []
    for d in msg.detections:
        cx, cy, w, h = d.bbox.center.position.x, d.bbox.center.position.y, d.bbox.size_x, d.bbox.size_y
        hyp = d.results[0].hypothesis
        out.append(Detection(hyp.class_id, -1, hyp.score, BBox(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)))
    return out


def label_info(labels: LabelMap, threshold: float, header: Header) -> LabelInfo:
    return LabelInfo(
        header=header,
        class_map=[VisionClass(class_id=i, class_name=name) for i, name in sorted(labels.items())],
        threshold=float(threshold),
    )


def rgb_image(rgb: np.ndarray, header: Header) -> Image:
    """An rgb8 Image message holding a copy of the HxWx3 uint8 array."""
    rgb = np.ascontiguousarray(rgb)
    msg = Image(header=header, height=rgb.shape[0], width=rgb.shape[1], encoding="rgb8",
                is_bigendian=0, step=rgb.shape[1] * 3)
    msg.data = rgb.tobytes()
    return msg
