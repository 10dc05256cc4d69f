"""
The model options every command that runs the detector shares, and the detector they open.

Defined once here and read once (`settings()`): the node builds the same DetectorSettings
from its parameters (ros/settings.py), so a model is chosen and filtered alike in both.
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

from .. import zoo
from ..core.detector import Detector
from ..core.enhance import METHODS
from ..core.fog_switch import TwoModels


def add_model_options(p: argparse.ArgumentParser, threshold: float) -> None:
    """Add the model group: which model, labels, filter, threads and enhancement."""
    g = p.add_argument_group('model')
    g.add_argument(
        '--alpha',
        type=float,
        default=zoo.DEFAULT_ENTRY.alpha,
        help=f'width multiplier of the zoo model, as measured from its graph '
        f'(default {zoo.DEFAULT_ENTRY.alpha:g}; `mobilenet-ssd models` lists what is here)',
    )
    g.add_argument(
        '--resolution',
        type=int,
        default=zoo.DEFAULT_ENTRY.resolution,
        help=f'input resolution of the zoo model (default {zoo.DEFAULT_ENTRY.resolution})',
    )
    g.add_argument(
        '--variant',
        default='',
        help="a named variant of the zoo model, e.g. 'weather' (trained for fog); 'auto' "
        '(eval, replay): the plain model, and the weather one where an image looks foggy; '
        'default: the plain model',
    )
    g.add_argument('--model', help='explicit .tflite file (overrides the zoo lookup)')
    g.add_argument(
        '--labels', help='label map file (default: embedded in the model or next to it)'
    )
    g.add_argument(
        '--model-dir', action='append', default=[], help='extra directory to search for zoo models'
    )
    g.add_argument(
        '--threshold', type=float, default=threshold, help=f'score threshold (default {threshold})'
    )
    g.add_argument('--classes', help='comma-separated allow-list of label names')
    g.add_argument(
        '--max-detections', type=int, help='keep at most this many detections per image'
    )
    g.add_argument('--threads', type=int, help='interpreter threads (default: all cores)')
    g.add_argument(
        '--enhance',
        choices=list(METHODS),
        default='off',
        help='test-time enhancement of the model-sized image (auto: hazy/flat frames only)',
    )
    g.add_argument('--no-xnnpack', action='store_true', help='disable the XNNPACK delegate')


def settings(args: argparse.Namespace) -> zoo.DetectorSettings:
    """Return the DetectorSettings the model options ask for."""
    return zoo.DetectorSettings(
        model=args.model or '',
        alpha=args.alpha,
        resolution=args.resolution,
        variant=args.variant,
        labels=args.labels or '',
        model_dirs=tuple(args.model_dir),
        num_threads=args.threads or 0,
        use_xnnpack=not args.no_xnnpack,
        score_threshold=args.threshold,
        classes=tuple(c.strip() for c in args.classes.split(',')) if args.classes else (),
        max_detections=args.max_detections or 0,
        enhance=args.enhance,
    )


def open_detector(args: argparse.Namespace) -> Detector:
    """Open the detector the model options ask for."""
    return zoo.open_detector(settings(args))


def open_models(args: argparse.Namespace) -> Detector | TwoModels:
    """Open the detector, or both models of the key with `--variant auto`."""
    if args.variant == zoo.AUTO:
        if args.model:
            raise ValueError('--variant auto picks zoo models by key: it cannot take --model')
        return zoo.open_two_models(settings(args))
    return open_detector(args)
