"""
The out-of-fold predictions of a k-fold run on DAWN fog: each image by the model that never saw it.

    python tools/out_of_fold.py runs/fog_k0 ... runs/fog_k4 --output oof.jsonl
    python tools/out_of_fold.py runs/fog_k0 ... runs/fog_k4 --variant auto --output auto.jsonl
    mobilenet-ssd eval --dataset ../shared/data/dawn_fog_dev --format voc \
        --predictions oof.jsonl --compare release_auto.jsonl

Each run folder holds a model trained with `--fog-folds K --fog-fold k` and its model.json,
which names the fold's held-out images. The runs must be one split (same folds, same seed),
each fold held out once, together covering the set (mobilenet_ssd_ros.offline.folds checks
it). Each fold's model runs on its own held-out images only (score threshold 0, as `eval`
does), with the enhancement it was made for unless --enhance says otherwise; with
`--variant auto` beside the plain model of its key, taking only the images that look foggy.
The predictions are written in `detect --json` form, so that `eval --predictions` scores
them as one set and `--compare` pairs them with a baseline on the same images.
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
from functools import partial
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('runs', nargs='+', help='the run folders, one per fold')
    parser.add_argument('--output', required=True, help='JSON lines, as detect --json writes')
    parser.add_argument(
        '--variant', choices=('weather', 'auto'), default='weather',
        help='weather: the fold model on every image (default); auto: as variant auto',
    )
    parser.add_argument(
        '--enhance', choices=('off', 'stretch', 'auto'),
        help="the fold model's enhancement (default: what its model.json recommends); with "
        "--variant auto, the plain model's (default off)",
    )
    args = parser.parse_args()
    from mobilenet_ssd_ros.offline import folds
    from mobilenet_ssd_ros.offline.datasets import load_dataset, shared_data
    from mobilenet_ssd_ros.offline.evaluate import write_predictions

    samples = load_dataset(shared_data('dawn_fog_dev'), 'voc')
    try:
        runs = folds.read_fold_runs(args.runs, samples)
    except folds.FoldError as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    if args.variant == 'auto':
        opener = partial(folds.auto, plain_enhance=args.enhance or 'off')
    else:
        opener = partial(folds.alone, enhance=args.enhance)
    predictions = folds.out_of_fold(runs, samples, opener)
    write_predictions(args.output, samples, predictions)
    print(f"{len(predictions)} images, each by its held-out fold's model -> {args.output}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
