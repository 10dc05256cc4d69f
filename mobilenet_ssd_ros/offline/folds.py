"""
Out-of-fold predictions of a k-fold run: each image by the model that never saw it.

DAWN fog dev may train a model only under k-fold cross-validation (`train --fog-folds K
--fog-fold k`, one run folder per fold); the dev result is then one mAP over all images,
each predicted by the fold model that held it out. This module checks that a set of run
folders is one split (same folds, same seed, each fold held out once, the folds covering
the data set) and runs each fold's model on its own held-out images, either alone (with
the enhancement its model.json recommends) or as `variant: auto` does: beside the plain
model of its key, the fold model only where an image looks foggy.
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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .datasets import Sample
from .. import zoo
from ..core.detection import Detection
from ..core.fog_switch import Choice, TwoModels
from ..core.imageio import read_rgb

Detect = Callable[[np.ndarray], list[Detection]]


class FoldError(ValueError):
    """The run folders are not one complete k-fold split of the data set (says why)."""


@dataclass(frozen=True)
class FoldRun:
    """One fold's run folder: its model and the images it held out."""

    path: Path
    info: zoo.ModelMetadata

    @property
    def held_out(self) -> list[str]:
        return list(self.info.details['fog_held_out_images'])

    @property
    def model_path(self) -> Path:
        return self.path / self.info.model_file

    @property
    def enhance(self) -> str | None:
        """Return the enhancement the fold model was made for (model.json), if it names one."""
        return self.info.details.get('enhance')


def read_fold_runs(runs: Sequence[str | Path], samples: Sequence[Sample]) -> list[FoldRun]:
    """Read the runs' model.json; raise FoldError unless they are one split covering `samples`."""
    read = []
    for run in map(Path, runs):
        info = zoo.ModelMetadata.read(run)
        if 'fog_fold_held_out' not in info.details:
            raise FoldError(f'{run}: not a k-fold run (model.json has no fog_fold_held_out)')
        read.append(FoldRun(run, info))
    splits = {(str(r.info.details['fog_folds_images']), r.info.details['fog_seed']) for r in read}
    if len(splits) != 1:
        raise FoldError('the runs come from different fold splits (folds or seed)')
    folds = read[0].info.details['fog_folds_images']
    held = sorted(r.info.details['fog_fold_held_out'] for r in read)
    if held != list(range(len(folds))):
        raise FoldError(f'need each of the {len(folds)} folds held out once, got {held}')
    names = sorted(s.image_path.name for s in samples)
    if names != sorted(name for fold in folds for name in fold):
        raise FoldError('the folds do not cover the data set')
    return read


def alone(run: FoldRun, enhance: str | None = None) -> Detect:
    """Run the fold model by itself, with `enhance` or else the enhancement it was made for."""
    detector = zoo.open_detector(
        model=str(run.model_path),
        score_threshold=0.0,
        enhance=enhance or run.enhance or 'off',
    )
    return lambda rgb: detector.detect(rgb).detections


def auto(run: FoldRun, plain_enhance: str = 'off') -> Detect:
    """
    Run `variant: auto` with the fold model as the weather model of its key.

    The plain model of the fold model's (alpha, resolution) runs with `plain_enhance`; the
    fold model, with the enhancement it was made for, takes an image that looks foggy by the
    switch's rule (each image by its own look, as `eval --variant auto` does).
    """
    plain = zoo.open_detector(
        alpha=run.info.alpha,
        resolution=run.info.resolution,
        score_threshold=0.0,
        enhance=plain_enhance,
    )
    fog = zoo.open_detector(
        model=str(run.model_path),
        score_threshold=0.0,
        enhance=run.enhance or plain_enhance,
    )
    models = TwoModels(Choice(plain, plain.defaults), Choice(fog, fog.defaults))
    return lambda rgb: models.detect(rgb)[0].detections


def out_of_fold(
    runs: Sequence[FoldRun], samples: Sequence[Sample], opener: Callable[[FoldRun], Detect]
) -> dict[str, list[Detection]]:
    """Return the predictions by image name, each image by its own fold's `opener(run)`."""
    by_name = {s.image_path.name: s for s in samples}
    predictions = {}
    for run in runs:
        detect = opener(run)
        for name in run.held_out:
            predictions[name] = detect(read_rgb(by_name[name].image_path))
    return predictions
