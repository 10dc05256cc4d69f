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

"""The paired bootstrap: exact where the answer is known, and the eval options that use it."""

from __future__ import annotations

import json

from conftest import SHARED
from mobilenet_ssd_ros import cli
from mobilenet_ssd_ros.core.detection import BBox, Detection
from mobilenet_ssd_ros.offline.bootstrap import paired_bootstrap
from mobilenet_ssd_ros.offline.datasets import load_dataset
from mobilenet_ssd_ros.offline.evaluate import evaluate
import pytest
from test_evaluate import make_yolo

PENNFUDAN = SHARED / 'data' / 'pennfudan_dev'


def perfect(samples) -> dict[str, list[Detection]]:
    return {
        s.image_path.name: [Detection(o.label, -1, 0.9, o.bbox) for o in s.objects]
        for s in samples
    }


@pytest.fixture(scope='module')
def dataset(tmp_path_factory):
    """Twenty images with one person each."""
    root = tmp_path_factory.mktemp('yolo')
    make_yolo(root, {f'im{i:02d}': [(0, BBox(20, 30, 120, 170))] for i in range(20)})
    return load_dataset(root, 'yolo')


def test_no_change_has_a_zero_interval(dataset):
    changes = paired_bootstrap(dataset, perfect(dataset), perfect(dataset), resamples=50)
    for c in changes.values():
        assert c.delta == c.low == c.high == 0.0


def test_finding_more_objects_is_a_change_above_zero(dataset):
    """Half the people found (AP 0.5) against all found (AP 1.0): +0.5, sure."""
    everything = perfect(dataset)
    half = {name: dets if i % 2 else [] for i, (name, dets) in enumerate(everything.items())}
    up = paired_bootstrap(dataset, half, everything, resamples=200, seed=1)
    assert up['mAP'].baseline == pytest.approx(evaluate(dataset, half).map)
    assert up['mAP'].changed == pytest.approx(1.0)
    assert up['mAP'].delta == pytest.approx(up['mAP'].changed - up['mAP'].baseline)
    assert 0 < up['mAP'].low < up['mAP'].high  # resampled: the share found varies by draw
    assert up['mAP'].low <= up['mAP'].delta <= up['mAP'].high
    assert up['AP person'].delta == pytest.approx(up['mAP'].delta)
    down = paired_bootstrap(dataset, everything, half, resamples=200, seed=1)
    assert down['mAP'].delta == pytest.approx(-up['mAP'].delta)
    assert (down['mAP'].low, down['mAP'].high) == pytest.approx((-up['mAP'].high, -up['mAP'].low))


def test_real_predictions_match_evaluate_on_all_images():
    samples = load_dataset(PENNFUDAN, 'pennfudan')[:12]
    found = perfect(samples)
    shifted = {
        name: [
            Detection(
                d.label,
                -1,
                d.score,
                BBox(d.bbox.xmin + 8, d.bbox.ymin, d.bbox.xmax + 8, d.bbox.ymax),
            )
            for d in dets
        ]
        for name, dets in found.items()
    }
    changes = paired_bootstrap(samples, found, shifted, resamples=100)
    full = evaluate(samples, shifted)
    assert changes['mAP'].changed == pytest.approx(full.map)
    assert changes['mAP50'].changed == pytest.approx(full.map50)
    assert changes['mAP'].high < 0  # every box moved: worse on any draw of images
    again = paired_bootstrap(samples, found, shifted, resamples=100)
    assert again == changes  # seeded


def test_eval_compares_saved_predictions_and_settings(tmp_path, capsys):
    args = ['--dataset', str(PENNFUDAN), '--format', 'pennfudan', '--limit', '4']
    saved = tmp_path / 'off.jsonl'
    assert cli.main(['eval', *args, '--save-predictions', str(saved)]) == 0
    assert len(saved.read_text().splitlines()) == 4
    report = tmp_path / 'r.json'
    assert (
        cli.main(
            ['eval', *args, '--compare', str(saved), '--bootstrap', '20', '--json', str(report)]
        )
        == 0
    )
    first = json.loads(report.read_text())
    changes = first['comparison']['changes']
    assert changes['mAP']['delta'] == 0 and changes['mAP']['low'] == 0
    capsys.readouterr()
    assert (
        cli.main(
            [
                'eval',
                *args,
                '--enhance',
                'stretch',
                '--compare-enhance',
                'off',
                '--bootstrap',
                '20',
                '--json',
                str(report),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert 'change from enhance off: paired bootstrap, 20 resamples' in out
    second = json.loads(report.read_text())
    assert second['comparison']['baseline'] == 'enhance off'
    # the baseline run is the plain (enhance off) one; the changed side is this run's own
    assert second['comparison']['changes']['mAP']['baseline'] == pytest.approx(first['mAP'])
    assert second['comparison']['changes']['mAP']['changed'] == pytest.approx(second['mAP'])
