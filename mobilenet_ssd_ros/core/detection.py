"""The small value types the detector returns (in the spirit of pycoral's adapters)."""

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


@dataclass(frozen=True, slots=True)
class BBox:
    """An axis-aligned box in pixel coordinates of the original image (x right, y down)."""

    xmin: float
    ymin: float
    xmax: float
    ymax: float

    @property
    def width(self) -> float:
        return self.xmax - self.xmin

    @property
    def height(self) -> float:
        return self.ymax - self.ymin

    @property
    def area(self) -> float:
        return max(0.0, self.width) * max(0.0, self.height)

    @property
    def center(self) -> tuple[float, float]:
        return ((self.xmin + self.xmax) / 2.0, (self.ymin + self.ymax) / 2.0)

    def clip(self, width: float, height: float) -> BBox:
        """Return the part of the box inside a width x height image."""
        return BBox(
            min(max(self.xmin, 0.0), width),
            min(max(self.ymin, 0.0), height),
            min(max(self.xmax, 0.0), width),
            min(max(self.ymax, 0.0), height),
        )

    def iou(self, other: BBox) -> float:
        """Intersection over union, 0 for disjoint boxes."""
        w = min(self.xmax, other.xmax) - max(self.xmin, other.xmin)
        h = min(self.ymax, other.ymax) - max(self.ymin, other.ymin)
        if w <= 0 or h <= 0:
            return 0.0
        inter = w * h
        return inter / (self.area + other.area - inter)


@dataclass(frozen=True, slots=True)
class Detection:
    """
    One detected object: label name, the model's class index, score in [0, 1], box.

    `track_id` is set by a tracker (core/tracking.py): the same object keeps it from frame to
    frame; None where nothing tracks.
    """

    label: str
    class_id: int
    score: float
    bbox: BBox
    track_id: int | None = None

    def to_dict(self) -> dict:
        """JSON-ready form; the box as [xmin, ymin, xmax, ymax] pixels."""
        b = self.bbox
        out = {
            'label': self.label,
            'class_id': self.class_id,
            'score': round(self.score, 6),
            'bbox': [round(b.xmin, 2), round(b.ymin, 2), round(b.xmax, 2), round(b.ymax, 2)],
        }
        if self.track_id is not None:
            out['track_id'] = self.track_id
        return out
