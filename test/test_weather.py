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

"""The synthetic weather the student trains on does what each effect's docstring says."""

from mobilenet_ssd_ros.training import weather
import numpy as np
import pytest


def _scene(h: int = 120, w: int = 160) -> np.ndarray:
    """Return a textured frame: a checkerboard of dark (40) and light (200) squares, tinted."""
    rows, cols = np.mgrid[0:h, 0:w]
    checks = np.where((rows // 8 + cols // 8) % 2 == 0, 40, 200)
    return np.stack([checks, checks * 0.9, checks * 0.8], axis=-1).astype(np.uint8)


@pytest.mark.parametrize('name', list(weather.EFFECTS))
def test_every_effect_changes_the_frame_and_is_repeatable(name):
    scene = _scene()
    effect = weather.EFFECTS[name]
    out = effect(scene, np.random.default_rng(3))
    assert out.shape == scene.shape and out.dtype == np.uint8
    assert np.abs(out.astype(int) - scene).mean() > 1.0
    assert np.array_equal(out, effect(scene, np.random.default_rng(3)))


def test_fog_lifts_the_dark_lowers_the_contrast_and_is_denser_far_away():
    scene = _scene()
    outs = [weather.fog(scene, np.random.default_rng(seed)).astype(float) for seed in range(8)]
    dark = scene == 40
    assert all(out[dark].mean() > 60 for out in outs)
    assert all(out.std() < scene.std() for out in outs)
    # far (the top of a road frame) keeps less of the scene than near (the bottom)
    kept = [np.abs(out - out.mean()).reshape(4, -1).mean(axis=1) for out in outs]
    assert np.mean([k[0] for k in kept]) < np.mean([k[-1] for k in kept])


def test_low_contrast_keeps_the_mean_and_night_darkens():
    scene = _scene()
    flat = weather.low_contrast(scene, np.random.default_rng(0)).astype(float)
    assert abs(flat.mean() - scene.mean()) < 1.5
    assert 0.15 < flat.std() / scene.std() < 0.65
    dark = weather.night(scene, np.random.default_rng(0)).astype(float)
    assert dark.mean() < 0.6 * scene.mean()


def test_noise_has_its_sigma():
    grey = np.full((200, 200, 3), 128, np.uint8)
    sigmas = [
        (weather.noise(grey, np.random.default_rng(seed)).astype(float) - 128).std()
        for seed in range(6)
    ]
    assert all(4 < s < 26 for s in sigmas)
    assert max(sigmas) - min(sigmas) > 2  # drawn per image, not one fixed level


def test_effects_narrow_the_choice_in_any_order():
    scene = _scene()
    for seed in range(20):
        # night alone always darkens; fog alone always lifts the dark checks
        assert weather.weather(scene, np.random.default_rng(seed), ('night',)).mean() < 80
        fogged = weather.weather(scene, np.random.default_rng(seed), ('fog',))
        assert fogged[scene == 40].mean() > 60
        pair = weather.weather(scene, np.random.default_rng(seed), ('fog', 'noise'))
        same = weather.weather(scene, np.random.default_rng(seed), ('noise', 'fog'))
        assert np.array_equal(pair, same)
    # without a choice every effect is drawn: some frames come out brighter, some darker
    means = [weather.weather(scene, np.random.default_rng(s)).mean() for s in range(40)]
    assert min(means) < 0.6 * scene.mean() and max(means) > scene.mean() + 20


def test_an_unknown_effect_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match='hail.*known: fog, rain, snow'):
        weather.weather(_scene(), np.random.default_rng(0), ('fog', 'hail'))
