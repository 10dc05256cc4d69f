"""
`mobilenet-ssd track`: detector and tracker over a MOTChallenge sequence, scored by TrackEval.

Also the tracking options `replay` shares (`--tracking`, `--tracking-lost-seconds`,
`--tracking-start-score`), named as the node's parameters and with their defaults.
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
import json

from .model_options import add_model_options, open_detector
from .. import zoo
from ..core.tracking import Tracker, TrackerSettings


def add_tracking_options(p: argparse.ArgumentParser, switch: bool = True) -> None:
    """Add the tracker settings (and, with `switch`, --tracking itself) to a command."""
    if switch:
        p.add_argument(
            '--tracking',
            action='store_true',
            help='give each detection a track id, as the node with tracking on',
        )
    p.add_argument(
        '--tracking-lost-seconds',
        type=float,
        default=TrackerSettings.lost_seconds,
        help=f'how long an unseen track is kept (default {TrackerSettings.lost_seconds:g})',
    )
    p.add_argument(
        '--tracking-start-score',
        type=float,
        default=TrackerSettings.start_score,
        help=f'score that starts a track (default {TrackerSettings.start_score:g})',
    )


def make_tracker(args: argparse.Namespace) -> Tracker:
    """Return a tracker with the settings of the command line (ValueError: the reason)."""
    return Tracker(TrackerSettings(args.tracking_lost_seconds, args.tracking_start_score))


def add(sub) -> None:
    """Add the track command to the subcommands `sub`."""
    p = sub.add_parser(
        'track',
        help='detect and track over a MOTChallenge sequence (img1/, seqinfo.ini, gt/gt.txt)',
    )
    p.add_argument('sequence', help='sequence folder in the MOTChallenge layout')
    p.add_argument(
        '--every',
        type=int,
        default=1,
        help='track every n-th frame only, as a node that keeps up with every n-th (default 1)',
    )
    p.add_argument('--json', action='store_true', help='print the result as JSON')
    p.add_argument('--save', metavar='FILE', help='write the tracks as a MOTChallenge result file')
    add_tracking_options(p, switch=False)
    # MOTChallenge ground truth is pedestrians: the detector keeps persons unless told.
    add_model_options(p, threshold=0.5)
    p.set_defaults(func=run, classes='person')


def run(args: argparse.Namespace) -> int:
    """Track the sequence; print (or --json) the scores where it has ground truth."""
    from ..offline.mot import read_sequence, score, write_results
    from ..offline.track_run import detect_sequence, track_detections

    if args.every < 1:
        raise ValueError(f'--every must be >= 1, got {args.every}')
    if args.variant == zoo.AUTO:
        raise ValueError('track runs one model: --variant auto is for eval and replay')
    sequence = read_sequence(args.sequence)
    tracker = make_tracker(args)
    detector = open_detector(args)
    detected = detect_sequence(sequence, detector, every=args.every)
    tracked = track_detections(sequence, detected.frames, tracker.update)
    result = {
        'sequence': sequence.name,
        'model': detector.model_id,
        'every': args.every,
        'frames_tracked': len(detected.frames),
        'frames_skipped': {str(k): v for k, v in sorted(detected.skipped.items())},
        'tracks': len({r.track_id for r in tracked.rows}),
        'boxes': len(tracked.rows),
        'scores': score(sequence, tracked.rows, detected.frames) if sequence.has_gt else None,
    }
    if args.save:
        write_results(args.save, tracked.rows)
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(
        f'{sequence.name}: {result["frames_tracked"]} frames tracked (every {args.every}), '
        f'{result["tracks"]} tracks, {result["boxes"]} boxes; model {detector.model_id}'
    )
    for frame, why in result['frames_skipped'].items():
        print(f'skipped frame {frame}: {why}')
    if result['scores'] is None:
        print(f'no ground truth ({sequence.gt_file} missing): not scored')
    else:
        print(
            '  '.join(
                f'{k} {v:.0f}' if k == 'IDSW' else f'{k} {v:.3f}'
                for k, v in result['scores'].items()
            )
        )
    if args.save:
        print(f'tracks: {args.save}')
    return 0
