"""
From a camera's mailbox to its detections: the worker thread and what it does per frame.

Newest-frame processing (core/mailboxes.py): each camera has a one-slot mailbox. The
subscription callback (executor thread) only puts the message there; a frame that
replaces one still waiting is counted as dropped. One worker thread serves the cameras
round-robin, so latency never grows with backlog and no camera starves. The executor
never runs inference.

Per frame (FramePipeline): deserialize (raw subscriptions: only here), convert the image,
detect with the node's current detector and frame settings (read once, one immutable
pair), publish the Detection2DArray, the debug image while someone watches, and the
DetectionStats. One bad frame never stops the worker: it becomes a counter and a
throttled log line.
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
from dataclasses import dataclass, replace
import threading
import time
from typing import Any

import cv2
import numpy as np
from rclpy.clock import Clock

from .camera import Camera
from .frames import FrameCodec, FrameError
from ..convert.image_input import BadImageError, message_to_image
from ..convert.messages import detection_array, RCLPY_TYPES, rgb_image, stats_message
from ..core.draw import annotate
from ..core.fog_switch import Choice, TwoModels
from ..core.mailboxes import Mailboxes


class Worker:
    """One thread taking the newest frame of each camera in turn and handing it on."""

    def __init__(self, cameras: int, handle: Callable[[int, Any], None]):
        """Serve `cameras` mailboxes; `handle(index, item)` processes one frame, never raises."""
        self._mailboxes: Mailboxes[Any] = Mailboxes(cameras)
        self._condition = threading.Condition()
        self._handle = handle
        self._running = False
        self._thread: threading.Thread | None = None

    def put(self, index: int, item: Any) -> bool | None:
        """Leave a frame for camera `index`: True if it replaced one, None if not running."""
        with self._condition:
            if not self._running:
                return None
            replaced = self._mailboxes.put(index, item)
            self._condition.notify()
        return replaced

    def start(self) -> None:
        with self._condition:
            self._running = True
        self._thread = threading.Thread(
            target=self._work, name='mobilenet_ssd_worker', daemon=True
        )
        self._thread.start()

    def stop(self, join_timeout: float) -> bool:
        """Stop taking frames and wait for the current one; False if still busy after that."""
        with self._condition:
            self._running = False
            self._mailboxes.clear()
            self._condition.notify_all()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=join_timeout)
            if thread.is_alive():
                return False
            self._thread = None
        return True

    def _next(self) -> tuple[int, Any] | None:
        """Wait for a frame, serving cameras round-robin. None when stopping."""
        with self._condition:
            while self._running:
                item = self._mailboxes.take()
                if item is not None:
                    return item
                self._condition.wait()
        return None

    def _work(self) -> None:
        while True:
            item = self._next()
            if item is None:
                return
            index, msg = item
            del item
            self._handle(index, msg)
            # The frame must not outlive its processing while the worker waits for the next
            # one: an 8000x6000 rgb8 frame is 144 MB.
            del msg


@dataclass
class FramePipeline:
    """What the worker does with one frame of one camera."""

    codec: FrameCodec
    clock: Clock
    publish_debug: Callable[[], bool]  # the parameter, read per frame
    max_pixels: Callable[[], int]  # the parameter, read per frame
    on_switch: Callable[[Camera, Choice], None] = lambda cam, choice: None  # variant auto

    def __call__(self, cam: Camera, item: Any, running: TwoModels) -> None:
        """Process one frame; BadImageError for a frame that cannot be read."""
        start = time.perf_counter()
        try:
            msg, header = self.codec.decode(item, cam.index)  # raw: deserialized only here
        except FrameError as exc:
            raise BadImageError('serialization', str(exc)) from exc
        image = message_to_image(msg, self.max_pixels(), cam.on_warning)
        converted = time.perf_counter()
        stamp_ns = header.stamp.sec * 1_000_000_000 + header.stamp.nanosec
        stamp_s = stamp_ns / 1e9  # the frames' own time, as replay's
        was_foggy = cam.fog.foggy
        result, chosen = running.detect(image, cam.fog, stamp_s)
        tracker = cam.tracker  # None while tracking is off
        if tracker is not None:
            result = replace(result, detections=tracker.update(result.detections, stamp_s))
        cam.detections_pub.publish(detection_array(result.detections, header, RCLPY_TYPES))
        if self.publish_debug() and cam.debug_pub.get_subscription_count() > 0:
            rgb = image if image.ndim == 3 and image.shape[2] == 3 else _to_rgb(image)
            cam.debug_pub.publish(rgb_image(annotate(rgb, result.detections), header, RCLPY_TYPES))
        done = time.perf_counter()
        latency_ms = (self.clock.now().nanoseconds - stamp_ns) / 1e6
        verdict = result.quality.verdict() if result.quality is not None else 'unknown'
        if cam.fog.foggy != was_foggy:
            self.on_switch(cam, running.current(cam.fog))  # from the next frame on
        dropped = cam.stats.processed_frame(latency_ms, verdict, result.enhanced, result.quality)
        cam.stats_pub.publish(
            stats_message(
                RCLPY_TYPES,
                header,
                result,
                chosen.detector,
                convert_ms=(converted - start) * 1e3,
                total_ms=(done - start) * 1e3,
                latency_ms=latency_ms,
                frames_dropped=dropped,
            )
        )


def _to_rgb(image: np.ndarray) -> np.ndarray:
    """Grayscale or RGBA -> RGB, for drawing the debug image."""
    return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB if image.ndim == 2 else cv2.COLOR_RGBA2RGB)
