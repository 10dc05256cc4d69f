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

"""Image quality and enhancement on images whose right answer is known by construction."""

from __future__ import annotations

from dataclasses import replace

from conftest import read_rgb, SAMPLES
import cv2
from mobilenet_ssd_ros import zoo
from mobilenet_ssd_ros.core.enhance import AutoGate, Enhancer, measure
import numpy as np
import pytest

PETS = read_rgb(SAMPLES / 'pets.jpg')


def hazy(rgb: np.ndarray, airlight: float = 0.6) -> np.ndarray:
    """Apply the haze model I = J t + A (1 - t), with transmission 1 - airlight, A = white."""
    return (rgb * (1 - airlight) + 255 * airlight).astype(np.uint8)


def small(rgb: np.ndarray) -> np.ndarray:
    return cv2.resize(rgb, (300, 300), interpolation=cv2.INTER_LINEAR)


def test_verdicts_of_unusable_frames():
    assert measure(np.zeros((300, 300, 3), np.uint8)).verdict() == 'dark'
    assert measure(np.full((300, 300, 3), 255, np.uint8)).verdict() == 'saturated'
    assert measure(np.full((300, 300, 3), 128, np.uint8)).verdict() == 'uniform'
    assert measure(small(PETS)).verdict() == 'ok'


def test_checkerboard_statistics():
    board = np.kron(np.indices((10, 10)).sum(axis=0) % 2, np.ones((30, 30))).astype(np.uint8) * 255
    q = measure(np.dstack([board] * 3))
    assert q.brightness == pytest.approx(0.5)
    assert q.contrast == pytest.approx(0.5)
    assert q.saturated == pytest.approx(0.5) and q.dark == pytest.approx(0.5)


def test_haze_lifts_the_dark_channel_and_lowers_contrast():
    clear, foggy = measure(small(PETS)), measure(small(hazy(PETS)))
    assert foggy.haze > clear.haze + 0.4
    assert foggy.contrast < clear.contrast * 0.5
    assert AutoGate()(foggy) and not AutoGate()(clear)


def test_stretch_spreads_a_narrow_range():
    narrow = (small(PETS) * (50 / 255) + 100).astype(np.uint8)  # values 100..150
    quality, applied = Enhancer('stretch')(narrow)
    assert applied and quality.contrast < 0.06
    for c in range(3):
        low, high = np.percentile(narrow[..., c], [1, 99])
        assert low <= 3 and high >= 250


def test_stretch_barely_moves_a_full_range_image():
    image = np.tile(np.arange(256, dtype=np.uint8), (300, 1))[:, :, None].repeat(3, axis=2)
    before = image.copy()
    Enhancer('stretch')(image)
    assert np.abs(image.astype(int) - before).max() <= 3  # 1..99 percentile of 0..255


def test_auto_leaves_clear_frames_untouched_and_stretches_hazy_ones():
    clear = small(PETS)
    before = clear.copy()
    assert Enhancer('auto')(clear)[1] is False and np.array_equal(clear, before)
    foggy = small(hazy(PETS))
    contrast_before = measure(foggy).contrast
    assert Enhancer('auto')(foggy)[1] is True
    assert measure(foggy).contrast > 2 * contrast_before


def test_stretch_on_the_model_sized_image_equals_stretch_then_resize():
    """Where it runs (after the resize) gives what a full-size stretch would, up to rounding."""
    foggy = hazy(PETS)
    full = foggy.copy()
    Enhancer('stretch')(full)
    resized_after = small(full)
    resized_first = small(foggy)
    Enhancer('stretch')(resized_first)
    difference = np.abs(resized_first.astype(int) - resized_after)
    assert difference.mean() < 2.0 and np.percentile(difference, 99) <= 8


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match='enhance must be one of off, stretch, auto'):
        Enhancer('clahe')


def test_detector_reports_quality_and_decision():
    detector = zoo.open_detector(enhance='auto')
    plain = zoo.open_detector()
    clear = detector.detect(PETS)
    assert [d.to_dict() for d in clear.detections] == [
        d.to_dict() for d in plain.detect(PETS).detections
    ]
    assert clear.enhanced is False and clear.quality.verdict() == 'ok'
    foggy = detector.detect(hazy(PETS))
    assert foggy.enhanced is True and foggy.quality.haze > 0.5
    off = replace(detector.defaults, enhancer=Enhancer('off'))  # per call, as the node does
    assert detector.detect(hazy(PETS), off).enhanced is False
