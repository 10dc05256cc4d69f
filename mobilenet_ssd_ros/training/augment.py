"""
What a training image goes through before the student sees it: crop, flip, colour jitter.

Crop remembers where the frame was cut, so that a pool's ground-truth boxes follow the
object through the same crop and flip (pools.GROUND_TRUTH).
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


@dataclass(frozen=True)
class Crop:
    """Where augment() cut a frame (normalized to it), to move its boxes the same way."""

    top: float
    left: float
    height: float
    width: float
    flipped: bool

    def boxes(self, boxes: np.ndarray, min_visible: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
        """
        Return `boxes` (normalized corners of the frame) in the crop, and which were kept.

        A box keeps its place only if at least `min_visible` of its area lies in the crop:
        a box mostly cut away would teach the student a class it cannot see.
        """
        ymin = (boxes[:, 0] - self.top) / self.height
        xmin = (boxes[:, 1] - self.left) / self.width
        ymax = (boxes[:, 2] - self.top) / self.height
        xmax = (boxes[:, 3] - self.left) / self.width
        moved = np.clip(np.stack([ymin, xmin, ymax, xmax], axis=-1), 0.0, 1.0)
        area = (ymax - ymin) * (xmax - xmin)
        inside = (moved[:, 2] - moved[:, 0]) * (moved[:, 3] - moved[:, 1])
        kept = inside >= min_visible * np.maximum(area, 1e-12)
        if self.flipped:
            moved[:, [1, 3]] = 1.0 - moved[:, [3, 1]]
        return moved[kept].astype(np.float32), kept


def augment(
    rgb: np.ndarray, rng: np.random.Generator, crop: bool = True
) -> tuple[np.ndarray, Crop]:
    """
    Random crop (40-100% of the area, aspect 3:4 to 4:3), flip and colour jitter.

    `crop` False keeps the whole frame: a crop enlarges what it keeps, and a model that must
    find small distant objects in whole frames (DAWN's cars in fog) learnt from crops what
    the whole frames do not show (docs/TRAINING.md).
    """
    h, w = rgb.shape[:2]
    top, left, ch, cw = 0, 0, h, w
    if crop:
        area = rng.uniform(0.4, 1.0) * h * w
        aspect = np.exp(rng.uniform(np.log(3 / 4), np.log(4 / 3)))
        ch = int(min(h, round(np.sqrt(area / aspect))))
        cw = int(min(w, round(np.sqrt(area * aspect))))
        top, left = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
    bottom, right = top + ch, left + cw
    out = rgb[top:bottom, left:right]
    flipped = bool(rng.random() < 0.5)
    if flipped:
        out = out[:, ::-1]
    gain, bias = rng.uniform(0.7, 1.3), rng.uniform(-25, 25)
    out = np.clip(out.astype(np.float32) * gain + bias, 0, 255)
    gray = out.mean(axis=2, keepdims=True)
    out = np.clip(gray + (out - gray) * rng.uniform(0.7, 1.3), 0, 255)
    crop = Crop(top / h, left / w, ch / h, cw / w, flipped)
    return np.ascontiguousarray(out.astype(np.uint8)), crop
