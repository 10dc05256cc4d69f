"""`mobilenet-ssd models` and `zoo build | report`: what models exist, and making more."""

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
import json
from pathlib import Path
import sys

from .. import zoo
from ..places import cache_dir, cli_command, model_dirs
from ..zoo.download import download


def add(sub) -> None:
    """Add the models and zoo commands to the subcommands `sub`."""
    p = sub.add_parser('models', help='list the model zoo and what is on this machine')
    p.add_argument(
        '--download',
        action='store_true',
        help='download and verify the zoo models (needs internet)',
    )
    p.add_argument('--model-dir', action='append', default=[], help='extra directory to search')
    p.set_defaults(func=run_models)

    p = sub.add_parser('zoo', help='build models for other input resolutions')
    zoo_sub = p.add_subparsers(dest='zoo_command', required=True)
    b = zoo_sub.add_parser(
        'build', help='the pretrained model rebuilt for R x R inputs (no TensorFlow needed)'
    )
    group = b.add_mutually_exclusive_group(required=True)
    group.add_argument('--resolution', type=int, help='square input size in pixels')
    group.add_argument(
        '--resolutions',
        type=lambda text: [int(v) for v in text.split(',')],
        help='comma-separated list, e.g. 128,160,192,224,256,300,384',
    )
    b.add_argument(
        '--max-detections', type=int, help="raise (or lower) the model's cap of 10 detections"
    )
    b.add_argument('--output', help='zoo directory to write into (default: the cache directory)')
    source = b.add_mutually_exclusive_group()
    source.add_argument(
        '--source',
        metavar='FILE',
        help='any MobileNetV1-SSD .tflite with TFLite_Detection_PostProcess (labels beside it)',
    )
    source.add_argument(
        '--alpha',
        type=float,
        default=zoo.DEFAULT_ENTRY.alpha,
        help=f"the zoo's release of this width (default {zoo.DEFAULT_ENTRY.alpha:g})",
    )
    b.set_defaults(func=run_build)
    rep = zoo_sub.add_parser(
        'report',
        help='MACs, latency ratio, mAP and rPC per resolution, untrained rebuilds (built in a '
        'temp dir) and trained models side by side',
    )
    rep.add_argument(
        '--resolutions',
        type=lambda text: [int(v) for v in text.split(',')],
        default=[128, 160, 192, 224, 256, 300, 384],
    )
    rep.add_argument('--limit', type=int, help='only the first N images of each dataset')
    rep.add_argument(
        '--robustness-images',
        type=int,
        default=32,
        help='COCO128 images for the rPC column (15 corruptions x 5 severities; default 32)',
    )
    rep.add_argument(
        '--model-dir',
        action='append',
        default=[],
        help='extra directory to search for trained models (repeatable)',
    )
    rep.add_argument('--json', help='write the results as JSON')
    rep.add_argument('--plot', help='write a PNG of mAP against latency')
    rep.set_defaults(func=run_report)


def run_models(args: argparse.Namespace) -> int:
    """
    List every known model with its (alpha, resolution) and where it is.

    Exit 1 when the default model is not on this machine (nothing will run without it).
    """
    if args.download:
        for entry in zoo.MANIFEST:
            found = download(entry)
            print(
                f'downloaded {entry.name} -> {found.model_path} ({entry.digest.partition(":")[0]} '
                'verified)'
            )
    catalogue = zoo.Catalogue(args.model_dir)
    print(f'cache directory: {cache_dir()}')
    print('search path: ' + ', '.join(str(d) for d in model_dirs(args.model_dir)))
    print(f'{"(alpha, resolution)":<32} {"kind":<8} {"name":<48} location')
    for entry in sorted(catalogue.entries, key=lambda e: (e.alpha, e.resolution)):
        found = catalogue.locate(entry)
        where = (
            str(found.model_path)
            if found
            else f'not on this machine ({cli_command()} models --download)'
        )
        print(
            f'{zoo.format_pair(entry.alpha, entry.resolution):<32} {entry.kind:<8} '
            f'{entry.name:<48} {where}'
        )
    pairs = catalogue.available_pairs()
    print('available here: ' + (', '.join(zoo.format_pair(a, r) for a, r in pairs) or 'none'))
    if catalogue.locate(zoo.DEFAULT_ENTRY) is None:
        print(
            f'error: the default model {zoo.DEFAULT_ENTRY.name} is not on this machine',
            file=sys.stderr,
        )
        return 1
    return 0


def run_build(args: argparse.Namespace) -> int:
    """Rebuild the source for each resolution asked for."""
    from ..zoo.build import build, source_file, source_for_alpha

    source = source_file(args.source) if args.source else source_for_alpha(args.alpha)
    resolutions = args.resolutions or [args.resolution]
    for resolution in resolutions:
        info = build(
            resolution, max_detections=args.max_detections, output=args.output, source=source
        )
        where = Path(args.output) if args.output else cache_dir()
        print(
            f'built {info.name}: alpha {info.alpha:g} (measured), '
            f'{info.resolution}x{info.resolution}, '
            f'{info.macs / 1e9:.3f} GMACs, '
            f'{info.params / 1e6:.2f} M params, {info.details["anchors"]} anchors, max '
            f'{info.max_detections} detections '
            f'-> {where / info.name}'
        )
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Measure every resolution (and the trained models); print, write JSON and a plot."""
    from ..bench import zoo_report

    result = zoo_report.report(
        args.resolutions,
        limit=args.limit,
        robustness_images=args.robustness_images,
        extra_dirs=args.model_dir,
    )
    print(zoo_report.format_markdown(result))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=1))
    if args.plot:
        from ..bench.plots import plot_zoo

        print(f'plot: {plot_zoo(result, Path(args.plot))}')
    return 0
