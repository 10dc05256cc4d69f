"""Draw detections onto an image (the CLI's --annotate and the node's debug image)."""

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

from collections.abc import Iterable

import cv2
import numpy as np

from .detection import Detection

# A fixed palette (RGB) so that a class keeps its colour from frame to frame.
_PALETTE = np.array(
    [
        (230, 25, 75),
        (60, 180, 75),
        (255, 225, 25),
        (0, 130, 200),
        (245, 130, 48),
        (145, 30, 180),
        (70, 240, 240),
        (240, 50, 230),
        (210, 245, 60),
        (250, 190, 212),
        (0, 128, 128),
        (220, 190, 255),
        (170, 110, 40),
        (255, 250, 200),
        (128, 0, 0),
        (170, 255, 195),
        (128, 128, 0),
        (255, 215, 180),
        (0, 0, 128),
        (128, 128, 128),
    ],
    dtype=np.uint8,
)


def color_for(class_id: int) -> tuple[int, int, int]:
    return tuple(int(c) for c in _PALETTE[class_id % len(_PALETTE)])


def annotate(image: np.ndarray, detections: Iterable[Detection]) -> np.ndarray:
    """
    Return a copy of the 3-channel `image` with a box and `label score` per detection.

    A tracked detection's label starts with its track id (`#7 person 0.81`).

    Colours are given in RGB; for a BGR image the boxes just get other colours.
    """
    out = np.ascontiguousarray(image).copy()
    thickness = max(1, round(min(out.shape[:2]) / 300))
    scale = max(0.4, min(out.shape[:2]) / 800)
    for det in detections:
        color = color_for(det.class_id)
        b = det.bbox
        p0 = (int(round(b.xmin)), int(round(b.ymin)))
        p1 = (int(round(b.xmax)), int(round(b.ymax)))
        cv2.rectangle(out, p0, p1, color, thickness)
        text = f'{det.label} {det.score:.2f}'
        if det.track_id is not None:
            text = f'#{det.track_id} {text}'
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        y = max(p0[1], th + base)
        cv2.rectangle(out, (p0[0], y - th - base), (p0[0] + tw, y), color, cv2.FILLED)
        cv2.putText(
            out,
            text,
            (p0[0], y - base),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            (0, 0, 0),
            1,
            cv2.LINE_AA,
        )
    return out
