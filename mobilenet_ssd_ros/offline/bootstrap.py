"""
Paired bootstrap over images: tells a change in mAP from the luck of the image draw.

Small dev sets are noisy (100 foggy images move mAP by a factor of three when resampled),
so one mAP figure per setting says little. Both settings are scored on the same resampled
images, many times; the spread of the difference is the interval.

pycocotools matches detections per image once (evaluate()); a resample only chooses which
per-image results accumulate() adds up, with repeats, so each resample costs one
accumulate() per setting and nothing is matched twice.
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
from dataclasses import dataclass
import io
import math

import numpy as np
from pycocotools.cocoeval import COCOeval

from .datasets import Sample
from .evaluate import coco_data, coco_eval
from ..core.detection import Detection


@dataclass(frozen=True)
class Change:
    """One metric: the value of each setting, their difference and its 95% interval."""

    baseline: float
    changed: float
    delta: float  # changed - baseline, on all images
    low: float  # 2.5th percentile of the resampled differences
    high: float  # 97.5th percentile

    def to_dict(self) -> dict:
        return vars(self)


class _Scores:
    """One setting's per-image matches, re-accumulated for any multiset of images."""

    def __init__(self, ev: COCOeval, num_images: int, num_classes: int):
        self._ev = ev
        self._images = num_images
        self._classes = num_classes
        self._per_image = list(ev.evalImgs)  # [class][image], one area range

    def metrics(self, picks: np.ndarray | None = None) -> dict[str, float]:
        """mAP, mAP50 and AP per class index over the images `picks` (all when None)."""
        ev = self._ev
        if picks is None:
            picks = np.arange(self._images)
        ev.evalImgs = [
            self._per_image[k * self._images + i] for k in range(self._classes) for i in picks
        ]
        ids = list(range(len(picks)))
        ev.params.imgIds = ids
        ev._paramsEval.imgIds = ids
        with contextlib.redirect_stdout(io.StringIO()):
            ev.accumulate()
        precision = ev.eval['precision'][:, :, :, 0, 0]  # [iou, recall, class]
        out = {'mAP': _mean(precision), 'mAP50': _mean(precision[0])}
        for k in range(self._classes):
            out[f'AP:{k}'] = _mean(precision[:, :, k])
        return out


def _mean(values: np.ndarray) -> float:
    valid = values[values > -1]
    return float(valid.mean()) if valid.size else math.nan


def _scores(samples: Sequence[Sample], predictions, categories: int) -> _Scores:
    data = coco_data(samples, predictions)
    if not data.results:  # pycocotools cannot load an empty result list: one far-off miss
        data.results = [{'image_id': 1, 'category_id': 1, 'bbox': [0, 0, 1, 1], 'score': 1e-9}]
    return _Scores(coco_eval(data, all_areas=False), len(samples), categories)


def paired_bootstrap(
    samples: Sequence[Sample],
    baseline: Mapping[str, Iterable[Detection]],
    changed: Mapping[str, Iterable[Detection]],
    resamples: int = 1000,
    seed: int = 0,
) -> dict[str, Change]:
    """
    Compare two settings' predictions on the same images: mAP, mAP50 and AP per class.

    Keys: 'mAP', 'mAP50' and 'AP <class>'. The same resampled image lists serve both
    settings; `seed` fixes them.
    """
    categories = sorted({gt.label for s in samples for gt in s.objects})
    before = _scores(samples, baseline, len(categories))
    after = _scores(samples, changed, len(categories))
    full_before, full_after = before.metrics(), after.metrics()
    rng = np.random.default_rng(seed)
    deltas: dict[str, list[float]] = {key: [] for key in full_before}
    for _ in range(resamples):
        picks = rng.integers(0, len(samples), len(samples))
        b, a = before.metrics(picks), after.metrics(picks)
        for key in deltas:
            if not (math.isnan(a[key]) or math.isnan(b[key])):  # the class is in the draw
                deltas[key].append(a[key] - b[key])
    out = {}
    for key, values in deltas.items():
        name = f'AP {categories[int(key[3:])]}' if key.startswith('AP:') else key
        low, high = np.percentile(values, [2.5, 97.5]) if values else (math.nan, math.nan)
        out[name] = Change(
            full_before[key],
            full_after[key],
            full_after[key] - full_before[key],
            float(low),
            float(high),
        )
    return out


def format_changes(changes: Mapping[str, Change], title: str = '') -> str:
    """Format a table: each metric before, after, the change and its 95% interval."""
    lines = [title] if title else []
    lines.append(f'{"metric":<18}{"baseline":>9}{"changed":>9}{"change":>9}   95% interval')
    for name, c in changes.items():
        lines.append(
            f'{name:<18}{c.baseline:>9.3f}{c.changed:>9.3f}{c.delta:>+9.3f}   '
            f'[{c.low:+.3f}, {c.high:+.3f}]'
        )
    return '\n'.join(lines)
