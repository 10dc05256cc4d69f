"""
Compare two runs of `mobilenet-ssd detect --json`: the same model on two platforms.

    python -m mobilenet_ssd_ros.offline.crosscheck x86.jsonl aarch64.jsonl

Another CPU is not bit-exact: OpenCV's ARM resize differs from x86's by up to 2 levels and
LiteRT's ARM kernels round differently, so scores move by a few uint8 steps (the score
output's step is 1/256) and boxes by a pixel or two. What must hold, image by image, at
the threshold the node uses (0.5): the same objects, each with the same label, a score
within `score_steps` steps and a box IoU of at least `min_iou`. Measured for the release on
the 10 sample images (emulated Cortex-A72 against x86): of 28 objects, 26 scored the same,
two differed by 3 and 4 steps (both from a resized input that differs), the lowest IoU was
0.94; the tolerances (6 steps, 0.9) leave that margin and no more. Both runs should be made
at a lower threshold (tools/aarch64_check.sh uses 0.3) so that an object just above 0.5 on
one side is still listed on the other and is compared rather than called missing. The one
excused difference is the detection cap: where a list is full, an object ranked just below
the other side's last kept score may fall off it (a rank swap at the cap).
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
from collections.abc import Sequence
from dataclasses import dataclass
import json
from pathlib import Path
import sys

SCORE_STEP = 1 / 256  # the uint8 score output of TFLite_Detection_PostProcess models


@dataclass(frozen=True)
class Tolerance:
    """What may differ between the two runs (see the module docstring)."""

    threshold: float = 0.5
    score_steps: int = 6
    min_iou: float = 0.9
    cap: int = 10  # the model's max_detections: a full list may cut a near-tie

    @property
    def score(self) -> float:
        return self.score_steps * SCORE_STEP


def read_run(path: str | Path) -> dict[str, list[dict]]:
    """Read `detect --json` lines: image file name -> its detections."""
    run = {}
    for line in Path(path).read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            run[Path(record['image']).name] = record['detections']
    return run


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Return the IoU of two (x0, y0, x1, y1) boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(w, 0.0) * max(h, 0.0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _one_side(
    image: str, mine: list[dict], theirs: list[dict], tol: Tolerance, side: str
) -> tuple[list[str], list[tuple[float, float]]]:
    """Match each of `mine` above the threshold in `theirs`; problems and (score diff, IoU)."""
    problems, pairs, used = [], [], set()
    for d in sorted(mine, key=lambda d: -d['score']):
        if d['score'] < tol.threshold:
            continue
        candidates = [
            (iou(d['bbox'], t['bbox']), i)
            for i, t in enumerate(theirs)
            if i not in used and t['label'] == d['label']
        ]
        best_iou, best = max(candidates, default=(0.0, None))
        if best is not None and best_iou >= tol.min_iou:
            diff = abs(theirs[best]['score'] - d['score'])
            used.add(best)
            pairs.append((diff, best_iou))
            # a pair above the threshold on both sides is reported once, from the reference
            once = side == 'reference' or theirs[best]['score'] < tol.threshold
            if diff > tol.score + 1e-9 and once:
                problems.append(
                    f'{image}: {d["label"]} {d["score"]:.3f} ({side}) scored '
                    f'{theirs[best]["score"]:.3f} on the other side: {diff / SCORE_STEP:.1f} '
                    f'steps > {tol.score_steps}'
                )
            continue
        lowest = min((t['score'] for t in theirs), default=0.0)
        if len(theirs) >= tol.cap and d['score'] <= lowest + tol.score:
            continue  # a near-tie cut by the other side's full list
        where = f'best IoU {best_iou:.2f}' if best is not None else 'no such label'
        problems.append(
            f'{image}: {d["label"]} {d["score"]:.3f} at {[round(v) for v in d["bbox"]]} '
            f'({side}) has no match on the other side ({where}, need IoU >= {tol.min_iou})'
        )
    return problems, pairs


def compare(
    reference: dict[str, list[dict]], candidate: dict[str, list[dict]], tol: Tolerance
) -> tuple[list[str], dict]:
    """Return the problems (empty: the runs agree) and a summary of what was compared."""
    problems = [f'{name}: only in the reference run' for name in reference.keys() - candidate]
    problems += [f'{name}: only in the candidate run' for name in candidate.keys() - reference]
    pairs = []
    for name in sorted(reference.keys() & candidate.keys()):
        for mine, theirs, side in (
            (reference[name], candidate[name], 'reference'),
            (candidate[name], reference[name], 'candidate'),
        ):
            found, matched = _one_side(name, mine, theirs, tol, side)
            problems += found
            if side == 'reference':
                pairs += matched
    summary = {
        'images': len(reference.keys() & candidate.keys()),
        'matched': len(pairs),
        'max_score_steps': max((d for d, _ in pairs), default=0.0) / SCORE_STEP,
        'min_iou': min((i for _, i in pairs), default=1.0),
    }
    return problems, summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('reference', help='detect --json output of the reference platform')
    parser.add_argument('candidate', help='detect --json output of the platform under test')
    parser.add_argument('--threshold', type=float, default=Tolerance.threshold)
    parser.add_argument('--score-steps', type=int, default=Tolerance.score_steps)
    parser.add_argument('--min-iou', type=float, default=Tolerance.min_iou)
    parser.add_argument('--cap', type=int, default=Tolerance.cap)
    args = parser.parse_args(argv)
    tol = Tolerance(args.threshold, args.score_steps, args.min_iou, args.cap)
    problems, summary = compare(read_run(args.reference), read_run(args.candidate), tol)
    print(
        f'{summary["images"]} images, {summary["matched"]} detections >= {tol.threshold} '
        f'matched: scores within {summary["max_score_steps"]:.1f} steps (allowed '
        f'{tol.score_steps}), IoU >= {summary["min_iou"]:.3f} (required {tol.min_iou})'
    )
    for problem in problems:
        print(f'MISMATCH {problem}')
    return 1 if problems or not summary['matched'] else 0


if __name__ == '__main__':
    sys.exit(main())
