"""`mobilenet-ssd eval` and `robustness`: accuracy on labelled data, clean and corrupted."""

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
from dataclasses import replace
import json
from pathlib import Path
import time

from .model_options import add_model_options, open_detector, open_models
from ..core.detector import Detector
from ..core.enhance import Enhancer, METHODS
from ..core.fog_switch import TwoModels
from ..core.imageio import read_rgb
from ..offline.corruptions import CorruptionError, NAMES, parse, SEVERITIES
from ..offline.datasets import load_dataset

FORMATS = ['coco128', 'yolo', 'voc', 'pennfudan', 'kitti']


def add(sub) -> None:
    """Add the eval and robustness commands to the subcommands `sub`."""
    p = sub.add_parser('eval', help='COCO-style mAP on a labeled dataset')
    p.add_argument('--dataset', required=True, help='dataset folder')
    p.add_argument('--format', required=True, choices=FORMATS)
    p.add_argument(
        '--predictions', help='evaluate saved `detect --json` output instead of running the model'
    )
    p.add_argument('--limit', type=int, help='only the first N images')
    p.add_argument('--json', metavar='FILE', help='also write the results as JSON')
    p.add_argument(
        '--corruption',
        metavar='NAME[:SEVERITY]',
        help='corrupt every image first (COCO-C; no severity: all five). '
        f'Names: {", ".join(NAMES)}',
    )
    p.add_argument('--seed', type=int, default=0, help='corruption seed (image i uses seed + i)')
    p.add_argument('--save-predictions', metavar='FILE', help='write the predictions (JSON lines)')
    compare = p.add_mutually_exclusive_group()
    compare.add_argument(
        '--compare', metavar='PREDICTIONS', help='baseline predictions (--save-predictions output)'
    )
    compare.add_argument(
        '--compare-enhance',
        choices=list(METHODS),
        help='baseline: this run with another --enhance',
    )
    p.add_argument(
        '--bootstrap', type=int, default=1000, help='paired bootstrap resamples (default 1000)'
    )
    add_model_options(p, threshold=0.0)
    p.set_defaults(func=run_eval)

    p = sub.add_parser('robustness', help='mAP under the COCO-C corruptions: mPC and rPC')
    p.add_argument('--dataset', required=True, help='dataset folder')
    p.add_argument('--format', required=True, choices=FORMATS)
    p.add_argument(
        '--corruptions',
        type=lambda t: t.split(','),
        help='comma-separated names (default: all 15)',
    )
    p.add_argument(
        '--severities',
        type=lambda text: [int(v) for v in text.split(',')],
        help='comma-separated, 1-5 (default: all)',
    )
    p.add_argument('--limit', type=int, help='only the first N images')
    p.add_argument(
        '--quick',
        action='store_true',
        help='8 images, fog/contrast/gaussian_noise, severities 1,3,5',
    )
    p.add_argument('--seed', type=int, default=0, help='corruption seed (image i uses seed + i)')
    p.add_argument('--json', metavar='FILE', help='write the results as JSON')
    p.add_argument('--plot', metavar='FILE', help='write a PNG of rPC per corruption')
    p.add_argument(
        '--compare-enhance',
        action='append',
        choices=list(METHODS),
        help='also run with this --enhance, on the same corrupted images (repeatable)',
    )
    add_model_options(p, threshold=0.0)
    p.set_defaults(func=run_robustness)


def run_eval(args: argparse.Namespace) -> int:
    """Score each condition, print its table (and the comparison), write what was asked."""
    from ..offline.bootstrap import format_changes
    from ..offline.eval_run import conditions, predict
    from ..offline.evaluate import format_table, read_predictions, write_predictions

    samples = load_dataset(args.dataset, args.format)
    if args.limit:
        samples = samples[: args.limit]
    name, severities = parse(args.corruption) if args.corruption else (None, (0,))
    if args.predictions and name:
        raise CorruptionError('--corruption needs the model; saved --predictions are fixed')
    if args.predictions and args.compare_enhance:
        raise ValueError(
            '--compare-enhance runs the model; with saved --predictions use --compare'
        )
    if args.save_predictions and len(severities) > 1:
        raise CorruptionError('--save-predictions needs one condition: give NAME:SEVERITY')
    models = None if args.predictions else open_models(args)
    if isinstance(models, TwoModels) and args.compare_enhance:
        raise ValueError('--compare-enhance needs one model; with --variant auto use --compare')
    detector = models if isinstance(models, Detector) else None
    baseline = label = None
    if args.compare:
        saved_baseline = read_predictions(args.compare)
        baseline, label = (lambda condition: saved_baseline), args.compare
    elif args.compare_enhance:
        other = replace(detector.defaults, enhancer=Enhancer(args.compare_enhance))
        baseline = lambda condition: predict(  # noqa: E731
            lambda rgb: detector.detect(rgb, other).detections, samples, condition, args.seed
        )
        label = f'enhance {args.compare_enhance}'
    if args.predictions:
        source, detect = f'predictions from {args.predictions}', None
    elif detector is None:  # variant auto: each image by its own look, as without a stream
        source = (
            f'auto: {models.clear.detector.model_id} / {models.fog.detector.model_id} '
            f'(enhance {models.fog.frame.enhancer.method} in fog), threshold {args.threshold}'
        )
        detect = lambda rgb: models.detect(rgb)[0].detections  # noqa: E731
    else:
        source = f'{detector.model_id}, threshold {args.threshold}, enhance {args.enhance}'
        detect = lambda rgb: detector.detect(rgb).detections  # noqa: E731
    report: dict = {}
    for condition in conditions(
        samples,
        detect,
        name,
        severities,
        args.seed,
        saved=read_predictions(args.predictions) if args.predictions else None,
        baseline=baseline,
        resamples=args.bootstrap,
    ):
        title = (
            f'{args.dataset} ({args.format}, {condition.name}) -- {source} -- '
            f'{condition.seconds:.1f} s'
        )
        print(format_table(condition.result, title))
        entry = condition.result.to_dict()
        if condition.changes is not None:
            print(
                format_changes(
                    condition.changes,
                    f'change from {label}: paired bootstrap, {args.bootstrap} resamples',
                )
            )
            entry['comparison'] = {
                'baseline': label,
                'resamples': args.bootstrap,
                'changes': {k: c.to_dict() for k, c in condition.changes.items()},
            }
        if args.save_predictions:
            write_predictions(args.save_predictions, samples, condition.predictions)
        report[condition.name] = entry
    if name and len(severities) > 1:
        mpc = sum(r['mAP'] for r in report.values()) / len(report)
        print(f'{name}: mPC (mean mAP@[.5:.95] over severities) {mpc:.3f}')
        report = {'corruption': name, 'mPC': mpc, 'severities': report}
    else:
        report = next(iter(report.values()))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


def run_robustness(args: argparse.Namespace) -> int:
    """Run the COCO-C grid for each enhancement asked for; print, write JSON and a plot."""
    from ..offline import robustness

    corruptions = args.corruptions or (robustness.QUICK['corruptions'] if args.quick else NAMES)
    unknown = [c for c in corruptions if c not in NAMES]
    if unknown:
        raise CorruptionError(
            f'unknown corruption {", ".join(unknown)}; known: {", ".join(NAMES)}'
        )
    severities = args.severities or (robustness.QUICK['severities'] if args.quick else SEVERITIES)
    if not set(severities) <= set(SEVERITIES):
        raise CorruptionError(f'severities must be 1-5, got {severities}')
    limit = args.limit or (robustness.QUICK['limit'] if args.quick else None)
    samples = load_dataset(args.dataset, args.format)[:limit]
    images = [read_rgb(s.image_path) for s in samples]
    detector = open_detector(args)
    detectors = {}
    for enhance in dict.fromkeys([args.enhance, *(args.compare_enhance or [])]):
        frame = replace(detector.defaults, enhancer=Enhancer(enhance))
        detectors[f'{detector.model_id} enhance {enhance}'] = lambda rgb, frame=frame: (
            detector.detect(rgb, frame).detections
        )
    start = time.perf_counter()
    results = robustness.run(detectors, samples, images, corruptions, severities, args.seed)
    took = time.perf_counter() - start
    for key, result in results.items():
        title = f'{args.dataset} ({args.format}), {len(samples)} images -- {key} -- {took:.0f} s'
        print(robustness.format_table(result, title))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        report = {'dataset': args.dataset, 'images': len(samples), 'seed': args.seed, **results}
        Path(args.json).write_text(json.dumps(report, indent=1))
    if args.plot:
        print(f'plot: {robustness.plot(results, Path(args.plot))}')
    return 0
