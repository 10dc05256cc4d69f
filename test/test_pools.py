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

"""The training pools: sampling weights, ground truth through the crop, truth as targets."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip('torch', reason='PyTorch is not installed (requirements/train.txt)')
from mobilenet_ssd_ros import cli  # noqa: E402, I100
from mobilenet_ssd_ros.training import pools  # noqa: E402
from mobilenet_ssd_ros.training.augment import augment  # noqa: E402
from mobilenet_ssd_ros.training.targets import with_truth  # noqa: E402


def test_repeat_factors_raise_rare_classes_and_leave_common_ones():
    # 10 images: 'person' in 8, 'dog' in 1, one image empty
    classes = [frozenset({'person'})] * 8 + [frozenset({'dog'}), frozenset()]
    factors = pools.repeat_factors(classes, threshold=0.4)
    assert factors[0] == 1.0  # f = 0.8 >= 0.4: not repeated
    assert factors[8] == pytest.approx(np.sqrt(0.4 / 0.1))  # f = 0.1: sqrt(4) = 2
    assert factors[9] == 1.0  # no class: 1
    # an image with both takes the larger factor: person f = 1 -> 1, dog f = 0.5 -> sqrt(2)
    both = pools.repeat_factors([frozenset({'person', 'dog'}), frozenset({'person'})], 1.0)
    assert both.tolist() == pytest.approx([np.sqrt(2), 1.0])
    assert pools.repeat_factors(classes, 0.0).tolist() == [1.0] * 10  # 0: uniform


def test_the_sampler_draws_in_proportion_and_reports_pool_shares(tmp_path):
    files = [tmp_path / 'street' / 'images' / f'{i}.jpg' for i in range(3)] + [
        tmp_path / 'coco' / 'images' / 'rare.jpg'
    ]
    classes = [frozenset({'person'})] * 3 + [frozenset({'toaster'})]
    sampler = pools.Sampler.build(files, classes, threshold=1.0)
    # person: f 0.75 -> sqrt(1/0.75) = 1.155; toaster: f 0.25 -> 2
    expected = np.array([1.155, 1.155, 1.155, 2.0])
    assert sampler.weights == pytest.approx(expected / expected.sum(), abs=1e-3)
    assert sampler.shares() == pytest.approx(
        {'coco': 2 / 5.464, 'street': 3.464 / 5.464}, abs=1e-3
    )
    draws = sampler.draw(np.random.default_rng(0), 20000)
    assert np.mean(draws == 3) == pytest.approx(2 / 5.464, abs=0.015)


def test_a_box_follows_its_object_through_crop_and_flip():
    """Ground truth moved by Crop.boxes covers the object's pixels in the augmented image."""
    h, w = 240, 320
    frame = np.zeros((h, w, 3), np.uint8)
    frame[60:140, 200:260] = 255  # the object: rows 60-139, columns 200-259
    box = np.array([[60 / h, 200 / w, 140 / h, 260 / w]], np.float32)
    flips = set()
    for seed in range(40):
        out, crop = augment(frame, np.random.default_rng(seed))
        moved, kept = crop.boxes(box)
        rows, cols = np.nonzero(out.max(axis=2) > 90)  # jitter: object >= 153, ground <= 25
        if not kept[0]:  # mostly cut away (test below)
            continue
        flips.add(crop.flipped)
        oh, ow = out.shape[:2]
        ymin, xmin, ymax, xmax = moved[0]
        assert rows.min() == pytest.approx(ymin * oh, abs=1.01)
        assert rows.max() + 1 == pytest.approx(ymax * oh, abs=1.01)
        assert cols.min() == pytest.approx(xmin * ow, abs=1.01)
        assert cols.max() + 1 == pytest.approx(xmax * ow, abs=1.01)
    assert flips == {True, False}  # both ways were checked, on kept boxes


def test_without_crop_the_whole_frame_is_kept_and_boxes_only_flip():
    """--fog-crop off: the frame keeps every pixel row and column; a box moves only by the flip."""
    frame = np.random.default_rng(5).integers(0, 256, size=(90, 160, 3), dtype=np.uint8)
    box = np.array([[0.2, 0.1, 0.6, 0.3]], np.float32)
    flips = set()
    for seed in range(12):
        out, crop = augment(frame, np.random.default_rng(seed), crop=False)
        assert out.shape == frame.shape
        assert (crop.top, crop.left, crop.height, crop.width) == (0.0, 0.0, 1.0, 1.0)
        moved, kept = crop.boxes(box)
        expected = [0.2, 0.7, 0.6, 0.9] if crop.flipped else [0.2, 0.1, 0.6, 0.3]
        assert kept[0] and moved[0].tolist() == pytest.approx(expected)
        flips.add(crop.flipped)
    assert flips == {True, False}


def test_a_box_mostly_cut_away_is_dropped():
    crop = augment(np.zeros((100, 100, 3), np.uint8), np.random.default_rng(0))[1]
    crop = type(crop)(top=0.0, left=0.0, height=0.5, width=0.5, flipped=False)
    boxes = np.array([[0.1, 0.1, 0.3, 0.3], [0.4, 0.4, 0.8, 0.8]], np.float32)
    moved, kept = crop.boxes(boxes)
    assert kept.tolist() == [True, False]  # the second has a sixteenth of its area inside
    assert moved[0].tolist() == pytest.approx([0.2, 0.2, 0.6, 0.6])


def test_ground_truth_replaces_the_teachers_detection_of_the_same_object():
    boxes = torch.tensor([[0.1, 0.1, 0.5, 0.5], [0.1, 0.1, 0.5, 0.5], [0.6, 0.6, 0.9, 0.9]])
    classes = torch.tensor([0, 17, 0])
    scores = torch.tensor([0.7, 0.6, 0.8])
    truth = torch.tensor([[0.12, 0.1, 0.5, 0.52], [0.0, 0.6, 0.2, 0.9]])
    merged = with_truth(boxes, classes, scores, truth, torch.tensor([0, 2]))
    # the person box the truth covers goes; the dog at the same place and the other person stay
    assert merged[1].tolist() == [17, 0, 0, 2]
    assert merged[2].tolist() == pytest.approx([0.6, 0.8, 1.0, 1.0])
    assert torch.equal(merged[0][2:], truth)
    empty = with_truth(boxes, classes, scores, torch.zeros(0, 4), torch.zeros(0, dtype=torch.long))
    assert empty[1].tolist() == [0, 17, 0]


def test_coco_truth_maps_to_the_models_class_ids():
    from mobilenet_ssd_ros import zoo
    from mobilenet_ssd_ros.core.labels import LabelMap

    labels = LabelMap.from_file(zoo.find().labels_path)
    truth = pools.ground_truth(('coco128_train2017',))
    assert len(truth) == 128
    sample = next(s for s in truth.values() if s.objects)
    truth = pools.truth_boxes(sample, labels)
    boxes, ids = truth.boxes, truth.classes
    assert len(ids) == len(sample.objects)  # every COCO class has a model id
    assert [labels[int(i)] for i in ids] == [o.label for o in sample.objects]
    assert ((boxes >= 0) & (boxes <= 1)).all() and (boxes[:, 2:] > boxes[:, :2]).all()


def test_a_run_on_a_pool_with_boxes_learns_them_and_says_so(tmp_path, capsys):
    run = tmp_path / 'run'
    args = ['train', '--resolution', '128', '--batch', '2', '--images', '3', '--steps', '1']
    assert cli.main([*args, '--pools', 'coco128_train2017', '--output', str(run)]) == 0
    out = capsys.readouterr().out
    assert 'draws per pool: coco128_train2017 100.0%; ground truth for 3 images' in out
    info = json.loads((run / 'model.json').read_text())
    assert info['training_pools'] == ['coco128_train2017'] == info['ground_truth']
    assert 'CC BY 4.0' in info['pool_licences']['coco128_train2017']
    cached = json.loads((run / pools.CLASSES_FILE).read_text())
    assert len(cached) == 3 and all(
        Path(p).parent.parent.name == 'coco128_train2017' for p in cached
    )
    assert cli.main([*args, '--pools', 'nope', '--output', str(tmp_path / 'x')]) == 2
    assert 'unknown training pool nope' in capsys.readouterr().err


def test_complete_classes_take_the_truth_alone():
    """DAWN labels all of its six classes: a teacher detection no box confirms is background."""
    boxes = torch.tensor([[0.1, 0.1, 0.5, 0.5], [0.6, 0.6, 0.9, 0.9], [0.6, 0.1, 0.9, 0.4]])
    classes = torch.tensor([2, 2, 17])  # car (confirmed), car (not), dog (not a DAWN class)
    scores = torch.tensor([0.7, 0.6, 0.8])
    truth = torch.tensor([[0.1, 0.1, 0.5, 0.52]])
    merged = with_truth(
        boxes, classes, scores, truth, torch.tensor([2]), complete=torch.tensor([0, 1, 2, 3])
    )
    assert merged[1].tolist() == [17, 2]  # the dog stays, the unconfirmed car goes
    assert merged[2].tolist() == pytest.approx([0.8, 1.0])


def test_fog_images_take_dawns_six_classes_or_every_class_as_complete():
    """With 'all', an unconfirmed teacher detection of any class is background on fog."""
    from conftest import MODEL_DIR
    from mobilenet_ssd_ros.core.labels import LabelMap

    labels = LabelMap.from_file(MODEL_DIR / 'labelmap.txt')
    dawn = pools.fog_truth(labels, 'dawn')
    every = pools.fog_truth(labels, 'all')
    assert len(dawn) == len(every) == 100
    image, truth = next(iter(every.items()))
    assert sorted(labels[int(c)] for c in dawn[image].complete) == sorted(pools.FOG_CLASSES)
    assert set(truth.complete.tolist()) == set(labels)  # every class the model names
    assert np.array_equal(truth.boxes, dawn[image].boxes)  # the same boxes either way
    light = labels.ids_for(['traffic light'])
    box, light_class = torch.tensor([[0.6, 0.1, 0.9, 0.4]]), torch.tensor([*light])
    no_truth = torch.zeros(0, 4), torch.zeros(0, dtype=torch.long)
    for kind, kept in ((dawn, [*light]), (every, [])):  # an unconfirmed traffic light
        complete = torch.from_numpy(kind[image].complete)
        merged = with_truth(box, light_class, torch.tensor([0.8]), *no_truth, complete)
        assert merged[1].tolist() == kept
    with pytest.raises(ValueError, match='dawn, all'):
        pools.fog_truth(labels, 'some')


def test_mixed_targets_of_a_complete_class_are_the_matched_boxes_only():
    from mobilenet_ssd_ros.training.targets import mixed_loss, Targets

    anchors, classes = 4, 3
    teacher = torch.full((1, anchors, classes), 0.6)  # the teacher sees something everywhere
    matched = Targets(
        torch.zeros(anchors, 4), torch.zeros(anchors, classes), torch.zeros(anchors, dtype=bool)
    )
    matched.scores[1, 0] = 1.0  # one true box of class 0 at anchor 1
    matched.matched[1] = True
    logits = torch.zeros(1, anchors, classes + 1, requires_grad=True)
    mixed_loss(
        torch.zeros(1, anchors, 4),
        logits,
        teacher,
        torch.arange(anchors),
        [matched],
        [torch.tensor([0])],
    )[0].backward()
    pulled_down = logits.grad[0, :, 1] > 0  # d(BCE)/d(logit) > 0: the target is below 0.5
    assert pulled_down.tolist() == [True, False, True, True]  # class 0: background but anchor 1
    assert (logits.grad[0, :, 2] < 0).all()  # class 1 is not complete: the teacher's 0.6


def test_fog_folds_are_a_seeded_partition_of_the_set():
    folds = pools.fog_folds(seed=0, folds=5)
    names = [p.name for fold in folds for p in fold]
    assert [len(f) for f in folds] == [20] * 5 and len(set(names)) == 100
    assert folds == pools.fog_folds(seed=0, folds=5)
    assert folds != pools.fog_folds(seed=1, folds=5)


def test_a_fog_fold_run_records_its_folds_and_never_sees_its_held_out_images(tmp_path, capsys):
    run = tmp_path / 'fold2'
    args = ['train', '--resolution', '128', '--batch', '2', '--images', '2', '--steps', '1']
    fog = ['--fog-folds', '5', '--fog-fold', '2', '--fog-share', '0.5', '--output', str(run)]
    assert cli.main([*args, *fog]) == 0
    info = json.loads((run / 'model.json').read_text())
    held = set(info['fog_held_out_images'])
    assert info['variant'] == 'weather' and info['fog_fold_held_out'] == 2
    assert held == {p.name for p in pools.fog_folds(0, 5)[2]}
    assert (
        info['pool_shares']['dawn_fog_dev'] == 0.5
        and 'DAWN' in info['pool_licences']['dawn_fog_dev']
    )
    from mobilenet_ssd_ros.training import train as training

    config = training.TrainConfig(128, fog_folds=5, fog_fold=2, fog_share=0.5)
    assert not held & {p.name for p in training.fog_images(config)}
    assert (
        cli.main([*args, '--fog-folds', '5', '--fog-fold', '5', '--output', str(tmp_path / 'x')])
        == 2
    )
    assert 'held-out fold from 0 to folds - 1' in capsys.readouterr().err
    assert cli.main([*args, '--fog-enhance', 'auto', '--output', str(tmp_path / 'y')]) == 2
    assert '--fog-crop need --fog-folds' in capsys.readouterr().err
    assert cli.main([*args, '--fog-complete', 'all', '--output', str(tmp_path / 'z')]) == 2
    assert 'need --fog-folds' in capsys.readouterr().err
    assert info['fog_complete'] == 'dawn'  # the default: DAWN's six classes
    every = tmp_path / 'every'
    assert cli.main([*args, *fog[:-1], str(every), '--fog-complete', 'all']) == 0
    assert json.loads((every / 'model.json').read_text())['fog_complete'] == 'all'
    assert info['enhance'] == info['fog_enhance'] == 'off'  # what the node runs it with
    assert info['fog_crop'] == 'random'  # the default: cut as every training image
    assert cli.main([*args, '--fog-crop', 'off', '--output', str(tmp_path / 'c')]) == 2
    assert '--fog-crop need --fog-folds' in capsys.readouterr().err


def test_fog_crop_off_trains_on_whole_fog_frames_only(tmp_path, monkeypatch):
    """With --fog-crop off the fog images reach the student whole; the pools' are still cut."""
    from mobilenet_ssd_ros.training import train as training

    seen = []  # (a fog frame?, cropped?) per image drawn
    read = []  # the path of the image read last: the one augment() gets next

    def reading(path):
        read.append(path)
        return pools.read_rgb(path)

    def recording(rgb, rng, crop=True):
        seen.append((pools.FOG in Path(read[-1]).parts, crop))
        return augment(rgb, rng, crop)

    monkeypatch.setattr(training, 'read_rgb', reading)
    monkeypatch.setattr(training, 'augment', recording)
    args = ['train', '--resolution', '128', '--batch', '8', '--images', '4', '--steps', '1']
    fog = ['--fog-folds', '5', '--fog-fold', '0', '--fog-share', '0.5']
    run = tmp_path / 'whole'
    assert cli.main([*args, *fog, '--fog-crop', 'off', '--output', str(run)]) == 0
    assert json.loads((run / 'model.json').read_text())['fog_crop'] == 'off'
    whole = [cropped for fog_frame, cropped in seen if fog_frame]
    assert whole and not any(whole)  # some fog images drawn, none of them cut
    assert all(cropped for fog_frame, cropped in seen if not fog_frame)
    seen.clear()
    assert cli.main([*args, *fog, '--output', str(tmp_path / 'cut')]) == 0
    assert all(cropped for _, cropped in seen)  # the default cuts every image
