"""
COCO-style mAP with pycocotools, classes matched by name.

The model numbers classes with the 90 COCO ids of its label map, YOLO datasets with 80
contiguous indices, VOC and KITTI with their own names. Matching by (COCO) name is the
only mapping that is right for all of them: ground truth and predictions are both turned
into category names, and the categories evaluated are those of the ground truth.
Predictions of classes the dataset does not label cannot be judged and are left out.
"""

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

from collections.abc import Iterable, Mapping, Sequence
import contextlib
from dataclasses import dataclass, field
import io
import json
import math
from pathlib import Path

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from .datasets import coco_name, Sample
from ..core.detection import BBox, Detection


@dataclass(frozen=True)
class ClassResult:
    ap: float  # AP@[.5:.95]; nan when the class has no ground truth
    ap50: float
    num_gt: int
    num_dets: int


@dataclass(frozen=True)
class EvalResult:
    map: float  # noqa: A003 (COCO's mAP@[.5:.95])
    map50: float
    map75: float
    num_images: int
    num_gt: int
    num_dets: int
    per_class: dict[str, ClassResult] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            'mAP': self.map,
            'mAP50': self.map50,
            'mAP75': self.map75,
            'images': self.num_images,
            'ground_truth': self.num_gt,
            'detections': self.num_dets,
            'per_class': {k: vars(v) for k, v in self.per_class.items()},
        }


def _mean_valid(values: np.ndarray) -> float:
    valid = values[values > -1]
    return float(valid.mean()) if valid.size else math.nan


@dataclass
class CocoData:
    """Ground truth and predictions in pycocotools' form, categories matched by name."""

    categories: list[str]
    gt: dict
    results: list[dict]
    per_class_gt: dict[str, int]
    per_class_dets: dict[str, int]


def coco_data(
    samples: Sequence[Sample], predictions: Mapping[str, Iterable[Detection]]
) -> CocoData:
    """Turn samples and `predictions` (keyed by image file name) into pycocotools' input."""
    categories = sorted({gt.label for s in samples for gt in s.objects})
    cat_ids = {name: i + 1 for i, name in enumerate(categories)}
    images, annotations, results = [], [], []
    per_class_gt = dict.fromkeys(categories, 0)
    per_class_dets = dict.fromkeys(categories, 0)
    for image_id, sample in enumerate(samples, start=1):
        images.append(
            {
                'id': image_id,
                'width': sample.width,
                'height': sample.height,
                'file_name': sample.image_path.name,
            }
        )
        for gt in sample.objects:
            b = gt.bbox
            annotations.append(
                {
                    'id': len(annotations) + 1,
                    'image_id': image_id,
                    'category_id': cat_ids[gt.label],
                    'bbox': [b.xmin, b.ymin, b.width, b.height],
                    'area': b.area,
                    'iscrowd': int(gt.ignore),
                }
            )
            per_class_gt[gt.label] += not gt.ignore
        for det in predictions.get(sample.image_path.name, ()):
            name = coco_name(det.label)
            if name not in cat_ids:
                continue
            b = det.bbox
            results.append(
                {
                    'image_id': image_id,
                    'category_id': cat_ids[name],
                    'bbox': [b.xmin, b.ymin, b.width, b.height],
                    'score': det.score,
                }
            )
            per_class_dets[name] += 1
    gt = {
        'images': images,
        'annotations': annotations,
        'categories': [{'id': i, 'name': n} for n, i in cat_ids.items()],
    }
    return CocoData(categories, gt, results, per_class_gt, per_class_dets)


def coco_eval(data: CocoData, all_areas: bool = True) -> COCOeval:
    """
    Run pycocotools' evaluate() and accumulate() (quietly) on `data`.

    `all_areas=False` keeps only the area range 'all' and 100 detections: the numbers mAP,
    mAP50 and per-class AP come from those alone, at a third of the work.
    """
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints progress
        gt_api = COCO()
        gt_api.dataset = data.gt
        gt_api.createIndex()
        ev = COCOeval(gt_api, gt_api.loadRes(data.results), 'bbox')
        if not all_areas:
            ev.params.areaRng, ev.params.areaRngLbl, ev.params.maxDets = (
                [[0, 1e10]],
                ['all'],
                [100],
            )
        ev.evaluate()
        ev.accumulate()
    return ev


def evaluate(
    samples: Sequence[Sample], predictions: Mapping[str, Iterable[Detection]]
) -> EvalResult:
    """Score `predictions` (keyed by image file name) against the samples' ground truth."""
    data = coco_data(samples, predictions)
    categories, per_class_gt, per_class_dets = (
        data.categories,
        data.per_class_gt,
        data.per_class_dets,
    )
    if not data.results or not data.gt['annotations']:
        per_class = {
            c: ClassResult(
                0.0 if per_class_gt[c] else math.nan,
                0.0 if per_class_gt[c] else math.nan,
                per_class_gt[c],
                per_class_dets[c],
            )
            for c in categories
        }
        return EvalResult(
            0.0, 0.0, 0.0, len(samples), len(data.gt['annotations']), len(data.results), per_class
        )
    ev = coco_eval(data)
    with contextlib.redirect_stdout(io.StringIO()):
        ev.summarize()
    precision = ev.eval['precision']  # [iou thresholds, recall, category, area, max dets]
    per_class = {}
    for k, name in enumerate(categories):
        p = precision[:, :, k, 0, -1]
        per_class[name] = ClassResult(
            _mean_valid(p), _mean_valid(p[0]), per_class_gt[name], per_class_dets[name]
        )
    return EvalResult(
        map=float(ev.stats[0]),
        map50=float(ev.stats[1]),
        map75=float(ev.stats[2]),
        num_images=len(samples),
        num_gt=sum(per_class_gt.values()),
        num_dets=len(data.results),
        per_class=per_class,
    )


def read_predictions(path: str | Path) -> dict[str, list[Detection]]:
    """Predictions saved by `mobilenet-ssd detect --json` (one JSON object per line)."""
    predictions: dict[str, list[Detection]] = {}
    for line in Path(path).read_text().splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        predictions[Path(record['image']).name] = [
            Detection(
                d['label'],
                int(d.get('class_id', -1)),
                float(d['score']),
                BBox(*map(float, d['bbox'])),
            )
            for d in record['detections']
        ]
    return predictions


def write_predictions(
    path: str | Path, samples: Sequence[Sample], predictions: Mapping[str, Iterable[Detection]]
) -> None:
    """Save predictions as `detect --json` does (one JSON object per image), for --compare."""
    with open(path, 'w') as out:
        for sample in samples:
            detections = predictions.get(sample.image_path.name, ())
            record = {
                'image': str(sample.image_path),
                'width': sample.width,
                'height': sample.height,
                'detections': [d.to_dict() for d in detections],
            }
            out.write(json.dumps(record) + '\n')


def format_table(result: EvalResult, title: str = '') -> str:
    """Format a plain-text table: overall mAP, then AP per class."""
    lines = []
    if title:
        lines.append(title)
    lines.append(
        f'images {result.num_images}  ground truth {result.num_gt}  detections {result.num_dets}'
    )
    lines.append(
        f'mAP@[.5:.95] {result.map:.3f}   mAP@.5 {result.map50:.3f}   mAP@.75 {result.map75:.3f}'
    )
    lines.append(f'{"class":<16}{"AP":>7}{"AP50":>7}{"gt":>6}{"dets":>6}')
    for name, r in sorted(result.per_class.items(), key=lambda kv: -kv[1].num_gt):
        lines.append(f'{name:<16}{r.ap:>7.3f}{r.ap50:>7.3f}{r.num_gt:>6}{r.num_dets:>6}')
    return '\n'.join(lines)
