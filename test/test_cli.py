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

"""The mobilenet-ssd command line as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from conftest import available_here, SAMPLES
import cv2
from mobilenet_ssd_ros import cli
import pytest


def test_detect_json_and_annotations(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            '-m',
            'mobilenet_ssd_ros',
            'detect',
            str(SAMPLES),
            '--json',
            '--annotate',
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    records = {os.path.basename(r['image']): r for r in map(json.loads, out.stdout.splitlines())}
    assert len(records) == 10
    assert 'person' in {d['label'] for d in records['grace_hopper.bmp']['detections']}
    assert {d['label'] for d in records['pets.jpg']['detections']} == {'dog'}
    assert all(d['score'] >= 0.5 for r in records.values() for d in r['detections'])
    assert 'detect/invoke' in out.stderr
    annotated = cv2.imread(str(tmp_path / 'pets.jpg'))
    assert annotated.shape == (430, 512, 3)
    assert not (annotated == cv2.imread(str(SAMPLES / 'pets.jpg'))).all()


def test_detect_text_output_with_filters(capsys):
    assert (
        cli.main(
            ['detect', str(SAMPLES / 'grace_hopper.bmp'), '--classes', 'tie', '--threshold', '0.4']
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith('grace_hopper.bmp: 2 detection(s)')
    assert all(line.split()[0] == 'tie' for line in lines[1:])


def test_errors_are_reported_with_exit_codes(tmp_path, capsys):
    assert (
        cli.main(['detect', str(SAMPLES / 'cat.bmp'), '--model', str(tmp_path / 'none.tflite')])
        == 2
    )
    assert 'none.tflite: model file not found' in capsys.readouterr().err
    assert cli.main(['detect', str(SAMPLES / 'cat.bmp'), '--classes', 'kat']) == 2
    assert "unknown label(s) 'kat'" in capsys.readouterr().err
    assert cli.main(['detect', str(SAMPLES / 'cat.bmp'), '--alpha', '0.25']) == 2
    err = capsys.readouterr().err
    here = available_here()
    assert f'no model (alpha 0.25, resolution 300) on this machine; available here: {here}' in err
    assert 'no model of width 0.25 is known' in err
    broken = tmp_path / 'broken.jpg'
    broken.write_bytes(b'\xff\xd8\xff\xe0 not really a jpeg')
    assert cli.main(['detect', str(broken), str(SAMPLES / 'cat.bmp')]) == 1
    captured = capsys.readouterr()
    assert 'broken.jpg: not a readable image' in captured.err and 'cat.bmp: ' in captured.out


def test_models_lists_the_zoo_by_measured_width(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv('MOBILENET_SSD_MODEL_DIR', str(tmp_path / 'cache'))
    assert cli.main(['models']) == 0
    lines = capsys.readouterr().out.splitlines()
    release = next(line for line in lines if 'ssd_mobilenet_v1_1.0_quant_coco' in line)
    assert release.startswith('(alpha 0.75, resolution 300)') and release.endswith('detect.tflite')
    coral = next(line for line in lines if 'ssd_mobilenet_v1_coco_quant_postprocess' in line)
    assert coral.startswith('(alpha 1, resolution 300)') and 'not on this machine' in coral
    assert lines[-1] == f'available here: {available_here()}'


def test_models_fails_when_the_default_model_is_missing(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv('MOBILENET_SSD_MODEL_DIR', str(tmp_path / 'cache'))
    monkeypatch.delenv('MOBILENET_SSD_SHARED_DIR')
    assert cli.main(['models']) == 1
    captured = capsys.readouterr()
    assert f'available here: {available_here(release=False)}' in captured.out
    assert (
        'the default model ssd_mobilenet_v1_1.0_quant_coco is not on this machine' in captured.err
    )


@pytest.mark.skipif(
    shutil.which('mobilenet-ssd') is None,
    reason='no mobilenet-ssd console script on PATH: pip installs one (the development venv '
    'has it), a colcon install has none (ros2 run mobilenet_ssd_ros mobilenet-ssd)',
)
def test_console_script_is_installed():
    script = shutil.which('mobilenet-ssd')
    out = subprocess.run([script, '--help'], capture_output=True, text=True, check=True).stdout
    assert 'detect' in out and 'eval' in out and 'models' in out
