"""`mobilenet-ssd train`: distil the detector into a student (needs PyTorch)."""

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
import sys

from ..core.enhance import METHODS
from ..training.pools import FOG_COMPLETE, FOG_CROP


def add(sub) -> None:
    """Add the train command to the subcommands `sub`."""
    p = sub.add_parser(
        'train', help='distil the detector into a student at another resolution or width (PyTorch)'
    )
    p.add_argument('--resolution', type=int, required=True, help="the student's input size")
    p.add_argument('--alpha', type=float, default=0.75, help='width of the teacher')
    p.add_argument(
        '--width',
        type=float,
        help="the student's width if not the teacher's: its backbone starts from the ImageNet "
        "MobileNetV1 classifier of that width, its heads are the teacher's through adapters",
    )
    p.add_argument(
        '--feature-weight',
        type=float,
        default=1.0,
        help="with --width: weight of imitating the teacher's feature maps (default 1)",
    )
    p.add_argument('--output', required=True, help='run folder: checkpoint, model, model.json')
    p.add_argument('--steps', type=int, default=1000)
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--lr', type=float, default=1e-4)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--images', type=int, help='only the first N pool images')
    p.add_argument(
        '--pools',
        metavar='A,B',
        help='train only on these pools of ../shared/data/train_pool (default: all of '
        'carla_town_clear, coco128_train2017, imagenet_sample, street_pedestrians)',
    )
    p.add_argument(
        '--repeat-threshold',
        type=float,
        default=0.1,
        help='repeat-factor sampling: an image showing a class the teacher finds in a fraction '
        'f < T of the pool images is drawn sqrt(T / f) times as often (default 0.1; 0: uniform)',
    )
    p.add_argument(
        '--no-ground-truth',
        action='store_true',
        help='ignore the boxes of the pools that have them (coco128_train2017); by default they '
        "are targets beside the teacher's detections",
    )
    p.add_argument('--checkpoint-every', type=int, default=100, help='steps between checkpoints')
    p.add_argument(
        '--fog-folds',
        type=int,
        default=0,
        help='train on real fog too: DAWN fog dev split into this many folds (k-fold '
        'cross-validation, the only way that evaluation set may train; seeded by --seed)',
    )
    p.add_argument(
        '--fog-fold',
        type=int,
        default=-1,
        help='with --fog-folds: the fold held out for measuring (-1: train on all of them)',
    )
    p.add_argument(
        '--fog-enhance',
        choices=list(METHODS),
        default='off',
        help='with --fog-folds: show the fog images through this enhancement to student and '
        'teacher (the model then runs with it; default off)',
    )
    p.add_argument(
        '--fog-complete',
        choices=list(FOG_COMPLETE),
        default='dawn',
        help='with --fog-folds: the classes a fog image labels completely, so that a teacher '
        "detection no box confirms is background: DAWN's six (default) or all",
    )
    p.add_argument(
        '--fog-crop',
        choices=list(FOG_CROP),
        default='random',
        help='with --fog-folds: cut the fog images at random as every training image '
        '(default), or train on them whole (off), as the node sees its frames',
    )
    p.add_argument(
        '--fog-share',
        type=float,
        default=0.3,
        help='with --fog-folds: the share of draws from the fog images (default 0.3)',
    )
    p.add_argument(
        '--targets',
        choices=['mixed', 'dense', 'detections'],
        default='mixed',
        help="mixed: the teacher's per-anchor scores, its detections SSD-matched for peaks and "
        'boxes; dense: per-anchor scores and confident boxes; detections: SSD matching only',
    )
    p.add_argument(
        '--weather',
        type=float,
        default=0.0,
        help='share of student images given synthetic fog, rain, snow, night, noise, blur or '
        'low contrast while the teacher sees them clean (default 0)',
    )
    p.add_argument(
        '--weather-effects',
        metavar='A,B',
        help='with --weather: only these effects, comma-separated, of fog, rain, snow, night, '
        'noise, blur, low_contrast (default: all)',
    )
    p.add_argument(
        '--teacher-view',
        choices=['clean', 'enhanced'],
        default='clean',
        help='what the teacher sees of a weathered frame: the clean frame (default), or the '
        'weathered frame through enhance auto (targets hold only what can be seen)',
    )
    p.add_argument(
        '--teacher',
        choices=['float', 'uint8'],
        default='float',
        help='where mixed/dense targets come from: the float replica of the source (default) '
        'or the uint8 source itself through LiteRT',
    )
    p.add_argument(
        '--front',
        type=int,
        default=0,
        help="train only the first N convolutions, to give from the student's view (e.g. "
        "with --weather) the teacher's feature map of the clean image; later layers stay the "
        "teacher's (default 0: train all)",
    )
    p.add_argument(
        '--device',
        default='cpu',
        help='where to train: cpu (default) or cuda[:N]; a run may resume on another device',
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Train (or continue) the run; exit 2 with the reason where it cannot."""
    try:
        from ..training.train import train, TrainConfig, TrainError
    except ImportError as exc:
        raise ImportError(
            f'training needs PyTorch ({exc}): pip install -r requirements/train.txt'
        ) from exc
    config = TrainConfig(
        resolution=args.resolution,
        alpha=args.alpha,
        steps=args.steps,
        batch=args.batch,
        lr=args.lr,
        seed=args.seed,
        images=args.images,
        **({'pools': tuple(args.pools.split(','))} if args.pools else {}),
        repeat_threshold=args.repeat_threshold,
        ground_truth=not args.no_ground_truth,
        targets=args.targets,
        weather=args.weather,
        weather_effects=tuple(args.weather_effects.split(',')) if args.weather_effects else (),
        teacher=args.teacher,
        teacher_view=args.teacher_view,
        width=args.width or 0.0,
        feature_weight=args.feature_weight,
        front=args.front,
        fog_folds=args.fog_folds,
        fog_fold=args.fog_fold,
        fog_share=args.fog_share if args.fog_folds else 0.0,
        fog_enhance=args.fog_enhance,
        fog_complete=args.fog_complete,
        fog_crop=args.fog_crop,
    )
    try:
        path = train(
            config, args.output, checkpoint_every=args.checkpoint_every, device=args.device
        )
    except TrainError as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    print(f'trained model: {path}')
    return 0
