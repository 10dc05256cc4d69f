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

"""A tiny distillation run end to end: train, stop, resume, export, detect."""

from __future__ import annotations

import json

from conftest import read_rgb, SAMPLES
from mobilenet_ssd_ros import cli
from mobilenet_ssd_ros.core.detector import Detector
import pytest

torch = pytest.importorskip('torch', reason='PyTorch is not installed (requirements/train.txt)')


@pytest.mark.parametrize('targets', ['dense', 'detections'])
def test_train_resume_export_detect(tmp_path, capsys, targets):
    run = tmp_path / 'run'
    args = [
        'train',
        '--resolution',
        '128',
        '--batch',
        '2',
        '--images',
        '6',
        '--output',
        str(run),
        '--checkpoint-every',
        '2',
        '--targets',
        targets,
    ]
    assert cli.main([*args, '--steps', '2']) == 0
    first = torch.load(run / 'checkpoint.pt', weights_only=False)
    assert first['step'] == 2
    capsys.readouterr()
    assert cli.main([*args, '--steps', '3']) == 0  # the same run, continued
    out = capsys.readouterr().out
    assert 'resumed at step 2 of 3' in out and 'step 3/3 loss' in out
    last = torch.load(run / 'checkpoint.pt', weights_only=False)
    assert last['step'] == 3
    changed = [k for k in first['model'] if not torch.equal(first['model'][k], last['model'][k])]
    assert changed  # the third step trained
    info = json.loads((run / 'model.json').read_text())
    assert info['resolution'] == 128 and info['steps'] == 3 and info['training_pools']
    assert info['targets'] == targets
    detector = Detector(run / 'detect.tflite', score_threshold=0.0)
    assert detector.input_size == (128, 128)
    assert len(detector.detect(read_rgb(SAMPLES / 'pets.jpg'))) > 0
    assert cli.main([*args, '--steps', '3', '--lr', '0.1']) == 2  # another run's folder
    assert 'holds a run with another configuration' in capsys.readouterr().err
