"""
Detector and tracker over a MOTChallenge sequence, as the node would run them on its frames.

The frames are detected once and tracked by stamp (frame k at (k - 1) / frameRate seconds),
so a run on every n-th frame is what a node that keeps up with only every n-th frame would
publish. A frame that is missing or cannot be decoded is skipped and listed (the tracker
sees a longer gap, as after a dropped frame); it never stops the run.
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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
import time

from .mot import Sequence, TrackRow
from ..core.detection import Detection
from ..core.detector import Detector, FrameSettings
from ..core.imageio import read_rgb

# What a tracker is to a run: detections and the frame's stamp in, tracked detections out.
Track = Callable[[list[Detection], float], list[Detection]]


@dataclass
class Detected:
    """Each frame's detections (frame number -> detections), and the frames skipped, why."""

    frames: dict[int, list[Detection]] = field(default_factory=dict)
    skipped: dict[int, str] = field(default_factory=dict)
    detect_ms: float = 0.0  # all detect() calls together
    invoke_ms: float = 0.0  # the interpreter's part of them


def detect_sequence(
    sequence: Sequence,
    detector: Detector,
    frame: FrameSettings | None = None,
    every: int = 1,
    last: int | None = None,
) -> Detected:
    """Detect every `every`-th frame (1, 1 + every, ...), up to frame `last` (default: all)."""
    out = Detected()
    for number in range(1, min(last or sequence.length, sequence.length) + 1, every):
        path = sequence.frame_path(number)
        if not path.is_file():
            out.skipped[number] = f'{path.name} missing'
            continue
        rgb = read_rgb(path)
        if rgb is None:
            out.skipped[number] = f'{path.name} cannot be decoded'
            continue
        result = detector.detect(rgb, frame)
        out.frames[number] = result.detections
        out.detect_ms += result.timings.total_ms
        out.invoke_ms += result.timings.inference_ms
    return out


@dataclass
class Tracked:
    """Each tracked box as a result row, and the time the tracker took."""

    rows: list[TrackRow]
    track_ms: float


def track_detections(
    sequence: Sequence, frames: Mapping[int, list[Detection]], track: Track
) -> Tracked:
    """Feed each frame's detections to `track` in frame order, stamped by the frame rate."""
    rows, spent = [], 0.0
    for number in sorted(frames):
        start = time.perf_counter()
        tracked = track(frames[number], sequence.stamp(number))
        spent += time.perf_counter() - start
        rows += [TrackRow(number, d) for d in tracked]
    return Tracked(rows, spent * 1e3)
