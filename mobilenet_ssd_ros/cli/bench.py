"""`mobilenet-ssd bench`: speed as ratios against invoke(), a reference, a naive node."""

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
import time


def add(sub) -> None:
    """Add the bench command to the subcommands `sub`."""
    p = sub.add_parser(
        'bench', help='benchmarks: ratios against invoke(), a reference pipeline, a naive node'
    )
    p.add_argument(
        '--suite', choices=['core', 'node', 'sweep', 'soak', 'tracking', 'all'], default='core'
    )
    p.add_argument(
        '--smoke', action='store_true', help='a few frames per suite (checks that they run)'
    )
    p.add_argument(
        '--duration', type=float, default=60.0, help='seconds per node scenario (default 60)'
    )
    p.add_argument('--json', default='out/bench/results.json', help='where to write the results')
    p.add_argument('--plots', metavar='DIR', help='write PNG plots into DIR')
    p.set_defaults(func=run)


SMOKE = {
    'frames': 5,
    'rounds': 1,
    'duration_s': 2.0,
    'soak_frames': 200,
    'inactive_s': 2.0,
    'sequence_frames': 12,
}


def _tracking(smoke: dict | None) -> dict:
    """Compare the trackers on the dev sequence and measure the chosen one's cost."""
    from .. import zoo
    from ..bench import tracking
    from ..offline.datasets import shared_data
    from ..offline.mot import read_sequence

    sequence = read_sequence(shared_data(tracking.SEQUENCE))
    last = smoke['sequence_frames'] if smoke else None
    # The comparison tracks persons (the sequence's gt is pedestrians); the cost is measured
    # at the node's defaults (every class, score 0.5): the detector's usual output.
    persons = zoo.open_detector(score_threshold=0.5, classes=['person'])
    rows = tracking.compare(sequence, persons, last=last)
    cost = tracking.cost_suite(
        sequence, zoo.open_detector(score_threshold=0.5), rounds=1 if smoke else 3, last=last
    )
    print(tracking.format_markdown(rows))
    print(tracking.format_cost(cost))
    frames = last or sequence.length
    return {'sequence': sequence.name, 'frames': frames, 'rows': rows, 'cost': cost}


def run(args: argparse.Namespace) -> int:
    """Run the suites, print their tables, write JSON (and plots with --plots)."""
    from ..bench import core as bench

    suites = (
        ['core', 'sweep', 'node', 'soak', 'tracking'] if args.suite == 'all' else [args.suite]
    )
    smoke = SMOKE if args.smoke else None
    results: dict = {'smoke': bool(args.smoke), 'date': time.strftime('%Y-%m-%d %H:%M:%S %Z')}
    for suite in suites:
        if suite == 'core':
            r = bench.core_suite(
                **({'frames': smoke['frames'], 'rounds': smoke['rounds']} if smoke else {})
            )
            print(bench.format_core(r))
        elif suite == 'sweep':
            r = bench.sweep_suite(
                **({'frames': smoke['frames'], 'rounds': smoke['rounds']} if smoke else {})
            )
            print(bench.format_sweep(r))
        elif suite == 'tracking':
            r = _tracking(smoke)
        elif suite == 'node':
            from ..bench import node as bench_node

            r = bench_node.node_suite(duration_s=smoke['duration_s'] if smoke else args.duration)
            print(bench_node.format_node(r))
        else:
            from ..bench import node as bench_node

            r = bench_node.soak_suite(
                **(
                    {'frames': smoke['soak_frames'], 'inactive_s': smoke['inactive_s']}
                    if smoke
                    else {}
                )
            )
            print(bench_node.format_soak(r))
        results[suite] = r
        print()
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=1))
    print(f'results: {args.json}')
    if args.plots:
        from ..bench import plots as bench_plots

        out = Path(args.plots)
        out.mkdir(parents=True, exist_ok=True)
        plotters = {
            'core': bench_plots.plot_core,
            'sweep': bench_plots.plot_sweep,
            'node': bench_plots.plot_node_latency,
        }
        for suite, plot in plotters.items():
            if suite in results:
                print(f'plot: {plot(results[suite], out / f"{suite}.png")}')
    return 0
