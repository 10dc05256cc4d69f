"""Every trained model this package ships: it loads, keeps its key, and detects."""

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

import hashlib

from conftest import MODEL_DIR, read_rgb, REPO, SAMPLES
from mobilenet_ssd_ros import zoo
from mobilenet_ssd_ros.core.detector import Detector
from mobilenet_ssd_ros.zoo.graph import graph_stats
import pytest

SHIPPED = sorted(p.parent for p in (REPO / 'models').glob('*/model.json'))
DEV_SETS = ('coco128_val2017', 'dawn_fog_dev', 'pennfudan_dev')


@pytest.mark.parametrize('folder', SHIPPED, ids=lambda p: p.name)
def test_a_shipped_model_loads_keeps_its_key_and_finds_the_two_dogs(folder, monkeypatch, tmp_path):
    monkeypatch.setenv('MOBILENET_SSD_MODEL_DIR', str(tmp_path / 'empty-cache'))
    monkeypatch.delenv('MOBILENET_SSD_MODEL_PATH', raising=False)
    info = zoo.ModelMetadata.read(folder)
    model = folder / info.model_file
    assert hashlib.sha256(model.read_bytes()).hexdigest() == info.sha256
    assert graph_stats(model).width_multiplier == info.alpha  # its key, measured
    found = zoo.find(info.alpha, info.resolution, variant=info.variant)
    # The zoo's pick for its key (a rebuild never wins) is this model: the checkout's file, or
    # its copy in an install's share directory, which a sourced install puts first.
    assert found.entry.name == folder.name
    assert hashlib.sha256(found.model_path.read_bytes()).hexdigest() == info.sha256
    detector = Detector(model, labels=found.labels_path, score_threshold=0.3)
    assert detector.input_size == (info.resolution, info.resolution)
    pets = read_rgb(SAMPLES / 'pets.jpg')
    dogs = Detector(MODEL_DIR / 'detect.tflite', score_threshold=0.5).detect(pets).detections
    assert [d.label for d in dogs] == ['dog', 'dog']  # the release's two dogs
    found_here = detector.detect(pets).detections
    best = [max(found_here, key=lambda d: d.bbox.iou(dog.bbox)) for dog in dogs]
    assert all(b.bbox.iou(dog.bbox) >= 0.5 for b, dog in zip(best, dogs)), found_here
    # What they are called: at 224 a dog and a horse (the 224 rebuild says the same), below
    # 192 px persons (so does the 160 rebuild); docs/TRAINING.md.
    assert ('dog' in {b.label for b in best}) == (info.resolution >= 192), best


@pytest.mark.parametrize('folder', SHIPPED, ids=lambda p: p.name)
def test_a_shipped_model_says_what_it_saw_and_how_it_measured(folder):
    """model.json: pools (with their licences), cost, and the three dev mAPs with intervals."""
    info = zoo.ModelMetadata.read(folder)
    details = info.details
    assert info.trained and details['training_pools'] and details['cost']['seconds'] > 0
    assert set(details['pool_licences']) == set(details['training_pools'])
    for name in DEV_SETS:
        result = details['eval'][name]
        low, high = result['change_interval']
        assert 0 <= result['mAP'] <= 1 and low <= result['change'] <= high, (name, result)


def test_the_shipped_models_met_the_ship_rule():
    """Against the rebuild of their key: no dev set surely worse, at least one surely better."""
    for folder in SHIPPED:
        evals = zoo.ModelMetadata.read(folder).details['eval']
        intervals = [evals[name]['change_interval'] for name in DEV_SETS]
        assert all(high >= 0 for _, high in intervals), (folder.name, intervals)
        assert any(low > 0 for low, _ in intervals), (folder.name, intervals)
