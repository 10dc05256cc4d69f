"""
Replay a camera bag through the detector offline: results bag + report, no middleware.

Two modes:
- `every_frame=True`: every image is processed; the output depends only on the bag and
  the model (deterministic), which is what tests and accuracy checks want.
- default (real time): the node's worker is simulated on the bag's recorded arrival
  times with the node's own newest-frame mailbox (core/mailboxes.py). A frame that
  arrives while the worker is busy waits in the slot; a newer arrival replaces it (the
  replaced frame is dropped and counted); the worker takes the waiting frame as soon as
  it is free. Each frame occupies the simulated worker for its measured processing time,
  or for `frame_ms` when given (to see what a slower machine, such as a Pi 4, would
  drop). So replay processes and drops exactly the frames the node would, on a machine
  with that processing time.
Detections and stats go into the output bag on the node's topics, stamped with the
original bag times and image headers, so the result bag lines up with the camera bag; it
is written in complete segments, so that a replay stopped part way keeps what it wrote
(bag_writer.py).
`latency_ms` in the stats means what it means in the node (see msg/DetectionStats.msg):
from the image's header stamp to the (simulated) publication of its detections.
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

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
import itertools
from pathlib import Path
import time

import numpy as np

from .bag import BagError, Frame, read_frames, STORAGES
from .bag_writer import SEGMENT_FRAMES, SegmentedWriter
from .datasets import Sample
from .evaluate import EvalResult, evaluate, format_table
from ..convert.bag_types import typestore
from ..convert.image_input import BadImageError, message_to_image
from ..convert.messages import DETECTION_ARRAY, detection_array, STATS, stats_message
from ..core.detection import Detection
from ..core.detector import Detector
from ..core.fog_switch import FogSwitch, TwoModels
from ..core.mailboxes import Mailboxes
from ..core.tracking import Tracker

DETECTIONS_TOPIC = '/mobilenet_ssd/detections'
STATS_TOPIC = '/mobilenet_ssd/stats'


@dataclass
class ReplayReport:
    bag: str
    output: str
    topic: str = ''
    model_id: str = ''
    frames: int = 0
    processed: int = 0
    dropped: int = 0
    processed_indices: list[int] = field(default_factory=list)
    processing_ms: list[float] = field(default_factory=list)
    latency_ms: list[float] = field(default_factory=list)
    per_class: Counter = field(default_factory=Counter)
    evaluation: EvalResult | None = None
    error: str | None = None
    stopped: bool = False  # by a signal; the bag holds every frame processed before it
    fog_frames: int = 0  # variant auto: frames the fog model ran
    switches: int = 0  # variant auto: switches between the models
    tracks: int = 0  # --tracking: track ids handed out

    def format(self) -> str:  # noqa: A003 (a method, shadows nothing)
        lines = [
            f'bag {self.bag}  topic {self.topic}  model {self.model_id}',
            f'frames {self.frames}  processed {self.processed}  dropped {self.dropped}',
        ]
        if self.processing_ms:
            ms, lat = np.array(self.processing_ms), np.array(self.latency_ms)
            lines.append(
                f'processing {1e3 * len(ms) / ms.sum():.1f} FPS ({np.median(ms):.1f} ms per '
                'frame); latency '
                f'(stamp to publish) ms p50 {np.percentile(lat, 50):.1f} p90 '
                f'{np.percentile(lat, 90):.1f} '
                f'p99 {np.percentile(lat, 99):.1f} max {lat.max():.1f}'
            )
        lines.append(
            'detections per class: '
            + (', '.join(f'{name} {n}' for name, n in self.per_class.most_common()) or 'none')
        )
        if self.evaluation is not None:
            lines.append(format_table(self.evaluation, 'accuracy against the ground truth'))
        if self.model_id.startswith('auto: '):
            lines.append(
                f'variant auto: the fog model ran {self.fog_frames} of {self.processed} frames, '
                f'{self.switches} switch(es)'
            )
        if self.tracks:
            lines.append(f'tracking: {self.tracks} track ids (Detection2D.id)')
        lines.append(f'results: {self.output} ({DETECTIONS_TOPIC}, {STATS_TOPIC})')
        if self.error:
            lines.append(f'error: {self.error}')
        return '\n'.join(lines)


class ReplayError(RuntimeError):
    """Replay stopped early; `report` holds what was processed (and written) before."""

    def __init__(self, message: str, report: ReplayReport):
        super().__init__(message)
        self.report = report


def stamp_ns(header) -> int:
    return header.stamp.sec * 1_000_000_000 + header.stamp.nanosec


def simulate_worker(frames: Iterable[Frame], process: Callable[[Frame, int, int], int]) -> int:
    """
    Run `process` on the frames the node's worker would take, at their recorded arrival times.

    `process(frame, start_ns, dropped_before)` returns its busy time in ns.

    `dropped_before` counts the frames replaced in the mailbox since the previous processed one.
    Returns the number of frames dropped.
    """
    mailbox: Mailboxes[Frame] = Mailboxes(1)
    free_at: int | None = None  # when the simulated worker finishes its current frame
    dropped = total_dropped = 0

    def serve_waiting() -> None:
        nonlocal free_at, dropped
        taken = mailbox.take()
        if taken is not None:
            waiting = taken[1]
            start = waiting.timestamp if free_at is None else max(free_at, waiting.timestamp)
            free_at = start + process(waiting, start, dropped)
            dropped = 0

    for frame in frames:
        if free_at is None or free_at <= frame.timestamp:  # idle by now: it took the waiting frame
            serve_waiting()
        if mailbox.put(0, frame):
            dropped += 1
            total_dropped += 1
    serve_waiting()  # the end of the bag: the waiting frame still gets its turn
    return total_dropped


def _every_frame(frames: Iterable[Frame], process: Callable[[Frame, int, int], int]) -> int:
    for frame in frames:
        process(frame, frame.timestamp, 0)
    return 0


def replay(
    bag: str | Path,
    output: str | Path,
    detector: Detector | TwoModels,
    *,
    topic: str | None = None,
    every_frame: bool = False,
    frame_ms: float | None = None,
    storage: str = 'mcap',
    ground_truth: Sequence[Sample] | None = None,
    segment_frames: int = SEGMENT_FRAMES,
    should_stop: Callable[[], bool] = lambda: False,
    tracker: Tracker | None = None,
) -> ReplayReport:
    """
    Run `detector` over the image frames of `bag`, write results to `output`.

    With a `tracker`, the detections of each processed frame go through it on the frame's
    header stamp, as the node's with `tracking` on: the results carry track ids.

    The output bag is written in segments of `segment_frames` processed frames
    (bag_writer.py). `should_stop()` is asked before each frame is read: once it says so,
    the replay ends with every processed frame in the bag (ReplayError, report.stopped);
    a process killed outright keeps every completed segment.
    """
    output = Path(output)
    if output.exists():
        raise BagError(f'{output} exists; rosbag2 output folders must be new')
    if storage not in STORAGES:
        raise BagError(f'unknown storage {storage!r}; use one of {", ".join(STORAGES)}')
    if frame_ms is not None and frame_ms <= 0:
        raise BagError(f'frame_ms must be positive, got {frame_ms}')
    if isinstance(detector, TwoModels):  # variant auto: switched on the bag's stamps, as the node
        models = detector
        model_id = f'auto: {models.clear.detector.model_id} / {models.fog.detector.model_id}'
    else:
        models, model_id = TwoModels.single(detector), detector.model_id
    switch = FogSwitch(models.rule)  # moves only with a fog model (variant auto)
    report = ReplayReport(bag=str(bag), output=str(output), model_id=model_id)
    predictions: dict[str, list[Detection]] = {}
    frames = read_frames(bag, topic)
    first = next(frames, None)  # opens the bag and checks the topic before any output exists
    if first is None:
        raise BagError(f'{bag}: the image topic has no messages')
    store = typestore()
    with SegmentedWriter(output, storage, store, segment_frames) as writer:
        detections_conn = writer.add_connection(DETECTIONS_TOPIC, DETECTION_ARRAY)
        stats_conn = writer.add_connection(STATS_TOPIC, STATS)

        def counted(source: Iterator[Frame]) -> Iterator[Frame]:
            for frame in source:
                report.frames += 1
                report.topic = frame.topic
                yield frame

        def process(frame: Frame, start_ns: int, dropped: int) -> int:
            if report.error:
                return 0
            start = time.perf_counter()
            try:
                image = message_to_image(frame.msg)
            except BadImageError as exc:
                report.error = f'frame {frame.index} (t={frame.timestamp} ns): {exc}'
                return 0
            converted = time.perf_counter()
            header = frame.msg.header
            stamp_s = stamp_ns(header) / 1e9
            was_foggy = switch.foggy
            result, chosen = models.detect(image, switch, stamp_s)
            report.fog_frames += was_foggy
            report.switches += switch.foggy != was_foggy
            if tracker is not None:
                result = replace(result, detections=tracker.update(result.detections, stamp_s))
                report.tracks = tracker.ids_issued
            detections = result.detections
            writer.write(
                detections_conn,
                frame.timestamp,
                store.serialize_cdr(
                    detection_array(detections, header, store.types), DETECTION_ARRAY
                ),
            )
            elapsed_ms = (time.perf_counter() - start) * 1e3  # taken -> detections written
            busy_ms = frame_ms if frame_ms is not None else elapsed_ms
            published_ns = start_ns + round(busy_ms * 1e6)
            latency_ms = (published_ns - stamp_ns(header)) / 1e6
            stats = stats_message(
                store.types,
                header,
                result,
                chosen.detector,
                convert_ms=(converted - start) * 1e3,
                total_ms=elapsed_ms,
                latency_ms=latency_ms,
                frames_dropped=dropped,
            )
            writer.write(stats_conn, frame.timestamp, store.serialize_cdr(stats, STATS))
            writer.frame_done()
            report.processed += 1
            report.processed_indices.append(frame.index)
            report.processing_ms.append(elapsed_ms)
            report.latency_ms.append(latency_ms)
            report.per_class.update(d.label for d in detections)
            if ground_truth is not None and frame.index < len(ground_truth):
                predictions[ground_truth[frame.index].image_path.name] = detections
            return round(busy_ms * 1e6)

        run = _every_frame if every_frame else simulate_worker
        frames = _until_error(itertools.chain([first], frames), report, should_stop)
        report.dropped = run(counted(frames), process)
    # (the writer has closed: every processed frame's results are in the bag)
    if report.error:
        raise ReplayError(report.error, report)
    if ground_truth is not None:
        if report.frames != len(ground_truth):
            raise ReplayError(
                f'the bag has {report.frames} frames but the ground truth {len(ground_truth)} '
                'images; '
                'frames are matched to images in order',
                report,
            )
        report.evaluation = evaluate(ground_truth, predictions)
    return report


def _until_error(
    frames: Iterator[Frame], report: ReplayReport, should_stop: Callable[[], bool]
) -> Iterator[Frame]:
    """Stop reading the bag once a frame failed or a stop was asked for (results stay)."""
    for frame in frames:
        if report.error:
            return
        if should_stop():
            report.error = f'stopped after {report.processed} processed frames'
            report.stopped = True
            return
        yield frame
