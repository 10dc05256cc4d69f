"""variant auto without DDS: when a camera counts as in fog, and which model a frame runs."""

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

from conftest import read_rgb, SHARED
import cv2
from mobilenet_ssd_ros import zoo
from mobilenet_ssd_ros.core.enhance import measure
from mobilenet_ssd_ros.core.fog_switch import FogSwitch, SwitchRule
import pytest

FOG = sorted((SHARED / 'data' / 'dawn_fog_dev' / 'images').iterdir())
CLEAR = sorted((SHARED / 'data' / 'pennfudan_dev' / 'PNGImages').iterdir())
RATE_HZ = 10.0


def quality(path):
    small = cv2.resize(read_rgb(path), (300, 300), interpolation=cv2.INTER_LINEAR)
    return measure(small)


@pytest.fixture(scope='module')
def qualities():
    """Real frames: Penn-Fudan streets (clear), DAWN roads in fog that the `auto` gate sees."""
    rule = SwitchRule()
    fog = [q for q in map(quality, FOG) if rule.enter(q)]
    clear = [q for q in map(quality, CLEAR) if not rule.leave(q)]
    assert len(fog) >= 60 and len(clear) >= 40
    return clear, fog


def drive(switch: FogSwitch, frames) -> list[tuple[float, bool]]:
    """Feed (quality) frames at RATE_HZ; return (stamp, state after) of each switch."""
    switched = []
    for i, q in enumerate(frames):
        stamp = i / RATE_HZ
        if switch.update(q, stamp):
            switched.append((stamp, switch.foggy))
    return switched


def test_clear_fog_clear_switches_once_each_way_within_the_hold_time(qualities):
    clear, fog = qualities
    stream = clear[:20] + fog[:30] + clear[20:50]  # 2 s clear, 3 s fog, 3 s clear
    switches = drive(FogSwitch(SwitchRule(hold_s=1.0)), stream)
    assert [state for _, state in switches] == [True, False]
    (into, _), (out_of, _) = switches
    assert 2.0 + 1.0 <= into <= 2.0 + 1.0 + 1 / RATE_HZ  # the hold time after fog began
    assert 5.0 + 1.0 <= out_of <= 5.0 + 1.0 + 1 / RATE_HZ


def test_a_single_odd_frame_never_switches(qualities):
    clear, fog = qualities
    odd = clear[:10] + fog[:1] + clear[10:20] + fog[1:2] + clear[20:40]
    assert drive(FogSwitch(), odd) == []
    inside = fog[:30] + clear[:1] + fog[30:60]  # in fog, one clear frame
    switches = drive(FogSwitch(), inside)
    assert [state for _, state in switches] == [True]


def test_hysteresis_keeps_a_camera_in_fog_until_the_stricter_gate_says_clear():
    rule = SwitchRule(hold_s=0.0)
    from mobilenet_ssd_ros.core.enhance import ImageQuality

    def frame(haze):
        return ImageQuality(brightness=0.5, contrast=0.3, haze=haze, saturated=0, dark=0)

    switch = FogSwitch(rule)
    assert switch.update(frame(0.50), 0.0) and switch.foggy  # over 0.45: in
    assert not switch.update(frame(0.43), 0.1) and switch.foggy  # between: stays in
    assert switch.update(frame(0.38), 0.2) and not switch.foggy  # under 0.40: out
    assert not switch.update(frame(0.43), 0.3) and not switch.foggy  # between: stays out


def test_a_bag_played_again_restarts_the_hold_time(qualities):
    clear, fog = qualities
    switch = FogSwitch(SwitchRule(hold_s=1.0))
    assert not switch.update(fog[0], 100.0)
    assert not switch.update(fog[1], 0.0)  # time went back: the hold starts again here
    assert not switch.update(fog[2], 0.9)
    assert switch.update(fog[3], 1.0)


def test_two_models_pick_by_each_images_own_look_without_a_stream(weather_variant):
    models = zoo.open_two_models(zoo.DetectorSettings(enhance='off'))
    assert models.fog.detector.model_id == 'fog_copy_300'
    assert models.fog.frame.enhancer.method == 'stretch'  # its model.json's enhancement
    assert models.clear.frame.enhancer.method == 'off'
    result, chosen = models.detect(read_rgb(FOG[0]))
    assert chosen is models.fog and result.enhanced
    result, chosen = models.detect(read_rgb(CLEAR[0]))
    assert chosen is models.clear and not result.enhanced


def test_an_image_alone_is_judged_as_the_node_judges_a_frame(weather_variant):
    """The per-image choice (eval) is the switch's gate on the detector's measured quality."""
    models = zoo.open_two_models(zoo.DetectorSettings(enhance='off'))
    coco = sorted((SHARED / 'data' / 'coco128_val2017' / 'images').iterdir())
    fog_chosen = 0
    for path in coco:
        image = read_rgb(path)
        measured = models.clear.detector.detect(image).quality  # what the node's switch takes
        chosen = models.choice(None, image)
        assert (chosen is models.fog) == models.rule.enter(measured), path.name
        fog_chosen += chosen is models.fog
    assert 5 <= fog_chosen <= 30  # flat or hazy clear images exist, and most are clear


def test_auto_without_a_weather_model_is_refused_with_what_exists(tmp_path, monkeypatch):
    monkeypatch.setenv('MOBILENET_SSD_MODEL_PATH', str(tmp_path))
    with pytest.raises(zoo.ModelNotAvailableError, match="no 'weather' variant .* variants here"):
        zoo.open_two_models(zoo.DetectorSettings())


def test_replay_switches_as_the_node_would(weather_variant, tmp_path, qualities):
    """A bag of a drive into fog and out: replay with variant auto runs the fog model there."""
    from mobilenet_ssd_ros.offline.bag import make_bag
    from mobilenet_ssd_ros.offline.replay import replay

    frames = []
    for i, path in enumerate(CLEAR[:20] + FOG[:30] + CLEAR[20:50]):
        small = tmp_path / f'frame_{i:03d}.png'
        cv2.imwrite(str(small), cv2.resize(cv2.imread(str(path)), (240, 180)))
        frames.append(small)
    bag = tmp_path / 'drive'
    make_bag(frames, bag, rate=RATE_HZ)
    models = zoo.open_two_models(zoo.DetectorSettings(num_threads=1))
    report = replay(bag, tmp_path / 'out', models, every_frame=True)
    assert report.processed == 80 and report.switches == 2
    assert 25 <= report.fog_frames <= 32  # the fog stretch, shifted by the hold time
    assert 'variant auto: the fog model ran' in report.format()
