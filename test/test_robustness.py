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

"""The robustness report and eval --corruption through the command line."""

from __future__ import annotations

import json

from conftest import SHARED
from mobilenet_ssd_ros import cli
import numpy as np
import pytest

COCO = ['--dataset', str(SHARED / 'data' / 'coco128_val2017'), '--format', 'coco128']


def test_report_json_table_and_plot(tmp_path, capsys):
    out = tmp_path / 'r.json'
    plot = tmp_path / 'r.png'
    args = [*COCO, '--limit', '3', '--corruptions', 'fog,contrast', '--severities', '1,5']
    assert (
        cli.main(
            [
                'robustness',
                *args,
                '--enhance',
                'auto',
                '--compare-enhance',
                'off',
                '--json',
                str(out),
                '--plot',
                str(plot),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert printed.count('overall') == 2 and 'clean mAP@[.5:.95]' in printed
    report = json.loads(out.read_text())
    settings = [k for k in report if k.endswith(('enhance auto', 'enhance off'))]
    assert len(settings) == 2 and report['images'] == 3
    for key in settings:
        result = report[key]
        assert set(result['corruptions']) == {'fog', 'contrast'}
        for c in result['corruptions'].values():
            assert set(c['mAP']) == {'1', '5'}
            assert c['mPC'] == pytest.approx(np.mean(list(c['mAP'].values())))
            assert c['rPC'] == pytest.approx(c['mPC'] / result['clean_mAP'])
        assert result['mPC'] == pytest.approx(
            np.mean([c['mPC'] for c in result['corruptions'].values()])
        )
    # Contrast at severity 5 keeps 5% of it: the plain detector loses most of what it found,
    # while auto's stretch gives most of it back.
    plain = next(report[k] for k in settings if k.endswith('off'))['corruptions']['contrast']
    auto = next(report[k] for k in settings if k.endswith('auto'))['corruptions']['contrast']
    assert plain['mAP']['5'] < 0.5 * plain['mAP']['1']
    assert auto['mAP']['5'] > 2 * plain['mAP']['5']
    assert plot.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def test_eval_corruption_all_severities(tmp_path, capsys):
    out = tmp_path / 'e.json'
    assert (
        cli.main(
            ['eval', *COCO, '--limit', '2', '--corruption', 'gaussian_noise', '--json', str(out)]
        )
        == 0
    )
    report = json.loads(out.read_text())
    maps = [report['severities'][f'gaussian_noise:{s}']['mAP'] for s in range(1, 6)]
    assert report['mPC'] == pytest.approx(np.mean(maps))
    assert f'gaussian_noise: mPC (mean mAP@[.5:.95] over severities) {np.mean(maps):.3f}' in (
        capsys.readouterr().out
    )


def test_bad_corruption_arguments_are_refused(capsys):
    assert cli.main(['eval', *COCO, '--corruption', 'rain']) == 2
    assert 'unknown corruption' in capsys.readouterr().err
    assert cli.main(['robustness', *COCO, '--severities', '0,6']) == 2
    assert 'severities must be 1-5' in capsys.readouterr().err
    saved = SHARED / 'data' / 'samples' / 'none.jsonl'  # refused before anything is read
    assert cli.main(['eval', *COCO, '--predictions', str(saved), '--compare-enhance', 'off']) == 2
    assert '--compare-enhance runs the model' in capsys.readouterr().err
