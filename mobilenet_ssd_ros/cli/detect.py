"""`mobilenet-ssd detect`: detections in image files, printed, as JSON lines or drawn."""

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

from .model_options import add_model_options, open_detector
from ..core.draw import annotate
from ..core.imageio import image_files, read_rgb, write_rgb


def add(sub) -> None:
    """Add the detect command to the subcommands `sub`."""
    p = sub.add_parser('detect', help='detect objects in images')
    p.add_argument('paths', nargs='+', help='image files or folders (searched recursively)')
    p.add_argument('--json', action='store_true', help='print one JSON object per image')
    p.add_argument('--annotate', metavar='DIR', help='write annotated images into DIR')
    add_model_options(p, threshold=0.5)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Detect in every image; exit 1 if an image could not be read."""
    detector = open_detector(args)
    files = [f for p in args.paths for f in image_files(Path(p))]
    missing = [p for p in args.paths if not Path(p).exists()]
    for p in missing:
        print(f'error: {p}: no such file or directory', file=sys.stderr)
    if args.annotate:
        Path(args.annotate).mkdir(parents=True, exist_ok=True)
    failures = len(missing)
    total_ms = invoke_ms = 0.0
    for path in files:
        rgb = read_rgb(path)
        if rgb is None:
            print(f'error: {path}: not a readable image', file=sys.stderr)
            failures += 1
            continue
        result = detector.detect(rgb)
        detections = result.detections
        total_ms += result.timings.total_ms
        invoke_ms += result.timings.inference_ms
        if args.json:
            print(
                json.dumps(
                    {
                        'image': str(path),
                        'width': rgb.shape[1],
                        'height': rgb.shape[0],
                        'detections': [d.to_dict() for d in detections],
                    }
                )
            )
        else:
            print(f'{path}: {len(detections)} detection(s)')
            for d in detections:
                b = d.bbox
                print(
                    f'  {d.label:<14} {d.score:.2f}  [{b.xmin:.0f} {b.ymin:.0f} {b.xmax:.0f} '
                    f'{b.ymax:.0f}]'
                )
        if args.annotate:
            out = Path(args.annotate) / (path.stem + '.jpg')
            write_rgb(out, annotate(rgb, detections))
    done = len(files) - (failures - len(missing))
    if done:
        print(
            f'{done} image(s) with {detector.model_id} ({detector.model.info.runtime}): '
            f'detect {total_ms / done:.1f} ms/image, of which invoke {invoke_ms / done:.1f} ms '
            f'(detect/invoke {total_ms / invoke_ms:.3f})'
            + (f'; annotated images in {args.annotate}' if args.annotate else ''),
            file=sys.stderr,
        )
    if not files and not missing:
        print('error: no images found', file=sys.stderr)
        return 1
    return 1 if failures else 0
