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

"""
How much of a COCO128 mAP gap lies in classes the training pools show at all.

    python tools/pool_class_gap.py --better release.json --worse rebuild224.json \
        [--trained trained224.json] [--counts counts.json] [--changes 10]

The JSON files are `mobilenet-ssd eval --json` outputs on the same data set (per-class AP).
The teacher (the zoo's default model) detects on every training-pool image at 0.5 and
counts its detections per class (cached in --counts). For classes seen at least N times,
the script prints the mean AP the worse model would reach if it recovered its whole gap to
the better model on exactly those classes and nothing else: an upper bound on what a
student trained only on those pools can gain, unless knowledge carries to classes it never
sees. It then lists the evaluation's classes the pools show fewer than 10 times (the thin
ones), and with --trained the classes whose AP the student changed most (which classes
the pools taught). Why: the resolution goal of the distillation issue asks for half the
gap on COCO128, and what the pools show bounds what a student can learn.
"""

from __future__ import annotations

import argparse
from collections import Counter
import json
from pathlib import Path


def class_counts() -> dict[str, int]:
    """Count the default model's detections (score >= 0.5) per class on the pool images."""
    from mobilenet_ssd_ros import zoo
    from mobilenet_ssd_ros.core.detector import Detector
    from mobilenet_ssd_ros.core.imageio import read_rgb
    from mobilenet_ssd_ros.offline.datasets import shared_data

    model = zoo.find()
    detector = Detector(model.model_path, labels=model.labels_path, score_threshold=0.5)
    counts: Counter[str] = Counter()
    for image in sorted(shared_data('train_pool').glob('*/images/*')):
        rgb = read_rgb(image)
        if rgb is not None:
            counts.update(d.label for d in detector.detect(rgb).detections)
    return dict(counts)


def ceiling(
    better: dict, worse: dict, counts: dict[str, int], min_count: int
) -> tuple[int, float, float, float]:
    """
    Bound what recovering the gap on the classes seen `min_count` times can give.

    Returns (classes seen, worse mean AP, better mean AP, worse mean AP with every seen
    class's positive gap recovered), over the classes of the evaluation (`per_class`).
    """
    classes = sorted(better)
    seen = [c for c in classes if counts.get(c, 0) >= min_count]
    n = len(classes)
    base = sum(worse[c]['ap'] for c in classes) / n
    top = sum(better[c]['ap'] for c in classes) / n
    recovered = base + sum(max(better[c]['ap'] - worse[c]['ap'], 0.0) for c in seen) / n
    return len(seen), base, top, recovered


def thin(better: dict, counts: dict[str, int], below: int = 10) -> list[tuple[str, int]]:
    """Return the evaluation's classes the pools show fewer than `below` times, rarest first."""
    rare = [(c, counts.get(c, 0)) for c in better if counts.get(c, 0) < below]
    return sorted(rare, key=lambda item: (item[1], item[0]))


def changes(worse: dict, trained: dict, counts: dict[str, int]) -> list[tuple[str, float, int]]:
    """Return (class, AP change from worse to trained, pool count), largest gain first."""
    moved = [(c, trained[c]['ap'] - worse[c]['ap'], counts.get(c, 0)) for c in worse]
    return sorted(moved, key=lambda item: (-item[1], item[0]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--better', required=True, help='eval JSON of the better model')
    parser.add_argument('--worse', required=True, help='eval JSON of the worse model')
    parser.add_argument('--trained', help='eval JSON of a trained student of the worse one')
    parser.add_argument('--counts', help='JSON cache of the per-class pool counts')
    parser.add_argument(
        '--changes', type=int, default=10, help='with --trained: how many gains and losses to list'
    )
    args = parser.parse_args()
    cache = Path(args.counts) if args.counts else None
    if cache is not None and cache.exists():
        counts = json.loads(cache.read_text())
    else:
        counts = class_counts()
        if cache is not None:
            cache.write_text(json.dumps(counts, indent=1, sort_keys=True) + '\n')
    better = json.loads(Path(args.better).read_text())['per_class']
    worse = json.loads(Path(args.worse).read_text())['per_class']
    trained = json.loads(Path(args.trained).read_text())['per_class'] if args.trained else None
    print(f'{len(better)} classes; goal (half the gap) and bounds by classes the pools show:')
    for min_count in (1, 10, 50):
        seen, base, top, recovered = ceiling(better, worse, counts, min_count)
        line = (
            f'  seen >= {min_count:2d}x: {seen:2d} classes; worse {base:.4f}, better {top:.4f}, '
            f'goal {(base + top) / 2:.4f}; all their gap recovered -> {recovered:.4f}'
        )
        if trained is not None:
            names = {c for c in better if counts.get(c, 0) >= min_count}
            inside = sum(trained[c]['ap'] - worse[c]['ap'] for c in names) / len(better)
            outside = sum(trained[c]['ap'] - worse[c]['ap'] for c in better if c not in names)
            line += f'; trained: {inside:+.4f} in them, {outside / len(better):+.4f} elsewhere'
        print(line)
    rare = thin(better, counts)
    print(f'thin (seen < 10x): {len(rare)} classes: ' + ', '.join(f'{c} {n}' for c, n in rare))
    if trained is not None:
        moved = changes(worse, trained, counts)
        for title, part in (
            ('gains', moved[: args.changes]),
            ('losses', moved[::-1][: args.changes]),
        ):
            print(f'largest AP {title}: ' + ', '.join(f'{c} {d:+.3f} ({n}x)' for c, d, n in part))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
