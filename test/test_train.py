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

import hashlib
import json
import shutil

from conftest import read_rgb, SAMPLES
from mobilenet_ssd_ros import cli
from mobilenet_ssd_ros.core.detector import Detector
import numpy as np
import pytest

torch = pytest.importorskip('torch', reason='PyTorch is not installed (requirements/train.txt)')


@pytest.mark.parametrize('targets', ['mixed', 'dense', 'detections'])
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
    assert info['targets'] == targets and info['trained'] is True and info['alpha'] == 0.75
    assert info['sha256'] == hashlib.sha256((run / 'detect.tflite').read_bytes()).hexdigest()
    assert info['cost']['seconds'] > 0 and info['cost']['device'] == 'cpu'
    detector = Detector(run / 'detect.tflite', score_threshold=0.0)
    assert detector.input_size == (128, 128)
    assert len(detector.detect(read_rgb(SAMPLES / 'pets.jpg')).detections) > 0
    assert cli.main([*args, '--steps', '3', '--lr', '0.1']) == 2  # another run's folder
    assert 'holds a run with another configuration' in capsys.readouterr().err


def test_a_trained_model_wins_over_the_rebuild_of_its_key(tmp_path, monkeypatch, capsys):
    """The zoo finds a trained model by (alpha, resolution) before an untrained rebuild."""
    from mobilenet_ssd_ros import zoo

    cache, shipped = tmp_path / 'cache', tmp_path / 'shipped'
    monkeypatch.setenv('MOBILENET_SSD_MODEL_DIR', str(cache))
    monkeypatch.delenv('MOBILENET_SSD_MODEL_PATH', raising=False)
    assert cli.main(['zoo', 'build', '--resolution', '128', '--output', str(cache)]) == 0
    rebuilt = zoo.find(0.75, 128)
    assert not rebuilt.entry.trained
    run = shipped / 'ssd_mobilenet_v1_0.75_128_quant_coco_distilled'
    common = ['--resolution', '128', '--batch', '2', '--images', '4', '--steps', '1']
    assert cli.main(['train', *common, '--output', str(run)]) == 0
    shutil.rmtree(run / 'source')  # what a shipped model folder holds
    (run / 'checkpoint.pt').unlink()
    monkeypatch.setenv('MOBILENET_SSD_MODEL_PATH', str(shipped))  # searched after the cache
    found = zoo.find(0.75, 128)
    assert found.entry.trained and found.model_path == run / 'detect.tflite'
    assert found.labels_path == run / 'labelmap.txt'
    assert 'distilled from ssd_mobilenet_v1_1.0_quant_coco' in found.entry.description
    assert zoo.find(0.75, 300).entry is zoo.DEFAULT_ENTRY  # the release is untouched
    # A weather-trained student is a variant: found by name only, never instead of the plain one
    weather = shipped / 'weather_128'
    assert cli.main(['train', *common, '--weather', '1', '--output', str(weather)]) == 0
    assert json.loads((weather / 'model.json').read_text())['variant'] == 'weather'
    assert zoo.find(0.75, 128).model_path == run / 'detect.tflite'
    assert zoo.find(0.75, 128, variant='weather').model_path == weather / 'detect.tflite'
    with pytest.raises(zoo.ModelNotAvailableError, match="variants here: 'weather'"):
        zoo.find(0.75, 128, variant='snow')
    capsys.readouterr()
    image = str(SAMPLES / 'pets.jpg')
    assert cli.main(['detect', image, '--resolution', '128', '--variant', 'weather']) == 0
    assert 'weather_128' in capsys.readouterr().err
    capsys.readouterr()
    assert cli.main(['models']) == 0
    listing = capsys.readouterr().out
    assert 'trained  ssd_mobilenet_v1_0.75_128_quant_coco_distilled' in listing
    assert 'trained (weather) weather_128' in listing
    assert 'rebuilt  ssd_mobilenet_v1_0.75_128_quant_coco ' in listing


def test_a_device_that_is_not_there_is_refused_with_a_reason(tmp_path, capsys):
    args = ['train', '--resolution', '128', '--steps', '1', '--output', str(tmp_path / 'r')]
    if not torch.cuda.is_available():
        assert cli.main([*args, '--device', 'cuda']) == 2
        assert 'sees no CUDA device' in capsys.readouterr().err
    assert cli.main([*args, '--device', 'tpu']) == 2
    assert 'only cpu and cuda are supported' in capsys.readouterr().err


def test_weather_effects_that_cannot_apply_are_refused_before_any_work(tmp_path, capsys):
    run = tmp_path / 'r'
    args = ['train', '--resolution', '128', '--steps', '1', '--output', str(run)]
    assert cli.main([*args, '--weather', '1', '--weather-effects', 'fog,hail']) == 2
    assert 'unknown hail; known: fog, rain' in capsys.readouterr().err
    assert cli.main([*args, '--weather-effects', 'fog']) == 2
    assert 'needs --weather above 0' in capsys.readouterr().err
    assert not run.exists()


@pytest.mark.parametrize('view', ['clean', 'enhanced'])
def test_the_teacher_sees_what_teacher_view_says(tmp_path, monkeypatch, view):
    """
    --teacher-view enhanced: the teacher reads the weathered frame through enhance auto.

    With the clean frame's targets the weather students learned to call haze a car; the
    enhanced view gives targets that hold only what can still be seen.
    """
    from mobilenet_ssd_ros.training import teachers

    seen = []
    original = teachers.DenseTeacher.loss

    def spy(self, student, batch):
        seen.append((batch.cpu().numpy(), np.stack(self._images)))
        return original(self, student, batch)

    monkeypatch.setattr(teachers.DenseTeacher, 'loss', spy)
    args = ['--resolution', '128', '--batch', '2', '--images', '2', '--steps', '1']
    fog = ['--weather', '1', '--weather-effects', 'fog', '--targets', 'dense']
    run = tmp_path / view
    assert cli.main(['train', *args, *fog, '--teacher-view', view, '--output', str(run)]) == 0
    ((students, teachers_saw),) = seen
    assert teachers_saw.shape[1:3] == (300, 300)
    for student, teacher in zip(students, teachers_saw):
        expected = teachers.enhanced(student, (300, 300))
        assert not teachers.cv2.resize(student, (300, 300)).tolist() == expected.tolist()
        assert np.array_equal(teacher, expected) == (view == 'enhanced')
    assert json.loads((run / 'model.json').read_text())['teacher_view'] == view


def test_an_enhanced_teacher_view_needs_weathered_frames_and_dense_targets(tmp_path, capsys):
    args = ['train', '--resolution', '128', '--steps', '1', '--output', str(tmp_path / 'r')]
    assert cli.main([*args, '--teacher-view', 'enhanced']) == 2
    assert 'needs --weather above 0' in capsys.readouterr().err
    detections = ['--weather', '1', '--targets', 'detections']
    assert cli.main([*args, *detections, '--teacher-view', 'enhanced']) == 2
    assert 'the teacher must see the weathered frame' in capsys.readouterr().err
    assert not (tmp_path / 'r').exists()


def test_targets_from_the_uint8_teacher(tmp_path):
    run = tmp_path / 'run'
    args = ['--resolution', '128', '--batch', '2', '--images', '4', '--steps', '1']
    assert cli.main(['train', *args, '--teacher', 'uint8', '--output', str(run)]) == 0
    info = json.loads((run / 'model.json').read_text())
    assert info['teacher'] == 'uint8' and info['steps'] == 1
    assert (
        len(
            Detector(run / 'detect.tflite', score_threshold=0.0)
            .detect(read_rgb(SAMPLES / 'pets.jpg'))
            .detections
        )
        > 0
    )


def test_front_trains_only_the_first_convolutions_and_keeps_the_rest_exact(tmp_path, capsys):
    """
    --front 3: the first three convolutions learn, every later weight exports unchanged.

    Later layers keep the teacher's knowledge of the classes the pools never show.
    """
    from mobilenet_ssd_ros import zoo
    from mobilenet_ssd_ros.training.replica import Replica

    run = tmp_path / 'run'
    args = ['--resolution', '300', '--batch', '2', '--images', '4', '--steps', '2', '--lr', '0.01']
    weathered = ['--weather', '1', '--weather-effects', 'noise,fog']
    assert cli.main(['train', *args, '--front', '3', *weathered, '--output', str(run)]) == 0
    assert 'loss' in capsys.readouterr().out
    source, trained = Replica(zoo.find().model_path), Replica(run / 'detect.tflite')
    changed = [
        name
        for name, conv in source.convs.items()
        if not torch.equal(conv.weight, trained.convs[name].weight)
    ]
    assert changed and set(changed) <= {'conv0', 'conv1', 'conv2'}, changed
    info = json.loads((run / 'model.json').read_text())
    assert info['front'] == 3 and info['weather_effects'] == ['noise', 'fog']
    small = [
        '--resolution',
        '224',
        '--steps',
        '1',
        '--front',
        '3',
        '--output',
        str(tmp_path / 's'),
    ]
    assert cli.main(['train', *small]) == 2
    assert "needs the teacher's width and resolution" in capsys.readouterr().err
