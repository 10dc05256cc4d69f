"""`mobilenet-ssd make-bag` and `replay`: camera bags in, detection bags and reports out."""

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
import signal
import sys

from .model_options import add_model_options, open_models
from .tracking import add_tracking_options, make_tracker
from ..core.imageio import image_files
from ..offline.bag import DEFAULT_TOPIC, STORAGES
from ..offline.datasets import load_dataset, LOADERS


def add(sub) -> None:
    """Add the make-bag and replay commands to the subcommands `sub`."""
    p = sub.add_parser('make-bag', help='turn images into a camera bag (rosbag2)')
    p.add_argument('images', nargs='+', help='image files or folders (sorted, recursively)')
    p.add_argument('--output', required=True, help='new bag folder')
    p.add_argument('--rate', type=float, default=10.0, help='frames per second (default 10)')
    p.add_argument(
        '--compressed', action='store_true', help='JPEG CompressedImage on TOPIC/compressed'
    )
    p.add_argument('--storage', choices=sorted(STORAGES), default='mcap')
    p.add_argument('--topic', default=DEFAULT_TOPIC, help=f'image topic (default {DEFAULT_TOPIC})')
    p.add_argument('--frame-id', default='camera', help='header.frame_id (default camera)')
    p.set_defaults(func=run_make_bag)

    p = sub.add_parser(
        'replay', help='run the detector over a camera bag, write a results bag and a report'
    )
    p.add_argument(
        'bag', help='rosbag2 folder (sqlite3 or mcap) with Image or CompressedImage messages'
    )
    p.add_argument('--output', required=True, help='new bag folder for detections and stats')
    p.add_argument('--topic', help='image topic (needed when the bag has several)')
    timing = p.add_mutually_exclusive_group()
    timing.add_argument(
        '--every-frame',
        action='store_true',
        help='process every frame (deterministic); '
        'default: drop frames as the node would in real time',
    )
    timing.add_argument(
        '--frame-ms',
        type=float,
        help='simulate a machine that takes this long per frame (default: the measured time)',
    )
    p.add_argument(
        '--storage', choices=sorted(STORAGES), default='mcap', help='storage of the output bag'
    )
    p.add_argument(
        '--ground-truth',
        metavar='DIR',
        help="dataset whose images, in order, are the bag's frames",
    )
    p.add_argument(
        '--format', default='yolo', choices=sorted(LOADERS), help='format of --ground-truth'
    )
    add_tracking_options(p)
    add_model_options(p, threshold=0.5)
    p.set_defaults(func=run_replay)


def run_make_bag(args: argparse.Namespace) -> int:
    """Write the images as a camera bag at the rate asked for."""
    from ..offline.bag import make_bag

    files = [f for p in args.images for f in image_files(Path(p))]
    if not files:
        print('error: no images found', file=sys.stderr)
        return 1
    n = make_bag(
        files,
        args.output,
        topic=args.topic,
        rate=args.rate,
        compressed=args.compressed,
        storage=args.storage,
        frame_id=args.frame_id,
    )
    topic = args.topic + ('/compressed' if args.compressed else '')
    print(f'wrote {n} frames at {args.rate:g} Hz to {args.output} ({args.storage}, topic {topic})')
    return 0


def run_replay(args: argparse.Namespace) -> int:
    """
    Replay the bag through the detector; print the report.

    Exit 1 if a frame failed; 128 + the signal's number if SIGINT or SIGTERM stopped it (the
    output bag then holds every frame processed before the stop).
    """
    from ..offline.replay import replay, ReplayError

    truth = load_dataset(args.ground_truth, args.format) if args.ground_truth else None
    detector = open_models(args)
    caught: list[int] = []  # the signals that asked for a stop

    def stop(signum: int, frame) -> None:
        caught.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        report = replay(
            args.bag,
            args.output,
            detector,
            topic=args.topic,
            every_frame=args.every_frame,
            frame_ms=args.frame_ms,
            storage=args.storage,
            ground_truth=truth,
            should_stop=lambda: bool(caught),
            tracker=make_tracker(args) if args.tracking else None,
        )
    except ReplayError as exc:
        print(exc.report.format())
        print(f'error: {exc}', file=sys.stderr)
        return 128 + caught[0] if exc.report.stopped and caught else 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print(report.format())
    return 0
