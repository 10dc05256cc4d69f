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

"""A student of another width: classifier backbone, teacher heads, adapters folded at export."""

from __future__ import annotations

import json

from conftest import read_rgb, SAMPLES, SHARED
import cv2
from mobilenet_ssd_ros import cli, zoo
from mobilenet_ssd_ros.core.detector import Detector
from mobilenet_ssd_ros.zoo.graph import graph_stats
import numpy as np
import pytest

torch = pytest.importorskip('torch', reason='PyTorch is not installed (requirements/train.txt)')
from mobilenet_ssd_ros.training import width  # noqa: E402, I100
from mobilenet_ssd_ros.training.replica import adapted_key, Replica  # noqa: E402
from test_replica import _export_and_run, _exported_outputs  # noqa: E402

POOL = sorted((SHARED / 'data' / 'train_pool').glob('*/images/*.jpg'))


@pytest.fixture(scope='module')
def narrowed():
    """Give the release's graph the 0.5 ImageNet backbone; fit its adapters on pool images."""
    source = zoo.find().model_path
    student, teacher = Replica(source).eval(), Replica(source).eval()
    taps = width.narrow(student, width.classifier_path(0.5))
    images = [cv2.resize(read_rgb(p), student.input_size[::-1]) for p in POOL[::37][:48]]
    return student, teacher, taps, width.fit_adapters(student, teacher, images)


def test_the_backbone_is_the_classifiers_and_the_heads_read_it_through_adapters(narrowed):
    student, teacher, taps, explained = narrowed
    assert student.convs['conv0'].weight.shape[0] == 16  # 32 x 0.5
    assert teacher.convs['conv0'].weight.shape[0] == 24  # the teacher stays 0.75
    assert len(taps) == 2  # layers 11 and 13, as the SSD heads read them
    for tap in taps:
        adapter = student.adapters[str(tap)]
        assert adapter.weight.shape[:2] == (
            teacher.convs[next(s.module for s in teacher.steps if s.output == tap)].weight.shape[
                0
            ],
            student.convs[next(s.module for s in student.steps if s.output == tap)].weight.shape[
                0
            ],
        )
        # least squares on 48 images: the student's features explain the teacher's in part
        assert 0.3 < explained[tap] < 1.0, explained
    for held_out in (POOL[7], POOL[1001]):  # street frames the fit did not see
        image = torch.from_numpy(cv2.resize(read_rgb(held_out), (300, 300))[None])
        mine, theirs = {}, {}
        with torch.no_grad():
            student(image, keep=mine)
            teacher(image, keep=theirs)
            fitted = float(width.feature_loss(student, mine, theirs))
        # a hard baseline: each of the teacher's channels guessed by its mean over this image
        flat = np.mean([float(theirs[t].var(dim=(0, 2, 3), unbiased=False).mean()) for t in taps])
        assert fitted < 0.9 * flat, (held_out.name, fitted, flat)
    assert all(mine[adapted_key(t)].shape == theirs[t].shape for t in taps)


def test_folding_the_adapters_changes_nothing_and_the_export_computes_the_student(
    narrowed, tmp_path
):
    import copy

    student = copy.deepcopy(narrowed[0])
    image = torch.from_numpy(cv2.resize(read_rgb(SAMPLES / 'pets.jpg'), (300, 300))[None])
    with torch.no_grad():
        adapted = student(image)
        width.fold_adapters(student)
        folded = student(image)
    assert not len(student.adapters) and not student.adapter_of
    for a, b in zip(adapted, folded, strict=True):
        assert float((a - b).abs().max()) < 1e-3 * max(float(a.abs().max()), 1.0)
    student.fake_quantize()
    image, interpreter = _export_and_run(student, tmp_path)
    with torch.no_grad():
        outputs = student(torch.from_numpy(image[None]))
    for mine, exported, step in _exported_outputs(interpreter, student, outputs):
        assert np.abs(mine - exported).mean() < 1.0 * step
    path = tmp_path / 'detect.tflite'
    stats, release = graph_stats(path), graph_stats(zoo.find().model_path)
    assert stats.width_multiplier == 0.5
    assert stats.macs < 0.6 * release.macs
    labels = zoo.find().labels_path
    assert (
        Detector(path, labels=labels, score_threshold=0.0)
        .detect(read_rgb(SAMPLES / 'pets.jpg'))
        .detections
    )


def test_export_refuses_adapters_not_folded(narrowed, tmp_path):
    from mobilenet_ssd_ros.training.export import export

    with pytest.raises(ValueError, match='fold them first'):
        export(narrowed[0], [], tmp_path / 'detect.tflite')


def test_train_a_narrower_student_from_the_cli(tmp_path, capsys):
    run = tmp_path / 'models' / 'narrow'
    args = ['train', '--resolution', '128', '--width', '0.5', '--batch', '2', '--images', '4']
    assert cli.main([*args, '--steps', '1', '--output', str(run)]) == 0
    out = capsys.readouterr().out
    assert 'adapters fitted: map 97: R^2' in out and ' features ' in out
    first = torch.load(run / 'checkpoint.pt', weights_only=False)['model']
    assert cli.main([*args, '--steps', '2', '--output', str(run)]) == 0  # resumed: narrowed
    out = capsys.readouterr().out  # shapes load, the checkpoint's adapters are kept
    assert 'resumed at step 1 of 2' in out and 'adapters fitted' not in out
    last = torch.load(run / 'checkpoint.pt', weights_only=False)['model']
    assert (
        last['adapters.97.weight'].shape == first['adapters.97.weight'].shape == (384, 256, 1, 1)
    )
    assert not torch.equal(last['adapters.97.weight'], first['adapters.97.weight'])
    info = json.loads((run / 'model.json').read_text())
    assert info['alpha'] == 0.5 and info['resolution'] == 128
    assert info['name'] == 'ssd_mobilenet_v1_0.5_128_quant_coco_distilled'
    assert 'mobilenet_v1_0.5_160_quant.tflite' in info['student_start']
    found = zoo.find(0.5, 128, extra_dirs=[tmp_path / 'models'])
    assert found.entry.trained and found.model_path == run / 'detect.tflite'
    assert Detector(found.model_path).input_size == (128, 128)


def test_widths_that_cannot_be_made_are_refused_with_a_reason(tmp_path, capsys):
    common = ['train', '--resolution', '128', '--steps', '1', '--images', '2', '--batch', '1']
    assert cli.main([*common, '--width', '1.0', '--output', str(tmp_path / 'a')]) == 2
    err = capsys.readouterr().err
    assert 'no ImageNet MobileNetV1 classifier of width 1' in err
    assert 'mobilenet_v1_0.5_160_quant.tflite' in err  # what is there instead
    uint8 = ['--width', '0.5', '--teacher', 'uint8', '--output', str(tmp_path / 'b')]
    assert cli.main([*common, *uint8]) == 2
    assert 'only the float teacher shows' in capsys.readouterr().err
