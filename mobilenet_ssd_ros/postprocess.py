"""Model outputs -> Detections in pixels of the original image, filtered.

The outputs of both supported conventions are the same four arrays: boxes
(ymin, xmin, ymax, xmax, normalized to the input), class indices, scores, and count.
Because the input was stretched (not letterboxed), normalized coordinates map to the
original image by scaling with its width and height alone.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .detection import BBox, Detection
from .labels import LabelMap


@dataclass(frozen=True)
class DetectionFilter:
    """Which detections to keep. Immutable, so a new one can replace the old one
    atomically while another thread is detecting."""

    score_threshold: float = 0.5
    class_ids: frozenset[int] | None = None  # None: every class
    max_detections: int | None = None  # None: whatever the model returns

    def __post_init__(self):
        if not 0.0 <= self.score_threshold <= 1.0:
            raise ValueError(f"score_threshold must be in [0, 1], got {self.score_threshold}")
        if self.max_detections is not None and self.max_detections < 0:
            raise ValueError(f"max_detections must be >= 0, got {self.max_detections}")


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
    """Select, sort by score, clip to the image and scale to its pixels."""
    n = min(int(count), len(scores))
    scores = scores[:n]
    class_ids = classes[:n].astype(np.int64)
    mask = scores >= keep.score_threshold
    if keep.class_ids is not None:
        mask &= np.isin(class_ids, list(keep.class_ids))
    picked = np.flatnonzero(mask)
    picked = picked[np.argsort(-scores[picked], kind="stable")]
    if keep.max_detections is not None:
        picked = picked[: keep.max_detections]
    scaled = np.clip(boxes[picked], 0.0, 1.0) * np.array(
        [image_height, image_width, image_height, image_width], dtype=np.float64
    )
    return [
        Detection(
            label=labels.name(int(class_ids[i])),
            class_id=int(class_ids[i]),
            score=float(scores[i]),
            bbox=BBox(xmin=float(x0), ymin=float(y0), xmax=float(x1), ymax=float(y1)),
        )
        for i, (y0, x0, y1, x1) in zip(picked, scaled)
    ]
