"""
Trackers compared on one sequence: accuracy (TrackEval) and cost, as ratios to invoke().

The detector runs once per frame rate (every frame, every 2nd, every 3rd); every tracker
then sees the same detections, so the table compares trackers, not detector noise. The
contenders: the `trackers` package's ByteTrack (what the node runs), SORT and OC-SORT,
motpy, and a plain IoU-matching baseline (a box takes the id of the previous frame's box
it overlaps most, IoU >= 0.3, greedily by score; no motion model, no memory of lost tracks).
Cost is the tracker's time per frame over invoke()'s time per frame, measured in the same
run (these machines are noisy; docs/PERFORMANCE.md).
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

from collections.abc import Callable
from dataclasses import replace
import statistics
import time

import numpy as np

from ..core.detection import BBox, Detection
from ..core.detector import Detector, FrameSettings
from ..core.imageio import read_rgb
from ..core.tracking import ALGORITHMS, Tracker, TrackerSettings
from ..offline.mot import METRICS, score, Sequence
from ..offline.track_run import detect_sequence, Track, track_detections

SEQUENCE = 'track_pathtrack_street'  # the dev sequence, under ../shared/data
BASELINE = 'iou baseline'
CHOSEN = 'bytetrack'


class IouBaseline:
    """The plain IoU tracker the issue measures against (see the module docstring)."""

    def __init__(self, min_iou: float = 0.3):
        self.min_iou = min_iou
        self._last: list[Detection] = []
        self._next_id = 1

    def __call__(self, detections: list[Detection], stamp_s: float) -> list[Detection]:
        free = list(self._last)
        out = []
        for d in sorted(detections, key=lambda d: -d.score):
            best = max(free, key=lambda t: t.bbox.iou(d.bbox), default=None)
            if best is not None and best.bbox.iou(d.bbox) >= self.min_iou:
                free.remove(best)
                out.append(replace(d, track_id=best.track_id))
            else:
                out.append(replace(d, track_id=self._next_id))
                self._next_id += 1
        self._last = out
        return out


class Motpy:
    """motpy's MultiObjectTracker: a fixed time step (the nominal gap of the frames it gets)."""

    def __init__(self, dt: float):
        import motpy

        self._motpy = motpy
        self._tracker = motpy.MultiObjectTracker(dt=dt)
        self._ids: dict[str, int] = {}

    def __call__(self, detections: list[Detection], stamp_s: float) -> list[Detection]:
        mp = self._motpy
        self._tracker.step(
            [
                mp.Detection(
                    box=np.array([d.bbox.xmin, d.bbox.ymin, d.bbox.xmax, d.bbox.ymax]),
                    score=d.score,
                )
                for d in detections
            ]
        )
        out = []
        for track in self._tracker.active_tracks():
            ours = self._ids.setdefault(track.id, len(self._ids) + 1)
            # motpy returns its filtered box, not the detection: take the detection it fits
            best = max(detections, key=lambda d: _iou_xyxy(d, track.box), default=None)
            if best is not None and _iou_xyxy(best, track.box) > 0:
                out.append(replace(best, track_id=ours))
        return out


def _iou_xyxy(d: Detection, box: np.ndarray) -> float:
    return d.bbox.iou(BBox(*map(float, box)))


def contenders(sequence: Sequence, every: int) -> dict[str, Callable[[], Track]]:
    """Return a factory of each tracker compared, fresh state per run."""
    made: dict[str, Callable[[], Track]] = {
        name: (lambda name=name: Tracker(TrackerSettings(), name).update) for name in ALGORITHMS
    }
    made['motpy'] = lambda: Motpy(every / sequence.frame_rate)
    made[BASELINE] = IouBaseline
    return made


def compare(
    sequence: Sequence,
    detector: Detector,
    frame: FrameSettings | None = None,
    everies=(1, 2, 3),
    last: int | None = None,
) -> list[dict]:
    """Return one row per (tracker, every): METRICS, ms per frame, ratio to invoke()."""
    rows = []
    for every in everies:
        detected = detect_sequence(sequence, detector, frame, every, last)
        frames = len(detected.frames)
        invoke_ms = detected.invoke_ms / frames
        for name, make in contenders(sequence, every).items():
            tracked = track_detections(sequence, detected.frames, make())
            per_frame = tracked.track_ms / frames
            rows.append(
                {
                    'tracker': name,
                    'every': every,
                    'frames': frames,
                    **score(sequence, tracked.rows, detected.frames),
                    'track_ms': per_frame,
                    'invoke_ms': invoke_ms,
                    'ratio_to_invoke': per_frame / invoke_ms,
                }
            )
    return rows


def cost_suite(
    sequence: Sequence,
    detector: Detector,
    frame: FrameSettings | None = None,
    rounds: int = 3,
    settings: TrackerSettings = TrackerSettings(),
    last: int | None = None,
) -> dict:
    """
    Measure the chosen tracker's time per frame over invoke()'s, frame by frame in one loop.

    Each round detects every frame and hands its detections straight to a fresh tracker, so
    both are timed under the same load; the median of the rounds' ratios is the result.
    """
    ratios, invoke, track, detections, tracks = [], [], [], 0, 0
    length = min(last or sequence.length, sequence.length)
    for _ in range(rounds):
        tracker = Tracker(settings)
        invoke_ms = track_ms = 0.0
        for number in range(1, length + 1):
            rgb = read_rgb(sequence.frame_path(number))
            if rgb is None:
                continue
            result = detector.detect(rgb, frame)
            invoke_ms += result.timings.inference_ms
            start = time.perf_counter()
            tracker.update(result.detections, sequence.stamp(number))
            track_ms += (time.perf_counter() - start) * 1e3
            detections += len(result.detections)
            tracks += tracker.active_tracks
        ratios.append(track_ms / invoke_ms)
        invoke.append(invoke_ms / length)
        track.append(track_ms / length)
    frames = rounds * length
    return {
        'tracker': CHOSEN,
        'frames': length,
        'rounds': rounds,
        'ratio_to_invoke': statistics.median(ratios),
        'per_round': ratios,  # the ratio of each round
        'invoke_ms': statistics.median(invoke),
        'track_ms': statistics.median(track),
        'detections_per_frame': detections / frames,
        'active_tracks_per_frame': tracks / frames,
    }


def format_cost(r: dict) -> str:
    return (
        f'{r["tracker"]}: {r["track_ms"]:.2f} ms per frame = {r["ratio_to_invoke"]:.1%} of '
        f'invoke() ({r["invoke_ms"]:.1f} ms; median of {r["rounds"]} rounds over '
        f'{r["frames"]} frames, {r["detections_per_frame"]:.1f} detections and '
        f'{r["active_tracks_per_frame"]:.1f} live tracks per frame)'
    )


def format_markdown(rows: list[dict]) -> str:
    """Return the table of docs/TRACKING.md, with the ID-switch change against the baseline."""
    base = {r['every']: r['IDSW'] for r in rows if r['tracker'] == BASELINE}
    head = '| tracker | frames | ' + ' | '.join(METRICS) + ' | IDSW vs baseline | cost / invoke |'
    lines = [head, '|' + '---|' * (len(METRICS) + 4)]
    for r in rows:
        every = 'all' if r['every'] == 1 else f'every {r["every"]}'
        change = (r['IDSW'] - base[r['every']]) / base[r['every']] if base[r['every']] else 0.0
        cells = [
            f'{r[m]:.3f}' if m in ('HOTA', 'DetA', 'AssA', 'MOTA', 'IDF1') else f'{r[m]:.0f}'
            for m in METRICS
        ]
        lines.append(
            f'| {r["tracker"]} | {every} | ' + ' | '.join(cells)
            + f' | {change:+.0%} | {r["ratio_to_invoke"]:.2%} |'
        )
    return '\n'.join(lines)
