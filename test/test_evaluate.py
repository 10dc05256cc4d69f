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

"""mAP with pycocotools on datasets whose answer is known exactly, and the loaders."""

from __future__ import annotations

import json
import re

from conftest import SHARED
import cv2
from mobilenet_ssd_ros import cli
from mobilenet_ssd_ros.core.detection import BBox
from mobilenet_ssd_ros.offline.datasets import DatasetError, load_dataset
import numpy as np
import pytest

COCO80 = (SHARED / 'data' / 'coco128_val2017' / 'names.yaml').read_text()


def make_yolo(root, images: dict[str, list[tuple[int, BBox]]], size=(200, 200)):
    """Write a YOLO dataset with blank images and the given (class index, pixel box) labels."""
    (root / 'images').mkdir(parents=True)
    (root / 'labels').mkdir()
    (root / 'names.yaml').write_text(COCO80)
    w, h = size
    for name, objects in images.items():
        cv2.imwrite(str(root / 'images' / f'{name}.png'), np.zeros((h, w, 3), np.uint8))
        lines = [
            f'{c} {(b.xmin + b.xmax) / 2 / w} {(b.ymin + b.ymax) / 2 / h} {b.width / w} '
            f'{b.height / h}'
            for c, b in objects
        ]
        (root / 'labels' / f'{name}.txt').write_text('\n'.join(lines))
    return root


def write_predictions(path, images: dict[str, list[tuple[str, float, BBox]]]):
    with open(path, 'w') as f:
        for name, dets in images.items():
            f.write(
                json.dumps(
                    {
                        'image': f'/anywhere/{name}.png',
                        'detections': [
                            {
                                'label': label,
                                'score': score,
                                'bbox': [b.xmin, b.ymin, b.xmax, b.ymax],
                            }
                            for label, score, b in dets
                        ],
                    }
                )
                + '\n'
            )
    return path


def run_eval(capsys, *args) -> dict:
    assert cli.main(['eval', *args]) == 0
    out = capsys.readouterr().out
    m = re.search(r'mAP@\[\.5:\.95\] ([\d.]+)\s+mAP@\.5 ([\d.]+)\s+mAP@\.75 ([\d.]+)', out)
    per_class = {
        n: float(ap)
        for n, ap in re.findall(r'^(\w[\w ]*?)\s+([\d.]+)\s+[\d.]+\s+\d+\s+\d+$', out, re.M)
    }
    return {
        'map': float(m.group(1)),
        'map50': float(m.group(2)),
        'map75': float(m.group(3)),
        'per_class': per_class,
    }


def test_perfect_predictions_score_one(tmp_path, capsys):
    person, car, sign = BBox(10, 20, 60, 120), BBox(100, 100, 180, 150), BBox(5, 5, 40, 40)
    root = make_yolo(
        tmp_path / 'ds', {'a': [(0, person)], 'b': [(2, car), (0, person)], 'c': [(11, sign)]}
    )
    # Model labels/ids: `stop sign` is model class 12 but YOLO class 11; matched by name.
    preds = write_predictions(
        tmp_path / 'p.jsonl',
        {
            'a': [('person', 0.9, person)],
            'b': [('car', 0.8, car), ('person', 0.7, person)],
            'c': [('stop sign', 0.6, sign)],
        },
    )
    result = run_eval(
        capsys, '--dataset', str(root), '--format', 'yolo', '--predictions', str(preds)
    )
    assert result['map'] == pytest.approx(1.0) and result['map50'] == pytest.approx(1.0)
    assert result['per_class'] == {'person': 1.0, 'car': 1.0, 'stop sign': 1.0}


def test_shifted_box_scores_what_pycocotools_must_report(tmp_path, capsys):
    """
    The IoU of a 100x100 box shifted by 10 px is 90/110 = 0.818.

    A hit at the IoU thresholds 0.50..0.80 (7 of 10), a miss at 0.85..0.95 -> mAP 0.7, mAP@.5 1.0.
    """
    gt = BBox(20, 20, 120, 120)
    root = make_yolo(tmp_path / 'ds', {'a': [(0, gt)]})
    preds = write_predictions(
        tmp_path / 'p.jsonl', {'a': [('person', 0.9, BBox(30, 20, 130, 120))]}
    )
    result = run_eval(
        capsys, '--dataset', str(root), '--format', 'coco128', '--predictions', str(preds)
    )
    assert result['map'] == pytest.approx(0.7, abs=1e-3)
    assert result['map50'] == pytest.approx(1.0) and result['map75'] == pytest.approx(1.0)


def test_missed_objects_and_false_positives_lower_the_score(tmp_path, capsys):
    a, b = BBox(10, 10, 60, 60), BBox(100, 100, 150, 150)
    root = make_yolo(tmp_path / 'ds', {'x': [(0, a), (0, b)]})
    preds = write_predictions(tmp_path / 'p.jsonl', {'x': [('person', 0.9, a), ('dog', 0.8, b)]})
    result = run_eval(
        capsys, '--dataset', str(root), '--format', 'yolo', '--predictions', str(preds)
    )
    assert result['map50'] == pytest.approx(0.5, abs=0.01)  # recall stops at 1/2


def test_voc_boxes_are_one_based(tmp_path):
    root = tmp_path / 'voc'
    (root / 'annotations').mkdir(parents=True)
    (root / 'images').mkdir()
    cv2.imwrite(str(root / 'images' / 'f.jpg'), np.zeros((50, 80, 3), np.uint8))
    (root / 'annotations' / 'f.xml').write_text(
        '<annotation><filename>f.jpg</filename><size><width>80</width><height>50</height></size>'
        '<object><name>motorbike</name><difficult>1</difficult>'
        '<bndbox><xmin>1</xmin><ymin>2</ymin><xmax>10</xmax><ymax>20</ymax></bndbox>'
        '</object></annotation>'
    )
    (sample,) = load_dataset(root, 'voc')
    (obj,) = sample.objects
    assert obj.label == 'motorcycle' and obj.ignore
    assert obj.bbox == BBox(0, 1, 10, 20)


@pytest.mark.parametrize(
    'folder, fmt, images',
    [
        ('coco128_val2017', 'coco128', 128),
        ('dawn_fog_dev', 'voc', 100),
        ('pennfudan_dev', 'pennfudan', 60),
        ('samples/kitti', 'kitti', 3),
    ],
)
def test_shared_datasets_load_completely(folder, fmt, images):
    """Every labeled object is read (counted independently from the raw files), in its image."""
    root = SHARED / 'data' / folder
    samples = load_dataset(root, fmt)
    assert len(samples) == images
    n = sum(len(s.objects) for s in samples)
    if fmt == 'coco128':
        expected = sum(
            len([line for line in p.read_text().splitlines() if line.strip()])
            for p in (root / 'labels').glob('*.txt')
        )
    elif fmt == 'voc':
        expected = sum(
            p.read_text().count('<object>') for p in (root / 'annotations').glob('*.xml')
        )
    elif fmt == 'pennfudan':
        expected = sum(
            p.read_text(errors='replace').count('(Xmin, Ymin) - (Xmax, Ymax)')
            for p in (root / 'Annotation').glob('*.txt')
        )
    else:
        expected = sum(
            1
            for p in (root / 'label_2').glob('*.txt')
            for line in p.read_text().splitlines()
            if line.split()[0] not in ('DontCare', 'Misc')
        )
    assert n == expected
    for s in samples:
        for o in s.objects:
            assert (
                0 <= o.bbox.xmin < o.bbox.xmax <= s.width
                and 0 <= o.bbox.ymin < o.bbox.ymax <= s.height
            )


def test_pennfudan_first_box():
    sample = load_dataset(SHARED / 'data' / 'pennfudan_dev', 'pennfudan')[0]
    assert sample.image_path.name == 'FudanPed00001.png' and (sample.width, sample.height) == (
        559,
        536,
    )
    assert sample.objects[0].bbox == BBox(159, 181, 302, 431)


def test_model_on_pennfudan_finds_pedestrians(capsys):
    result = run_eval(
        capsys,
        '--dataset',
        str(SHARED / 'data' / 'pennfudan_dev'),
        '--format',
        'pennfudan',
        '--limit',
        '20',
    )
    assert result['map50'] > 0.8
    assert 0.3 < result['map'] < result['map50']


def test_bad_dataset_folder(tmp_path):
    (tmp_path / 'images').mkdir()
    (tmp_path / 'names.yaml').write_text('names: [a]')
    with pytest.raises(DatasetError, match='none of labels/'):
        load_dataset(tmp_path, 'yolo')
    with pytest.raises(DatasetError, match='unknown dataset format'):
        load_dataset(tmp_path, 'csv')
