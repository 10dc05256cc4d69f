"""
The out-of-fold predictions of a k-fold run on DAWN fog: each image by the model that never saw it.

    python tools/out_of_fold.py runs/fog_k0 ... runs/fog_k4 --output oof.jsonl [--enhance auto]
    mobilenet-ssd eval --dataset ../shared/data/dawn_fog_dev --format voc \
        --predictions oof.jsonl --compare release_auto.jsonl

Each run folder holds a model trained with `--fog-folds K --fog-fold k` and its model.json,
which names the fold's held-out images. The tool checks that the folds are those of one
split (same folds, same seed), that each is held out once and that together they cover the
set, runs each fold's model on its own held-out images only (score threshold 0, as `eval`
does), and writes the predictions in `detect --json` form, so that `eval --predictions`
scores them as one set and `--compare` pairs them with a baseline on the same images.
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

import argparse
from pathlib import Path
import sys


def out_of_fold(runs: list[Path], enhance: str = 'off') -> tuple[list, dict]:
    """Return (the data set's samples, predictions by image name), each from its fold's model."""
    from mobilenet_ssd_ros import zoo
    from mobilenet_ssd_ros.core.imageio import read_rgb
    from mobilenet_ssd_ros.offline.datasets import load_dataset, shared_data

    infos = [zoo.ModelMetadata.read(run) for run in runs]
    splits = {(str(i.details['fog_folds_images']), i.details['fog_seed']) for i in infos}
    if len(splits) != 1:
        raise SystemExit('error: the runs come from different fold splits (folds or seed)')
    folds = infos[0].details['fog_folds_images']
    held = sorted(i.details['fog_fold_held_out'] for i in infos)
    if held != list(range(len(folds))):
        raise SystemExit(f'error: need each of the {len(folds)} folds held out once, got {held}')
    samples = load_dataset(shared_data('dawn_fog_dev'), 'voc')
    by_name = {s.image_path.name: s for s in samples}
    if sorted(by_name) != sorted(name for fold in folds for name in fold):
        raise SystemExit('error: the folds do not cover the data set')
    predictions = {}
    for run, info in zip(runs, infos):
        detector = zoo.open_detector(
            model=str(run / info.model_file), score_threshold=0.0, enhance=enhance
        )
        for name in info.details['fog_held_out_images']:
            rgb = read_rgb(by_name[name].image_path)
            predictions[name] = detector.detect(rgb).detections
    return samples, predictions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('runs', nargs='+', type=Path, help='the run folders, one per fold')
    parser.add_argument('--output', required=True, help='JSON lines, as detect --json writes')
    parser.add_argument('--enhance', default='off', help='off, stretch or auto (default off)')
    args = parser.parse_args()
    from mobilenet_ssd_ros.offline.evaluate import write_predictions

    samples, predictions = out_of_fold(args.runs, args.enhance)
    write_predictions(args.output, samples, predictions)
    print(f"{len(predictions)} images, each by its held-out fold's model -> {args.output}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
