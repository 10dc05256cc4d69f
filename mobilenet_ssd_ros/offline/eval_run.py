"""
Score a detector on a labelled data set, clean or corrupted, and compare it to a baseline.

What `mobilenet-ssd eval` runs: for each condition (clean, or one COCO-C corruption at
each severity asked for) the detector sees every image (image i corrupted with seed
`seed + i`), pycocotools scores the predictions, and a paired bootstrap over images
compares them with a baseline's predictions of the same images where one is given. The
CLI prints and saves what this yields.
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

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
import time

import numpy as np

from .bootstrap import Change, paired_bootstrap
from .corruptions import corrupt
from .datasets import DatasetError, Sample
from .evaluate import EvalResult, evaluate
from ..core.detection import Detection
from ..core.imageio import read_rgb

Detect = Callable[[np.ndarray], list[Detection]]
Predictions = dict[str, list[Detection]]


def predict(
    detect: Detect, samples: Sequence[Sample], corruption: tuple[str, int] | None, seed: int
) -> Predictions:
    """Run `detect` on every sample, corrupted first if asked (seed + the image's index)."""
    predictions = {}
    for i, sample in enumerate(samples):
        rgb = read_rgb(sample.image_path)
        if rgb is None:
            raise DatasetError(f'{sample.image_path}: not a readable image')
        if corruption:
            rgb = corrupt(rgb, *corruption, seed=seed + i)
        predictions[sample.image_path.name] = detect(rgb)
    return predictions


@dataclass(frozen=True)
class Condition:
    """One condition's scores, and their change from the baseline where there is one."""

    name: str  # 'clean' or '<corruption>:<severity>'
    predictions: Predictions
    result: EvalResult
    seconds: float  # predicting and scoring
    changes: dict[str, Change] | None = None


def conditions(
    samples: Sequence[Sample],
    detect: Detect | None,
    corruption: str | None,
    severities: Sequence[int],
    seed: int = 0,
    saved: Predictions | None = None,
    baseline: Callable[[tuple[str, int] | None], Predictions] | None = None,
    resamples: int = 1000,
) -> Iterator[Condition]:
    """
    Score each condition in turn.

    `detect` runs the model, or `saved` predictions are scored instead (clean only).
    `baseline(corruption)` returns the baseline's predictions for the same condition.
    """
    for severity in severities:
        start = time.perf_counter()
        condition = (corruption, severity) if corruption else None
        predictions = saved if saved is not None else predict(detect, samples, condition, seed)
        result = evaluate(samples, predictions)
        took = time.perf_counter() - start
        changes = (
            paired_bootstrap(samples, baseline(condition), predictions, resamples)
            if baseline is not None
            else None
        )
        yield Condition(
            f'{corruption}:{severity}' if corruption else 'clean',
            predictions,
            result,
            took,
            changes,
        )
