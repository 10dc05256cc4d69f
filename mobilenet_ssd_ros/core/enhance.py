"""
Image quality of a frame, and test-time enhancement for haze and low contrast.

Both work on the model-sized image inside the preprocessing pass (300x300: 90,000
pixels), not on the camera frame: the stretch is a per-channel lookup table, which
commutes with the resize up to rounding, and the quality measures are statistics that
the resize barely moves. That keeps them well under a millisecond per frame.

Quality (all in 0..1, from the RGB image):
- brightness: mean luma;
- contrast: RMS contrast, the standard deviation of luma;
- haze: mean of the dark channel (per-pixel minimum over R, G, B, then a minimum over a
  small patch); clear daylight scenes have dark pixels in every patch, haze lifts them
  (He, Sun and Tang 2009, "Single image haze removal using dark channel prior").

Methods: `stretch` maps each channel's 1st-99th percentile onto 0..255; `auto` applies the
stretch only to frames whose quality says haze or low contrast (the gate, `AutoGate`) and
leaves most clear frames alone. CLAHE was measured too and did not earn a place
(docs/ROBUSTNESS.md).
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

import cv2
import numpy as np

METHODS = ('off', 'stretch', 'auto')


@dataclass(frozen=True)
class ImageQuality:
    """Statistics of one frame, each 0..1 (see the module docstring)."""

    brightness: float
    contrast: float
    haze: float
    saturated: float  # fraction of pixels with luma >= 250
    dark: float  # fraction of pixels with luma <= 5

    def verdict(self) -> str:
        """
        Say whether the frame can be trusted: 'ok', 'dark', 'saturated' or 'uniform'.

        An unusable frame (a covered lens, a blinding light, night without lights) gives no
        detections for reasons that have nothing to do with the scene; a robot stack should
        know that instead of trusting an empty list.
        """
        if self.dark >= 0.9 or self.brightness < 0.06:
            return 'dark'
        if self.saturated >= 0.9 or self.brightness > 0.96:
            return 'saturated'
        if self.contrast < 0.02:
            return 'uniform'
        return 'ok'


def measure(rgb: np.ndarray) -> ImageQuality:
    """Measure an HxWx3 RGB uint8 image (the model-sized one: it is cheap there)."""
    luma = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    mean, std = cv2.meanStdDev(luma)
    patch = max(3, (min(rgb.shape[:2]) // 40) | 1)  # 7 px at 300x300
    r, g, b = cv2.split(rgb)  # numpy's min over the channel axis took 12x longer here
    dark_channel = cv2.erode(cv2.min(cv2.min(r, g), b), np.ones((patch, patch), np.uint8))
    hist = cv2.calcHist([luma], [0], None, [256], [0, 256]).ravel() / luma.size
    return ImageQuality(
        brightness=float(mean[0, 0]) / 255.0,
        contrast=float(std[0, 0]) / 255.0,
        haze=float(dark_channel.mean()) / 255.0,
        saturated=float(hist[250:].sum()),
        dark=float(hist[:6].sum()),
    )


@dataclass(frozen=True)
class AutoGate:
    """
    When `auto` enhances: a hazy frame (dark channel lifted) or a flat one (low contrast).

    The defaults were set from score distributions, before any mAP was measured with
    them: a clear-weather frame passes the gate only if its haze is above the 95th
    percentile of COCO128's (0.447) or its contrast below the 5th (0.151), so about one
    clear frame in ten is touched (13 of COCO128's 128); 92 of the 100 DAWN fog images
    are (docs/ROBUSTNESS.md).
    """

    haze_above: float = 0.45
    contrast_below: float = 0.15

    def __call__(self, quality: ImageQuality) -> bool:
        return quality.haze > self.haze_above or quality.contrast < self.contrast_below


def _stretch(rgb: np.ndarray, low_pct: float = 1.0, high_pct: float = 99.0) -> None:
    """Map each channel's `low_pct`..`high_pct` percentile range onto 0..255, in place."""
    lut = np.empty((256, 1, 3), np.uint8)
    levels = np.arange(256, dtype=np.float32)
    for c in range(3):
        cdf = np.cumsum(cv2.calcHist([rgb], [c], None, [256], [0, 256]).ravel())
        cdf /= cdf[-1]
        low = int(np.searchsorted(cdf, low_pct / 100.0))
        high = int(np.searchsorted(cdf, high_pct / 100.0))
        if high <= low:  # a flat channel: nothing to stretch
            lut[:, 0, c] = levels.astype(np.uint8)
            continue
        lut[:, 0, c] = np.clip((levels - low) * (255.0 / (high - low)), 0, 255).astype(np.uint8)
    cv2.LUT(rgb, lut, dst=rgb)


@dataclass(frozen=True)
class Enhancer:
    """
    One enhancement setting; immutable, so the node can swap it while frames run.

    Calling it on the model-sized RGB image measures it, enhances it in place when the
    method (and for `auto` the gate) says so, and returns the quality and the decision.
    """

    method: str = 'off'
    gate: AutoGate = AutoGate()

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f'enhance must be one of {", ".join(METHODS)}, got {self.method!r}')

    def __call__(self, rgb: np.ndarray) -> tuple[ImageQuality, bool]:
        quality = measure(rgb)
        if self.method == 'stretch' or (self.method == 'auto' and self.gate(quality)):
            _stretch(rgb)
            return quality, True
        return quality, False
