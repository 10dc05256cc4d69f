"""
Synthetic bad weather for training: the student sees it, the teacher sees the clean image.

In the spirit of the COCO-C corruptions but deliberately not their functions (the
robustness benchmark, offline/corruptions.py, must stay a test the model never trained
on): fog and haze follow a depth-like gradient (far at the top of a road scene, patchy),
rain is streaks along one wind direction, snow is blurred flakes over a brightened image,
night is a gamma-darkened, colour-shifted image with sensor noise, plus plain sensor
noise, defocus or motion blur and low contrast. Each takes a uint8 RGB image and a numpy
Generator and returns a new uint8 image of the same shape.
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

from collections.abc import Callable, Sequence

import cv2
import numpy as np

Effect = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def _smooth_field(h: int, w: int, rng: np.random.Generator, cells: int = 4) -> np.ndarray:
    """Return a smooth random field in [0, 1] of shape (h, w): patches of denser fog."""
    coarse = rng.random((cells, cells)).astype(np.float32)
    return cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def fog(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Fog or haze: I = J t + A (1 - t), transmission falling with a depth-like gradient."""
    h, w = rgb.shape[:2]
    rows = np.linspace(1.0, 0.0, h, dtype=np.float32)[:, None]  # top of the image: far away
    horizon = rng.uniform(0.3, 0.7)
    depth = np.clip(rows - (1 - horizon) + 0.5, 0, None) + 0.4 * _smooth_field(h, w, rng)
    density = rng.uniform(0.8, 3.0)
    transmission = np.exp(-density * depth)[..., None]
    airlight = rng.uniform(170, 245) * rng.uniform(0.95, 1.05, 3).astype(np.float32)
    out = rgb.astype(np.float32) * transmission + airlight * (1 - transmission)
    return np.clip(out, 0, 255).astype(np.uint8)


def rain(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rain: bright streaks along one wind direction, motion-blurred, over a dimmer scene."""
    h, w = rgb.shape[:2]
    drops = np.zeros((h, w), np.float32)
    count = int(rng.uniform(0.002, 0.008) * h * w)
    drops[rng.integers(0, h, count), rng.integers(0, w, count)] = 1.0
    length = int(rng.integers(max(3, h // 40), max(6, h // 12)))
    kernel = np.zeros((length, length), np.float32)
    kernel[:, length // 2] = 1.0 / length
    angle = rng.uniform(-25, 25)
    rotation = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle, 1.0)
    kernel = cv2.warpAffine(kernel, rotation, (length, length))
    streaks = cv2.filter2D(drops, -1, kernel / max(kernel.sum(), 1e-6))
    streaks = np.clip(streaks * length * rng.uniform(0.5, 0.9), 0, 1)[..., None]
    dim = rgb.astype(np.float32) * rng.uniform(0.7, 0.95)
    return np.clip(dim * (1 - streaks) + 220.0 * streaks, 0, 255).astype(np.uint8)


def snow(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Snow: blurred flakes of a few sizes over a brightened, lower-contrast scene."""
    h, w = rgb.shape[:2]
    flakes = np.zeros((h, w), np.float32)
    for _ in range(int(rng.uniform(0.0005, 0.002) * h * w)):
        radius = int(rng.integers(1, max(2, h // 120) + 1))
        cv2.circle(flakes, (int(rng.integers(0, w)), int(rng.integers(0, h))), radius, 1.0, -1)
    flakes = cv2.GaussianBlur(flakes, (0, 0), rng.uniform(0.5, 1.5))[..., None]
    base = rgb.astype(np.float32) * rng.uniform(0.6, 0.85) + rng.uniform(40, 80)
    return np.clip(base * (1 - flakes) + 245.0 * flakes, 0, 255).astype(np.uint8)


def night(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Low light: gamma-darkened, blue-shifted, with the sensor noise a high gain brings."""
    gamma = rng.uniform(1.8, 3.5)
    out = 255.0 * (rgb.astype(np.float32) / 255.0) ** gamma * rng.uniform(0.5, 0.9)
    out *= np.array([rng.uniform(0.8, 1.0), rng.uniform(0.85, 1.0), 1.0], np.float32)
    out += rng.normal(0, rng.uniform(2, 8), out.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


def noise(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Sensor noise: Gaussian, per channel, sigma 5-25 levels."""
    out = rgb.astype(np.float32) + rng.normal(0, rng.uniform(5, 25), rgb.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


def blur(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Defocus (Gaussian) or camera motion (a line kernel) blur."""
    if rng.random() < 0.5:
        return cv2.GaussianBlur(rgb, (0, 0), rng.uniform(0.8, 2.5))
    length = int(rng.integers(3, max(4, rgb.shape[0] // 30)))
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0 / length
    rotation = cv2.getRotationMatrix2D(
        (length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1
    )
    kernel = cv2.warpAffine(kernel, rotation, (length, length))
    return cv2.filter2D(rgb, -1, kernel / max(kernel.sum(), 1e-6))


def low_contrast(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Flat light: the image pulled towards its mean by 40-80%."""
    out = rgb.astype(np.float32)
    mean = out.mean(axis=(0, 1), keepdims=True)
    return np.clip(mean + (out - mean) * rng.uniform(0.2, 0.6), 0, 255).astype(np.uint8)


EFFECTS: dict[str, Effect] = {
    'fog': fog,
    'rain': rain,
    'snow': snow,
    'night': night,
    'noise': noise,
    'blur': blur,
    'low_contrast': low_contrast,
}


def chosen_effects(effects: Sequence[str] = ()) -> list[str]:
    """Return the effects `weather` draws from, in EFFECTS' order; ValueError on unknown ones."""
    unknown = [name for name in effects if name not in EFFECTS]
    if unknown:
        raise ValueError(f'unknown {", ".join(unknown)}; known: {", ".join(EFFECTS)}')
    return [name for name in EFFECTS if not effects or name in effects]


def weather(rgb: np.ndarray, rng: np.random.Generator, effects: Sequence[str] = ()) -> np.ndarray:
    """
    Apply one effect, chosen at random, or two (a blurred or noisy fog, say) one time in 4.

    `effects` narrows the choice to those names of EFFECTS (empty: all of them), so that a
    run can ask whether one kind of weather teaches what the mix does not; the draws do not
    depend on the order they are named in.
    """
    names = chosen_effects(effects)
    two = len(names) > 1 and rng.random() < 0.25
    chosen = rng.choice(len(names), size=2 if two else 1, replace=False)
    out = rgb
    for index in chosen:
        out = EFFECTS[names[index]](out, rng)
    return out
