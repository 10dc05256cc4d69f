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

"""
Benchmarks in smoke mode.

Every suite runs, prints its table, writes JSON and plots with finite, positive ratios. No absolute
time is asserted anywhere.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

from mobilenet_ssd_ros.zoo.graph import graph_stats
import pytest


def _ratios(obj, path=''):
    """Every value whose key says it is a ratio, anywhere in the result tree."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if 'ratio' in k or '_over_' in k:
                yield f'{path}/{k}', v
            else:
                yield from _ratios(v, f'{path}/{k}')
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _ratios(v, f'{path}/{i}')


@pytest.fixture(scope='module')
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp('bench')
    result = subprocess.run(
        [
            sys.executable,
            '-m',
            'mobilenet_ssd_ros',
            'bench',
            '--suite',
            'all',
            '--smoke',
            '--json',
            str(out / 'results.json'),
            '--plots',
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result.stdout, json.loads((out / 'results.json').read_text())


def test_tables_are_printed(smoke):
    _, stdout, _ = smoke
    for header in (
        'core suite:',
        'ours/invoke',
        'ours/ref',
        'sweep suite',
        'GMACs',
        'node suite:',
        'ours_rgb8_saturated',
        'ours_rgb8_saturated_before',
        'naive_rgb8_saturated',
        'exec ms/in',
        'Python heap bytes per frame',
        'soak suite:',
        'CPU while inactive',
        'image quality and enhance',
        'IDSW vs baseline',
        'ms per frame = ',
    ):
        assert header in stdout


def test_json_has_every_suite_with_finite_positive_ratios(smoke):
    _, _, results = smoke
    assert results['smoke'] is True
    assert {'core', 'sweep', 'node', 'soak', 'tracking'} <= set(results)
    ratios = list(_ratios(results))
    assert len(ratios) > 20
    for path, value in ratios:
        assert isinstance(value, float) and math.isfinite(value) and value > 0, (path, value)
    assert results['node']['scenarios']['ours_rgb8']['received'] > 0
    copies = results['node']['copies']
    # the raw path holds one copy of the frame (the serialized bytes); the typed path more
    assert copies['raw']['bytes_per_frame'] < 1.1 * copies['frame_bytes']
    assert copies['typed']['bytes_per_frame'] > 1.5 * copies['frame_bytes']
    assert results['soak']['frames_processed'] > 0
    # frames keep arriving while the node is inactive: without subscriptions it does not
    # even deserialize them (processing 100 Hz of frames takes a whole core)
    assert 0 <= results['soak']['inactive_cpu_percent_of_core'] < 25
    tracked = {(r['tracker'], r['every']) for r in results['tracking']['rows']}
    trackers = {'bytetrack', 'sort', 'ocsort', 'motpy', 'iou baseline'}
    assert tracked == {(t, every) for t in trackers for every in (1, 2, 3)}
    assert all(0 <= r['HOTA'] <= 1 for r in results['tracking']['rows'])
    assert results['tracking']['cost']['tracker'] == 'bytetrack'
    enhance = results['core']['enhance']
    assert enhance['measure_ms'] > 0 and enhance['ratio_detect_stretch_to_off'] > 0


def test_plots_are_pngs(smoke):
    out, _, _ = smoke
    for name in ('core', 'sweep', 'node'):
        assert (out / f'{name}.png').read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def test_graph_stats_of_the_pretrained_model(model_path):
    stats = graph_stats(model_path)
    # Counted independently: the first conv is 3x3x3 -> 24 channels at 150x150.
    assert stats.first_conv_channels == 24 and stats.width_multiplier == 0.75
    assert 150 * 150 * 24 * 27 < stats.macs < 2e9
    assert 3e6 < stats.params < 6e6  # ~4.2 MB file of mostly int8 weights
    assert stats.conv_ops >= 40
