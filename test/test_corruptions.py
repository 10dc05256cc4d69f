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

"""The COCO-C corruptions: deterministic, and doing what their definitions say."""

from conftest import read_rgb, SAMPLES
from mobilenet_ssd_ros.offline.corruptions import (
    corrupt,
    CorruptionError,
    NAMES,
    parse,
    SEVERITIES,
)
import numpy as np
import pytest

PHOTO = read_rgb(SAMPLES / 'pets.jpg')[:240, :320].copy()
RANDOM = {
    'gaussian_noise',
    'shot_noise',
    'impulse_noise',
    'glass_blur',
    'motion_blur',
    'snow',
    'frost',
    'fog',
    'elastic_transform',
}


def flat(value: int, shape=(96, 128)) -> np.ndarray:
    return np.full((*shape, 3), value, np.uint8)


def test_fifteen_corruptions_in_four_groups():
    assert len(NAMES) == 15 == len(set(NAMES))


@pytest.mark.parametrize('name', NAMES)
def test_deterministic_and_seeded(name):
    for severity in SEVERITIES:
        first = corrupt(PHOTO, name, severity, seed=3)
        assert first.shape == PHOTO.shape and first.dtype == np.uint8
        assert np.array_equal(first, corrupt(PHOTO, name, severity, seed=3))
        assert not np.array_equal(first, PHOTO)
    if name in RANDOM:
        assert not np.array_equal(corrupt(PHOTO, name, 3, seed=3), corrupt(PHOTO, name, 3, seed=4))


@pytest.mark.parametrize('name', NAMES)
def test_stronger_with_severity(name):
    """Mean change from the clean photo grows from severity 1 to 5 (each seed the same)."""
    change = [np.abs(corrupt(PHOTO, name, s, seed=1).astype(float) - PHOTO).mean() for s in (1, 5)]
    assert change[1] > change[0]


@pytest.mark.parametrize('severity, factor', list(zip(SEVERITIES, (0.4, 0.3, 0.2, 0.1, 0.05))))
def test_contrast_scales_around_the_mean(severity, factor):
    image = np.random.default_rng(0).integers(60, 200, (64, 64, 3)).astype(np.uint8)
    out = corrupt(image, 'contrast', severity).astype(float)
    mean = image.mean(axis=(0, 1))
    assert np.allclose(out.mean(axis=(0, 1)), mean, atol=1.0)  # truncation loses < 1
    assert np.allclose(out.std(axis=(0, 1)), image.std(axis=(0, 1)) * factor, rtol=0.05, atol=0.5)


@pytest.mark.parametrize('severity, lift', list(zip(SEVERITIES, (0.1, 0.2, 0.3, 0.4, 0.5))))
def test_brightness_lifts_the_hsv_value(severity, lift):
    out = corrupt(flat(100), 'brightness', severity)
    assert np.all(np.abs(out.astype(float) - (100 + 255 * lift)) <= 1)


@pytest.mark.parametrize('severity, sigma', list(zip((1, 2), (0.08, 0.12))))
def test_gaussian_noise_has_its_sigma(severity, sigma):
    out = corrupt(flat(128, (256, 256)), 'gaussian_noise', severity).astype(float)
    assert abs(out.mean() - 127.5) < 1.0  # truncation: half a level down on average
    assert abs(out.std() - 255 * sigma) < 0.03 * 255 * sigma


@pytest.mark.parametrize('severity, amount', list(zip(SEVERITIES, (0.03, 0.06, 0.09, 0.17, 0.27))))
def test_impulse_noise_flips_its_fraction(severity, amount):
    out = corrupt(flat(128, (256, 256)), 'impulse_noise', severity)
    salt, pepper = (out == 255).mean(), (out == 0).mean()
    assert abs(salt + pepper - amount) < 0.01 and abs(salt - pepper) < 0.01


@pytest.mark.parametrize('name', ['defocus_blur', 'glass_blur', 'motion_blur', 'zoom_blur'])
def test_blurs_keep_a_flat_image(name):
    for severity in SEVERITIES:
        out = corrupt(flat(77), name, severity).astype(int)
        # uint8 truncation after each float step (glass_blur has two) costs up to a level each
        assert np.all(np.abs(out - 77) <= 2)


@pytest.mark.parametrize('severity, factor', list(zip(SEVERITIES, (0.6, 0.5, 0.4, 0.3, 0.25))))
def test_pixelate_leaves_factor_times_fewer_columns(severity, factor):
    out = corrupt(PHOTO, 'pixelate', severity)
    distinct_columns = len({out[:, x].tobytes() for x in range(out.shape[1])})
    assert distinct_columns <= int(PHOTO.shape[1] * factor)


def test_fog_whitens_and_flattens():
    """Fog adds a bright fractal haze and rescales: contrast drops, dark pixels brighten."""
    for severity in SEVERITIES:
        out = corrupt(PHOTO, 'fog', severity).astype(float)
        assert out.std() < PHOTO.std()
        assert np.percentile(out, 5) > np.percentile(PHOTO, 5)


def test_parse_names_and_severities():
    assert parse('fog') == ('fog', SEVERITIES)
    assert parse('snow:4') == ('snow', (4,))
    with pytest.raises(CorruptionError, match='unknown corruption'):
        parse('rain')
    with pytest.raises(CorruptionError, match='severity must be 1-5'):
        parse('fog:6')
    with pytest.raises(CorruptionError, match='at least 32x32'):
        corrupt(flat(0, (16, 64)), 'fog', 1)
