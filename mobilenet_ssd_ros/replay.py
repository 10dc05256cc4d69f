"""Replay a camera bag through the detector offline: results bag + report, no middleware.

Two modes:
- `every_frame=True`: every image is processed; the output depends only on the bag and
  the model (deterministic), which is what tests and accuracy checks want.
- default (real time): frames are dropped exactly when the node would drop them at the
  bag's recorded rate: a frame that arrives (bag time) while the previous one is still
  being processed (its measured processing time) is skipped and counted.
Detections and stats go into the output bag on the node's topics, stamped with the
original bag times and image headers, so the result bag lines up with the camera bag.
"""
from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rosbags.rosbag2 import Writer

from .bag import STORAGES, BagError, read_frames
from .bag_types import typestore
from .datasets import Sample
from .detection import Detection
from .detector import Detector
from .evaluate import EvalResult, evaluate, format_table
from .image_input import BadImageError, message_to_image

DETECTIONS_TOPIC = "/mobilenet_ssd/detections"
STATS_TOPIC = "/mobilenet_ssd/stats"
DETECTIONS_TYPE = "vision_msgs/msg/Detection2DArray"
STATS_TYPE = "mobilenet_ssd_ros/msg/DetectionStats"


@dataclass
class ReplayReport:
    bag: str
    output: str
    topic: str = ""
    model_id: str = ""
    frames: int = 0
    processed: int = 0
    dropped: int = 0
    processing_ms: list[float] = field(default_factory=list)
    per_class: Counter = field(default_factory=Counter)
    evaluation: EvalResult | None = None
    error: str | None = None

    def format(self) -> str:
        lines = [f"bag {self.bag}  topic {self.topic}  model {self.model_id}",
                 f"frames {self.frames}  processed {self.processed}  dropped {self.dropped}"]
        if self.processing_ms:
            ms = np.array(self.processing_ms)
            lines.append(
                f"processing {1e3 * len(ms) / ms.sum():.1f} FPS; latency ms p50 {np.percentile(ms, 50):.1f} "
                f"p90 {np.percentile(ms, 90):.1f} p99 {np.percentile(ms, 99):.1f} max {ms.max():.1f}")
        lines.append("detections per class: " + (", ".join(
            f"{name} {n}" for name, n in self.per_class.most_common()) or "none"))
        if self.evaluation is not None:
            lines.append(format_table(self.evaluation, "accuracy against the ground truth"))
        lines.append(f"results: {self.output} ({DETECTIONS_TOPIC}, {STATS_TOPIC})")
        if self.error:
            lines.append(f"error: {self.error}")
        return "\n".join(lines)


class ReplayError(RuntimeError):
    """Replay stopped early; `report` holds what was processed (and written) before."""

    def __init__(self, message: str, report: ReplayReport):
        super().__init__(message)
        self.report = report


class _ResultWriter:
    """Builds rosbags messages of the node's output types and writes them."""

    def __init__(self, writer: Writer):
        self.store = typestore()
        self.writer = writer
        self.detections = writer.add_connection(DETECTIONS_TOPIC, DETECTIONS_TYPE, typestore=self.store)
        self.stats = writer.add_connection(STATS_TOPIC, STATS_TYPE, typestore=self.store)
        t = self.store.types
        self._pose = t["geometry_msgs/msg/PoseWithCovariance"](
            pose=t["geometry_msgs/msg/Pose"](position=t["geometry_msgs/msg/Point"](x=0.0, y=0.0, z=0.0),
                                             orientation=t["geometry_msgs/msg/Quaternion"](x=0.0, y=0.0, z=0.0, w=1.0)),
            covariance=np.zeros(36, np.float64))

    def write(self, timestamp: int, header, detections: Sequence[Detection], stats: dict) -> None:
        t = self.store.types
        items = []
        for d in detections:
            cx, cy = d.bbox.center
            items.append(t["vision_msgs/msg/Detection2D"](
                header=header,
                results=[t["vision_msgs/msg/ObjectHypothesisWithPose"](
                    hypothesis=t["vision_msgs/msg/ObjectHypothesis"](class_id=d.label, score=d.score),
                    pose=self._pose)],
                bbox=t["vision_msgs/msg/BoundingBox2D"](
                    center=t["vision_msgs/msg/Pose2D"](position=t["vision_msgs/msg/Point2D"](x=cx, y=cy), theta=0.0),
                    size_x=d.bbox.width, size_y=d.bbox.height),
                id=""))
        array = t[DETECTIONS_TYPE](header=header, detections=items)
        self.writer.write(self.detections, timestamp, self.store.serialize_cdr(array, DETECTIONS_TYPE))
        self.writer.write(self.stats, timestamp,
                          self.store.serialize_cdr(t[STATS_TYPE](header=header, **stats), STATS_TYPE))


def replay(bag: str | Path, output: str | Path, detector: Detector, *, topic: str | None = None,
           every_frame: bool = False, storage: str = "mcap",
           ground_truth: Sequence[Sample] | None = None) -> ReplayReport:
    """Run `detector` over the image frames of `bag`, write results to `output`."""
    output = Path(output)
    if output.exists():
        raise BagError(f"{output} exists; rosbag2 output folders must be new")
    if storage not in STORAGES:
        raise BagError(f"unknown storage {storage!r}; use one of {', '.join(STORAGES)}")
    report = ReplayReport(bag=str(bag), output=str(output), model_id=detector.model_id)
    predictions: dict[str, list[Detection]] = {}
    frames = read_frames(bag, topic)
    first = next(frames, None)  # opens the bag and checks the topic before any output exists
    if first is None:
        raise BagError(f"{bag}: the image topic has no messages")
    busy_until = -1
    dropped_since = 0
    with Writer(output, version=9, storage_plugin=STORAGES[storage]) as writer:
        results = _ResultWriter(writer)
        for frame in itertools.chain([first], frames):
            report.frames += 1
            report.topic = frame.topic
            if not every_frame and frame.timestamp < busy_until:
                report.dropped += 1
                dropped_since += 1
                continue
            start = time.perf_counter()
            try:
                image = message_to_image(frame.msg)
            except BadImageError as exc:
                report.error = f"frame {frame.index} (t={frame.timestamp} ns): {exc}"
                break
            converted = time.perf_counter()
            detections = detector.detect(image)
            done = time.perf_counter()
            t = detector.last_timings
            elapsed_ms = (done - start) * 1e3
            busy_until = frame.timestamp + int(elapsed_ms * 1e6)
            results.write(frame.timestamp, frame.msg.header, detections, {
                "preprocess_ms": (converted - start) * 1e3 + t.preprocess_ms, "inference_ms": t.inference_ms,
                "postprocess_ms": t.postprocess_ms, "total_ms": elapsed_ms, "latency_ms": elapsed_ms,
                "frames_dropped": dropped_since, "num_detections": len(detections),
                "model_id": detector.model_id, "alpha": float(detector.alpha),
                "resolution": detector.input_size[0]})
            dropped_since = 0
            report.processed += 1
            report.processing_ms.append(elapsed_ms)
            report.per_class.update(d.label for d in detections)
            if ground_truth is not None and frame.index < len(ground_truth):
                predictions[ground_truth[frame.index].image_path.name] = detections
    if report.error:
        raise ReplayError(report.error, report)
    if ground_truth is not None:
        if report.frames != len(ground_truth):
            raise ReplayError(f"the bag has {report.frames} frames but the ground truth {len(ground_truth)} images; "
                              "frames are matched to images in order", report)
        report.evaluation = evaluate(ground_truth, predictions)
    return report
