"""Out-of-fold predictions: each image by the fold model that held it out, alone or as auto."""

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

import json
import shutil

from conftest import read_rgb, REPO, SHARED
import cv2
from mobilenet_ssd_ros import zoo
from mobilenet_ssd_ros.core.enhance import measure
from mobilenet_ssd_ros.core.fog_switch import SwitchRule
from mobilenet_ssd_ros.offline import folds
from mobilenet_ssd_ros.offline.datasets import Sample
import pytest

FOG = sorted((SHARED / 'data' / 'dawn_fog_dev' / 'images').iterdir())
CLEAR = sorted((SHARED / 'data' / 'pennfudan_dev' / 'PNGImages').iterdir())
# Two models that really differ: the shipped 160 and 224 students stand in for fold models.
STUDENTS = [
    REPO / 'models' / f'ssd_mobilenet_v1_0.75_{r}_quant_coco_distilled' for r in (160, 224)
]


def foggy(path) -> bool:
    """Return what variant auto decides for one image by its own look."""
    small = cv2.resize(read_rgb(path), (300, 300), interpolation=cv2.INTER_LINEAR)
    return SwitchRule().enter(measure(small))


def sample(path) -> Sample:
    height, width = read_rgb(path).shape[:2]
    return Sample(path, width, height, ())


@pytest.fixture
def split(tmp_path):
    """Four images (a foggy and a clear one per fold), two fold runs of one 2-fold split."""
    fog = [p for p in FOG if foggy(p)][:2]
    clear = [p for p in CLEAR if not foggy(p)][:2]
    samples = [sample(p) for p in fog + clear]
    held = [[fog[0].name, clear[0].name], [fog[1].name, clear[1].name]]
    runs = []
    for k, student in enumerate(STUDENTS):
        run = tmp_path / f'fold_{k}'
        shutil.copytree(student, run)
        info = json.loads((run / 'model.json').read_text())
        info.update(
            fog_folds=2, fog_seed=0, fog_fold_held_out=k, fog_folds_images=held,
            fog_held_out_images=held[k], enhance='stretch',
        )
        (run / 'model.json').write_text(json.dumps(info))
        runs.append(run)
    return samples, runs, held


def detections(model_path, image, enhance):
    detector = zoo.open_detector(model=str(model_path), score_threshold=0.0, enhance=enhance)
    return detector.detect(read_rgb(image)).detections


def test_each_image_is_predicted_by_the_fold_that_held_it_out(split):
    samples, runs, held = split
    predictions = folds.out_of_fold(folds.read_fold_runs(runs, samples), samples, folds.alone)
    assert sorted(predictions) == sorted(s.image_path.name for s in samples)
    by_name = {s.image_path.name: s.image_path for s in samples}
    for k, names in enumerate(held):
        for name in names:
            own = detections(runs[k] / 'detect.tflite', by_name[name], 'stretch')
            other = detections(runs[1 - k] / 'detect.tflite', by_name[name], 'stretch')
            assert predictions[name] == own  # with the enhancement its model.json names
            assert own != other  # (so that the fold that ran is really told apart)


def test_auto_runs_the_fold_model_only_where_the_image_looks_foggy(split):
    samples, runs, held = split
    read = folds.read_fold_runs(runs, samples)
    predictions = folds.out_of_fold(read, samples, folds.auto)
    by_name = {s.image_path.name: s.image_path for s in samples}
    for k, (fog_name, clear_name) in enumerate(held):
        fold_model = runs[k] / 'detect.tflite'
        plain = zoo.find(0.75, read[k].info.resolution).model_path  # the key's plain model
        assert predictions[fog_name] == detections(fold_model, by_name[fog_name], 'stretch')
        assert predictions[fog_name] != detections(plain, by_name[fog_name], 'off')
        assert predictions[clear_name] == detections(plain, by_name[clear_name], 'off')
        assert predictions[clear_name] != detections(fold_model, by_name[clear_name], 'stretch')


def _edit(run, **changes):
    info = json.loads((run / 'model.json').read_text())
    info.update(changes)
    (run / 'model.json').write_text(json.dumps(info))


@pytest.mark.parametrize(
    'change, message',
    [
        (lambda runs: _edit(runs[1], fog_seed=1), 'different fold splits'),
        (lambda runs: _edit(runs[1], fog_fold_held_out=0), r'held out once, got \[0, 0\]'),
        (lambda runs: runs.pop(), r'held out once, got \[0\]'),
    ],
)
def test_runs_that_are_not_one_complete_split_are_refused(split, change, message):
    samples, runs, _ = split
    change(runs)
    with pytest.raises(folds.FoldError, match=message):
        folds.read_fold_runs(runs, samples)


def test_folds_must_cover_the_data_set(split):
    samples, runs, _ = split
    with pytest.raises(folds.FoldError, match='do not cover'):
        folds.read_fold_runs(runs, samples[:3])


def test_a_run_without_folds_is_refused_with_its_folder(split, tmp_path):
    samples, runs, _ = split
    plain = tmp_path / 'plain'
    shutil.copytree(STUDENTS[0], plain)
    with pytest.raises(folds.FoldError, match='plain: not a k-fold run'):
        folds.read_fold_runs([plain, runs[1]], samples)
