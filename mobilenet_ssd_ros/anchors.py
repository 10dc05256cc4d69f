"""SSD anchors exactly as the TF object detection API's multiple-grid generator makes them.

For SSD MobileNetV1 (the `ssd_anchor_generator` of the pretrained model's pipeline):
six feature maps, scales linearly from 0.2 to 0.95, aspect ratios 1, 2, 1/2, 3, 1/3
plus an extra aspect-1 box of scale sqrt(s_k * s_k+1), and only three boxes (0.1 @ 1,
s_0 @ 2, s_0 @ 1/2) on the first, finest map. Centres sit at (i + 0.5) / map size.
Boxes are (y_center, x_center, height, width), normalized, in map order, then row by
row, then box by box: the layout TFLite_Detection_PostProcess reads.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

MIN_SCALE, MAX_SCALE = 0.2, 0.95
ASPECT_RATIOS = (1.0, 2.0, 0.5, 3.0, 1.0 / 3.0)
NUM_LAYERS = 6


def box_specs(num_layers: int = NUM_LAYERS) -> list[list[tuple[float, float]]]:
    """(scale, aspect ratio) of the boxes at each location of each feature map."""
    scales = [MIN_SCALE + (MAX_SCALE - MIN_SCALE) * i / (num_layers - 1) for i in range(num_layers)] + [1.0]
    specs = []
    for layer in range(num_layers):
        if layer == 0:
            specs.append([(0.1, 1.0), (scales[0], 2.0), (scales[0], 0.5)])
        else:
            layer_specs = [(scales[layer], ar) for ar in ASPECT_RATIOS]
            layer_specs.append((math.sqrt(scales[layer] * scales[layer + 1]), 1.0))
            specs.append(layer_specs)
    return specs


def feature_map_sizes(resolution: int) -> list[int]:
    """Square feature map sides of SSD MobileNetV1 for a square input: stride-2 'SAME'
    convolutions halve (rounding up) four times to conv11 (stride 16, the first map),
    once more to conv13 (stride 32), then once per extra layer."""
    size = resolution
    for _ in range(4):
        size = math.ceil(size / 2)
    sizes = [size]
    for _ in range(NUM_LAYERS - 1):
        size = math.ceil(size / 2)
        sizes.append(size)
    return sizes


def generate(sizes: Sequence[int]) -> np.ndarray:
    """Anchors for feature maps of the given sides, shape [N, 4], float32."""
    out = []
    for size, specs in zip(sizes, box_specs(len(sizes)), strict=True):
        hw = np.array([[scale / math.sqrt(ar), scale * math.sqrt(ar)] for scale, ar in specs], np.float64)
        centers = (np.arange(size, dtype=np.float64) + 0.5) / size
        cy, cx = np.meshgrid(centers, centers, indexing="ij")
        grid = np.stack([cy.ravel(), cx.ravel()], axis=1)  # row by row
        boxes = np.concatenate([np.repeat(grid, len(specs), axis=0), np.tile(hw, (size * size, 1))], axis=1)
        out.append(boxes)
    return np.concatenate(out).astype(np.float32)


def count(resolution: int) -> int:
    return sum(s * s * len(spec) for s, spec in zip(feature_map_sizes(resolution), box_specs(), strict=True))
