"""
The 15 corruptions of the COCO-C robustness benchmark, with OpenCV and numpy.

COCO-C (Michaelis et al. 2019, "Benchmarking Robustness in Object Detection") applies the
ImageNet-C corruptions (Hendrycks and Dietterich 2019) at severities 1-5 to images of any
size; its reference implementation is the PyPI package `imagecorruptions` (1.1.2). That
package no longer runs here: it imports `pkg_resources` (gone from setuptools 81), passes
`multichannel=` to scikit-image (gone in 0.19) and uses `np.float_` (gone in numpy 2). So
each corruption is re-implemented from its definition in that code, with the same constants
per severity and the same sequence of random draws from a seeded `RandomState`:
scikit-image's Gaussian filter becomes cv2.GaussianBlur with the same sigma, truncation and
border, PIL's JPEG and box resize become cv2.imencode and INTER_AREA, scipy's zoom and
map_coordinates become cv2.resize and cv2.remap. Results therefore differ from the
reference in interpolation details, not in kind or strength (docs/ROBUSTNESS.md).

`frost` blends in photographs of frost that ship with the `imagecorruptions` wheel; it is
read from that package's folder (`pip install --no-deps imagecorruptions==1.1.2`) without
importing its code, and is unavailable with a clear error where the wheel is missing.
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

from collections.abc import Callable
import importlib.util
import math
from pathlib import Path

import cv2
import numpy as np

SEVERITIES = (1, 2, 3, 4, 5)
GROUPS = {
    'noise': ('gaussian_noise', 'shot_noise', 'impulse_noise'),
    'blur': ('defocus_blur', 'glass_blur', 'motion_blur', 'zoom_blur'),
    'weather': ('snow', 'frost', 'fog', 'brightness'),
    'digital': ('contrast', 'elastic_transform', 'pixelate', 'jpeg_compression'),
}
NAMES = tuple(name for names in GROUPS.values() for name in names)


class CorruptionError(ValueError):
    """A corruption that cannot be applied, with the reason."""


def _gaussian(
    x: np.ndarray,
    sigma: float | tuple[float, float],
    truncate: float = 4.0,
    border: int = cv2.BORDER_REPLICATE,
) -> np.ndarray:
    """Gaussian filter as scikit-image's: radius truncate * sigma, border 'nearest' by default."""
    sy, sx = (sigma, sigma) if np.isscalar(sigma) else sigma
    ksize = (2 * int(truncate * sx + 0.5) + 1, 2 * int(truncate * sy + 0.5) + 1)
    return cv2.GaussianBlur(x, ksize, sigmaX=sx, sigmaY=sy, borderType=border)


def _float(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float32) / 255.0


def _motion_blur(x: np.ndarray, radius: int, sigma: float, angle: float) -> np.ndarray:
    """Sum of shifted copies along `angle`, weighted by a half Gaussian (edges replicated)."""
    width = 2 * radius + 1
    kernel = np.exp(-(np.arange(width) ** 2) / (2 * sigma**2))
    kernel /= kernel.sum()
    point = (width * math.sin(math.radians(angle)), width * math.cos(math.radians(angle)))
    hypot = math.hypot(*point)
    out = np.zeros(x.shape, np.float32)
    h, w = x.shape[:2]
    for i in range(width):
        dy = -math.ceil(i * point[0] / hypot - 0.5)
        dx = -math.ceil(i * point[1] / hypot - 0.5)
        if abs(dy) >= h or abs(dx) >= w:
            break  # the simulated motion left the image
        shift = np.float32([[1, 0, dx], [0, 1, dy]])
        out += kernel[i] * cv2.warpAffine(
            x.astype(np.float32), shift, (w, h), borderMode=cv2.BORDER_REPLICATE
        ).reshape(x.shape)
    return out


def _clipped_zoom(x: np.ndarray, factor: float) -> np.ndarray:
    """Zoom into the centre by `factor`, keeping the size (the crop is at least the image)."""
    h, w = x.shape[:2]
    ch, cw = math.ceil(h / factor), math.ceil(w / factor)
    top, left = (h - ch) // 2, (w - cw) // 2
    bottom, right = top + ch, left + cw
    crop = x[top:bottom, left:right]
    zoomed = cv2.resize(
        crop, (round(cw * factor), round(ch * factor)), interpolation=cv2.INTER_LINEAR
    )
    return zoomed.reshape(zoomed.shape[:2] + x.shape[2:])[:h, :w]


def _plasma_fractal(rng: np.random.RandomState, size: int, decay: float) -> np.ndarray:
    """Diamond-square height map in [0, 1] of side `size` (a power of two)."""
    field = np.zeros((size, size), np.float64)
    step, wibble = size, 100.0

    def wibbled(total: np.ndarray) -> np.ndarray:
        return total / 4 + wibble * rng.uniform(-wibble, wibble, total.shape)

    while step >= 2:
        half = step // 2
        corners = field[0:size:step, 0:size:step]
        squares = corners + np.roll(corners, -1, axis=0)
        squares += np.roll(squares, -1, axis=1)
        field[half:size:step, half:size:step] = wibbled(squares)
        centres = field[half:size:step, half:size:step]
        corners = field[0:size:step, 0:size:step]
        left = centres + np.roll(centres, 1, axis=0) + corners + np.roll(corners, -1, axis=1)
        field[0:size:step, half:size:step] = wibbled(left)
        top = centres + np.roll(centres, 1, axis=1) + corners + np.roll(corners, -1, axis=0)
        field[half:size:step, 0:size:step] = wibbled(top)
        step //= 2
        wibble /= decay
    field -= field.min()
    return field / field.max()


def gaussian_noise(x, severity, rng):
    c = (0.08, 0.12, 0.18, 0.26, 0.38)[severity - 1]
    x = x / 255.0
    return np.clip(x + rng.normal(size=x.shape, scale=c), 0, 1) * 255


def shot_noise(x, severity, rng):
    c = (60, 25, 12, 5, 3)[severity - 1]
    return np.clip(rng.poisson(x / 255.0 * c) / c, 0, 1) * 255


def impulse_noise(x, severity, rng):
    """Salt and pepper on a fraction `amount` of the values, half each (scikit-image's s&p)."""
    amount = (0.03, 0.06, 0.09, 0.17, 0.27)[severity - 1]
    out = x / 255.0
    flipped = rng.random_sample(out.shape) < amount
    salt = rng.random_sample(out.shape) < 0.5
    out[flipped & salt] = 1.0
    out[flipped & ~salt] = 0.0
    return out * 255


def defocus_blur(x, severity, rng):
    radius, alias_blur = ((3, 0.1), (4, 0.5), (6, 0.5), (8, 0.5), (10, 0.5))[severity - 1]
    span = np.arange(-8, 9) if radius <= 8 else np.arange(-radius, radius + 1)
    xx, yy = np.meshgrid(span, span)
    disk = (xx**2 + yy**2 <= radius**2).astype(np.float32)
    disk /= disk.sum()
    ksize = (3, 3) if radius <= 8 else (5, 5)
    kernel = cv2.GaussianBlur(disk, ksize, sigmaX=alias_blur)
    return np.clip(cv2.filter2D(_float(x), -1, kernel), 0, 1) * 255


def glass_blur(x, severity, rng):
    """
    Blur, give each pixel a random neighbour's value (from the bottom right), blur again.

    The reference "swaps" two pixels of an RGB array through numpy views, which copies the
    neighbour's value instead; that is what the benchmark's numbers were measured with, so
    it is what this does.
    """
    sigma, delta, iterations = ((0.7, 1, 2), (0.9, 2, 1), (1, 2, 3), (1.1, 3, 2), (1.5, 4, 2))[
        severity - 1
    ]
    blurred = (np.clip(_gaussian(_float(x), sigma), 0, 1) * 255).astype(np.uint8)
    h, w = blurred.shape[:2]
    order = list(range(h * w))  # which source pixel each position holds
    rows = range(h - delta, delta, -1)
    cols = range(w - delta, delta, -1)
    for _ in range(iterations):
        offsets = rng.randint(-delta, delta, size=(len(rows) * len(cols), 2)).tolist()
        k = 0
        for r in rows:
            for col in cols:
                dx, dy = offsets[k]
                k += 1
                a, b = r * w + col, (r + dy) * w + col + dx
                order[a] = order[b]
    shuffled = blurred.reshape(h * w, -1)[np.array(order)].reshape(blurred.shape)
    return np.clip(_gaussian(_float(shuffled), sigma), 0, 1) * 255


def motion_blur(x, severity, rng):
    radius, sigma = ((10, 3), (15, 5), (15, 8), (15, 12), (20, 15))[severity - 1]
    angle = rng.uniform(-45, 45)
    return np.clip(_motion_blur(x, radius, sigma, angle), 0, 255)


def zoom_blur(x, severity, rng):
    factors = (
        np.arange(1, 1.11, 0.01),
        np.arange(1, 1.16, 0.01),
        np.arange(1, 1.21, 0.02),
        np.arange(1, 1.26, 0.02),
        np.arange(1, 1.31, 0.03),
    )[severity - 1]
    x = _float(x)
    out = x.copy()
    for factor in factors:
        out += _clipped_zoom(x, factor)
    return np.clip(out / (len(factors) + 1), 0, 1) * 255


def snow(x, severity, rng):
    loc, scale, zoom, threshold, radius, sigma, blend = (
        (0.1, 0.3, 3, 0.5, 10, 4, 0.8),
        (0.2, 0.3, 2, 0.5, 12, 4, 0.7),
        (0.55, 0.3, 4, 0.9, 12, 8, 0.7),
        (0.55, 0.3, 4.5, 0.85, 12, 8, 0.65),
        (0.55, 0.3, 2.5, 0.85, 12, 12, 0.55),
    )[severity - 1]
    x = _float(x)
    flakes = rng.normal(size=x.shape[:2], loc=loc, scale=scale).astype(np.float32)
    flakes = _clipped_zoom(flakes, zoom)
    flakes[flakes < threshold] = 0
    flakes = np.clip(flakes, 0, 1)
    flakes = _motion_blur(flakes, radius, sigma, rng.uniform(-135, -45))
    flakes = (np.round(flakes * 255).astype(np.uint8) / 255.0)[..., np.newaxis]
    gray = cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)[..., np.newaxis]
    x = blend * x + (1 - blend) * np.maximum(x, gray * 1.5 + 0.5)
    return np.clip(x + flakes + np.rot90(flakes, k=2), 0, 1) * 255


def frost_pictures() -> list[Path]:
    """Find the frost photographs of the `imagecorruptions` wheel, without importing it."""
    spec = importlib.util.find_spec('imagecorruptions')
    if spec is None or not spec.submodule_search_locations:
        raise CorruptionError(
            'frost needs the frost pictures of the imagecorruptions wheel: '
            'pip install --no-deps imagecorruptions==1.1.2'
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / 'frost'
    names = ('frost1.png', 'frost2.png', 'frost3.png', 'frost4.jpg', 'frost5.jpg')
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        raise CorruptionError(f'frost pictures missing in {folder}: {", ".join(missing)}')
    return [folder / n for n in names]


def frost(x, severity, rng):
    image_weight, frost_weight = ((1, 0.4), (0.8, 0.6), (0.7, 0.7), (0.65, 0.7), (0.6, 0.75))[
        severity - 1
    ]
    picture = cv2.imread(str(frost_pictures()[rng.randint(5)]))
    ph, pw = picture.shape[:2]
    h, w = x.shape[:2]
    scale = 1.1 * max(1.0, h / ph, w / pw)  # cover the image, with room to crop
    picture = cv2.resize(
        picture, (math.ceil(pw * scale), math.ceil(ph * scale)), interpolation=cv2.INTER_CUBIC
    )
    top = rng.randint(0, picture.shape[0] - h)
    left = rng.randint(0, picture.shape[1] - w)
    bottom, right = top + h, left + w
    crop = picture[top:bottom, left:right, ::-1]  # BGR -> RGB
    return np.clip(image_weight * x + frost_weight * crop.astype(np.float32), 0, 255)


def fog(x, severity, rng):
    strength, decay = ((1.5, 2), (2.0, 2), (2.5, 1.7), (2.5, 1.5), (3.0, 1.4))[severity - 1]
    h, w = x.shape[:2]
    size = 1 << (max(h, w) - 1).bit_length()
    x = x / 255.0
    peak = x.max()
    x += strength * _plasma_fractal(rng, size, decay)[:h, :w, np.newaxis]
    return np.clip(x * peak / (peak + strength), 0, 1) * 255


def brightness(x, severity, rng):
    c = (0.1, 0.2, 0.3, 0.4, 0.5)[severity - 1]
    hsv = cv2.cvtColor(_float(x), cv2.COLOR_RGB2HSV)
    hsv[..., 2] = np.clip(hsv[..., 2] + c, 0, 1)
    return np.clip(cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB), 0, 1) * 255


def contrast(x, severity, rng):
    c = (0.4, 0.3, 0.2, 0.1, 0.05)[severity - 1]
    x = x / 255.0
    means = x.mean(axis=(0, 1), keepdims=True)
    return np.clip((x - means) * c + means, 0, 1) * 255


def elastic_transform(x, severity, rng):
    alpha = 250 * (0.05, 0.065, 0.085, 0.1, 0.12)[severity - 1]
    h, w = x.shape[:2]
    sigma = (h * 0.01, w * 0.01)
    max_shift = h * 0.005
    dx = _gaussian(rng.uniform(-max_shift, max_shift, (h, w)), sigma, 3, cv2.BORDER_REFLECT)
    dy = _gaussian(rng.uniform(-max_shift, max_shift, (h, w)), sigma, 3, cv2.BORDER_REFLECT)
    grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    warped = cv2.remap(
        _float(x),
        grid_x + (dx * alpha).astype(np.float32),
        grid_y + (dy * alpha).astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REFLECT,
    )
    return np.clip(warped, 0, 1) * 255


def pixelate(x, severity, rng):
    c = (0.6, 0.5, 0.4, 0.3, 0.25)[severity - 1]
    h, w = x.shape[:2]
    small = cv2.resize(x, (int(w * c), int(h * c)), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)


def jpeg_compression(x, severity, rng):
    quality = (25, 18, 15, 10, 7)[severity - 1]
    ok, data = cv2.imencode(
        '.jpg', cv2.cvtColor(x, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:
        raise CorruptionError('JPEG encoding failed')
    return cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


_FUNCTIONS: dict[str, Callable[[np.ndarray, int, np.random.RandomState], np.ndarray]] = {
    name: globals()[name] for name in NAMES
}


def parse(spec: str) -> tuple[str, tuple[int, ...]]:
    """Read NAME or NAME:SEVERITY (`fog:3`); a bare name means all five severities."""
    name, _, severity = spec.partition(':')
    if name not in _FUNCTIONS:
        raise CorruptionError(f'unknown corruption {name!r}; known: {", ".join(NAMES)}')
    if not severity:
        return name, SEVERITIES
    if severity not in ('1', '2', '3', '4', '5'):
        raise CorruptionError(f'severity must be 1-5, got {severity!r} in {spec!r}')
    return name, (int(severity),)


def corrupt(image: np.ndarray, name: str, severity: int, seed: int = 0) -> np.ndarray:
    """
    Return `image` (HxWx3 RGB uint8) under corruption `name` at `severity` (1-5).

    Deterministic: the same image, corruption, severity and seed give the same bytes.
    """
    if name not in _FUNCTIONS:
        raise CorruptionError(f'unknown corruption {name!r}; known: {", ".join(NAMES)}')
    if severity not in SEVERITIES:
        raise CorruptionError(f'severity must be 1-5, got {severity!r}')
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise CorruptionError(
            f'expected an HxWx3 uint8 RGB image, got {image.shape} {image.dtype}'
        )
    if min(image.shape[:2]) < 32:
        raise CorruptionError(f'the image must be at least 32x32 pixels, got {image.shape[:2]}')
    rng = np.random.RandomState(seed)
    out = _FUNCTIONS[name](image, severity, rng)
    # Truncated, not rounded, to uint8, as the reference's np.uint8() does.
    return np.clip(out, 0, 255).astype(np.uint8)
