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

"""The node's rooms without DDS: settings validation and the diagnostics status."""

from __future__ import annotations

from diagnostic_msgs.msg import DiagnosticStatus
from mobilenet_ssd_ros import zoo
from mobilenet_ssd_ros.core.enhance import ImageQuality
from mobilenet_ssd_ros.ros.camera import CameraStats, Snapshot
from mobilenet_ssd_ros.ros.diagnostics import camera_status
from mobilenet_ssd_ros.ros.settings import NodeSettings, PARAMETERS
import pytest


def defaults() -> NodeSettings:
    """Return the settings of a node started with every parameter at its default."""
    unset = PARAMETERS['classes'][0]  # string arrays are declared by type, read as []
    return NodeSettings.from_values(
        {name: [] if default is unset else default for name, (default, _) in PARAMETERS.items()}
    )


def test_the_defaults_are_valid_and_ask_for_the_zoo_default():
    settings = defaults().validate()
    assert settings.classes == () and settings.cameras == ()
    assert settings.detector() == zoo.DetectorSettings()  # the zoo's default model, as the CLI's


@pytest.mark.parametrize(
    'changes, message',
    [
        ({'qos_reliability': 'sometimes'}, "qos_reliability must be 'best_effort' or 'reliable'"),
        ({'enhance': 'clahe'}, 'enhance must be one of off, stretch, auto'),
        ({'cameras': ['front', 'front']}, 'camera names must be unique'),
    ],
)
def test_one_validation_for_start_up_and_live_changes(changes, message):
    with pytest.raises(ValueError, match=message):
        defaults().changed(changes)  # a live change
    values = {**defaults().__dict__, **changes}
    with pytest.raises(ValueError, match=message):
        NodeSettings.from_values(values).validate()  # the values given at start-up


def test_a_change_makes_new_settings_and_leaves_the_old_ones():
    before = defaults()
    after = before.changed({'classes': ['person', 'dog'], 'resolution': 224, 'enhance': 'auto'})
    assert after.classes == ('person', 'dog') and after.resolution == 224
    assert after.detector().classes == ('person', 'dog') and after.detector().enhance == 'auto'
    assert before.classes == () and before.resolution == 300  # immutable


def counts(**changes) -> Snapshot:
    base = {
        'processed': 10,
        'latency_ms_sum': 250.0,
        'enhanced': 0,
        'verdicts': {'ok': 10},
        'received': 12,
        'dropped': 2,
        'lost': 0,
        'errors': {},
        'quality': None,
    }
    return Snapshot(**{**base, **changes})


CONTEXT = {
    'transport': 'raw',
    'executor': 'EventsExecutor',
    'frames_deserialized': '10',
    'model': 'ssd_mobilenet_v1_1.0_quant_coco',
    'enhance': 'off',
}


def values(status: DiagnosticStatus) -> dict[str, str]:
    return {kv.key: kv.value for kv in status.values}


def test_a_running_camera_is_ok_with_its_rates():
    status = camera_status('/mobilenet_ssd: camera', '/image', counts(), 'active', 2.0, CONTEXT)
    assert (status.level, status.message, status.hardware_id) == (
        DiagnosticStatus.OK,
        'running',
        '/image',
    )
    v = values(status)
    assert v['fps'] == '5.00' and v['latency_ms'] == '25.0'  # 10 frames in 2 s, 250 ms / 10
    assert v['frames_received'] == '12' and v['frames_dropped'] == '2' and v['image_ok'] == '10'
    assert v['transport'] == 'raw' and v['model'] == CONTEXT['model']
    assert 'brightness' not in v  # no quality measured yet


def test_bad_frames_and_unusable_images_warn_but_only_when_active():
    bad = counts(errors={'truncated': 2, 'encoding': 1}, verdicts={'dark': 6, 'ok': 4})
    status = camera_status('n', 't', bad, 'active', 1.0, CONTEXT)
    assert status.level == DiagnosticStatus.WARN
    assert status.message == '3 bad frame(s); image unusable (dark): 6 of 10 frames'
    assert values(status)['errors_truncated'] == '2'
    inactive = camera_status('n', 't', bad, 'inactive', 1.0, CONTEXT)
    assert (inactive.level, inactive.message) == (DiagnosticStatus.OK, 'inactive')
    half = counts(verdicts={'dark': 5, 'ok': 5})  # not more than half: still ok
    assert camera_status('n', 't', half, 'active', 1.0, CONTEXT).level == DiagnosticStatus.OK


def test_no_frames_means_no_latency_and_the_last_quality_is_shown():
    quality = ImageQuality(brightness=0.1, contrast=0.02, haze=0.7, saturated=0.0, dark=0.3)
    v = values(
        camera_status('n', 't', counts(processed=0, quality=quality), 'active', 1.0, CONTEXT)
    )
    assert v['latency_ms'] == 'nan' and v['fps'] == '0.00'
    assert (v['brightness'], v['contrast'], v['haze']) == ('0.100', '0.020', '0.700')


def test_a_tick_resets_the_per_tick_counters_and_keeps_the_totals():
    stats = CameraStats()
    stats.received(replaced=False)
    stats.received(replaced=True)
    assert stats.processed_frame(30.0, 'ok', True, None) == 1  # one dropped before it
    stats.bad_frame('truncated')
    first = stats.tick()
    assert (first.processed, first.received, first.dropped, first.enhanced) == (1, 2, 1, 1)
    second = stats.tick()
    assert (second.processed, second.latency_ms_sum, second.enhanced, second.verdicts) == (
        0,
        0.0,
        0,
        {},
    )
    assert (second.received, second.dropped, second.errors) == (2, 1, {'truncated': 1})
