"""
Model outputs -> Detections in pixels of the original image, filtered.

The outputs of both supported conventions are the same four arrays: boxes
(ymin, xmin, ymax, xmax, normalized to the input), class indices, scores, and count.
Because the input was stretched (not letterboxed), normalized coordinates map to the
original image by scaling with its width and height alone.
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

from dataclasses import dataclass

import numpy as np

from .detection import BBox, Detection
from .labels import LabelMap


@dataclass(frozen=True)
class DetectionFilter:
    """
    Which detections to keep.

    Immutable, so a new one can replace the old one atomically while another thread is detecting.
    """

    score_threshold: float = 0.5
    class_ids: frozenset[int] | None = None  # None: every class
    max_detections: int | None = None  # None: whatever the model returns

    def __post_init__(self):
        if not 0.0 <= self.score_threshold <= 1.0:
            raise ValueError(f'score_threshold must be in [0, 1], got {self.score_threshold}')
        if self.max_detections is not None and self.max_detections < 0:
            raise ValueError(f'max_detections must be >= 0, got {self.max_detections}')


def to_detections(
    boxes: np.ndarray,
    classes: np.ndarray,
    scores: np.ndarray,
    count: int,
    image_width: int,
    image_height: int,
    labels: LabelMap,
    keep: DetectionFilter,
) -> list[Detection]:
    """
    Select, sort by score, clip to the image and scale to its pixels.

    A plain loop over Python floats: with at most a few dozen candidates it is several
    times faster than the equivalent numpy calls (their per-call overhead dominates).
    """
    n = min(int(count), len(scores))
    threshold, allowed = keep.score_threshold, keep.class_ids
    w, h = float(image_width), float(image_height)
    out = []
    for score, cls, (y0, x0, y1, x1) in zip(
        scores[:n].tolist(), classes[:n].tolist(), boxes[:n].tolist()
    ):
        if score < threshold:
            continue
        class_id = int(cls)
        if allowed is not None and class_id not in allowed:
            continue
        box = BBox(
            xmin=min(max(x0, 0.0), 1.0) * w,
            ymin=min(max(y0, 0.0), 1.0) * h,
            xmax=min(max(x1, 0.0), 1.0) * w,
            ymax=min(max(y1, 0.0), 1.0) * h,
        )
        out.append(
            Detection(label=labels.name(class_id), class_id=class_id, score=score, bbox=box)
        )
    out.sort(key=lambda d: -d.score)  # stable: equal scores keep the model's order
    return out if keep.max_detections is None else out[: keep.max_detections]
