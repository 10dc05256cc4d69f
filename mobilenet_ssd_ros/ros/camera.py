"""
One camera of the node: its subscription and QoS, its output publishers, its counters.

Each camera reads `<name>/image` (or `image` when there is only one) and publishes under
`~/<name>/` (or `~/`). The input QoS is REP-2003's sensor-data profile by default
(best effort, keep last 1), with the standard per-topic `qos_overrides` parameters as
image_pipeline nodes offer them. The counters are kept per camera under one lock, since
the executor (frames received, lost), the worker (processed, bad frames) and the
diagnostics timer (reads and resets) all touch them.
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
from dataclasses import dataclass, field
import threading
from typing import Any

try:
    from rclpy.event_handler import SubscriptionEventCallbacks, UnsupportedEventTypeError
except ImportError:  # Humble: the same classes live in rclpy.qos_event
    from rclpy.qos_event import SubscriptionEventCallbacks, UnsupportedEventTypeError
from rclpy.lifecycle import LifecycleNode
from rclpy.qos import (
    DurabilityPolicy,
    HistoryPolicy,
    qos_profile_sensor_data,
    QoSProfile,
    ReliabilityPolicy,
)
from rclpy.qos_overriding_options import QoSOverridingOptions
from sensor_msgs.msg import Image
from vision_msgs.msg import Detection2DArray

from ..core.enhance import ImageQuality
from ..core.fog_switch import FogSwitch
from ..core.tracking import Tracker
from ..msg import DetectionStats


@dataclass(frozen=True)
class Snapshot:
    """A camera's counters at one diagnostics tick: totals, and what came since the last."""

    processed: int  # since the last tick
    latency_ms_sum: float  # since the last tick
    enhanced: int  # since the last tick
    verdicts: dict[str, int]  # image quality verdict: frames, since the last tick
    received: int  # reached the node's subscription (total)
    dropped: int  # replaced in the mailbox: reached the node, never processed (total)
    lost: int  # reported lost by the middleware: never reached the node (total)
    errors: dict[str, int]  # bad frames by kind (total)
    quality: ImageQuality | None  # of the last processed frame


@dataclass
class CameraStats:
    """Counters of one camera; the methods take its lock."""

    processed: int = 0
    latency_ms_sum: float = 0.0
    dropped_since_stats: int = 0  # since the last DetectionStats of this camera
    received_total: int = 0
    dropped_total: int = 0
    lost_total: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    enhanced: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    quality: ImageQuality | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def received(self, replaced: bool) -> None:
        """Count a frame put in the mailbox, and the one it replaced unprocessed."""
        with self.lock:
            self.received_total += 1
            if replaced:
                self.dropped_since_stats += 1
                self.dropped_total += 1

    def lost(self, count: int) -> None:
        with self.lock:
            self.lost_total += count

    def bad_frame(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1

    def processed_frame(
        self, latency_ms: float, verdict: str, enhanced: bool, quality: ImageQuality | None
    ) -> int:
        """Count a processed frame; return how many were dropped since the previous one."""
        with self.lock:
            dropped, self.dropped_since_stats = self.dropped_since_stats, 0
            self.processed += 1
            self.latency_ms_sum += latency_ms
            self.enhanced += enhanced
            self.verdicts[verdict] = self.verdicts.get(verdict, 0) + 1
            self.quality = quality
        return dropped

    def tick(self) -> Snapshot:
        """Return the counters, and start the per-tick ones again."""
        with self.lock:
            snapshot = Snapshot(
                processed=self.processed,
                latency_ms_sum=self.latency_ms_sum,
                enhanced=self.enhanced,
                verdicts=self.verdicts,
                received=self.received_total,
                dropped=self.dropped_total,
                lost=self.lost_total,
                errors=dict(self.errors),
                quality=self.quality,
            )
            self.processed, self.latency_ms_sum = 0, 0.0
            self.verdicts, self.enhanced = {}, 0
        return snapshot


class Camera:
    """One input: its subscription, its output publishers, its counters."""

    def __init__(self, index: int, name: str, prefix: str, out_prefix: str):
        self.index = index  # its slot in the worker's mailboxes
        self.name = name
        self.input_topic = f'{prefix}image'  # as the node asks for it (remappable)
        self.topic = self.input_topic  # fully resolved (namespace, remapping) once known
        # (kind, reason) of a frame still usable: the decoders' warnings, made once
        self.on_warning: Callable[[str, str], None] | None = None
        self.out_prefix = out_prefix
        self.subscription = None
        self.detections_pub = None
        self.stats_pub = None
        self.debug_pub = None
        self.stats = CameraStats()
        self.fog = FogSwitch()  # variant auto: whether this camera is in fog (core/fog_switch.py)
        self.tracker: Tracker | None = None  # its tracks while `tracking` is on (the node's)
        self.warned: set[str] = set()  # kinds of warning said once already (node.SAID_ONCE)

    def create_outputs(self, node: LifecycleNode) -> None:
        """Create the camera's lifecycle publishers: detections, stats and debug image."""
        out_qos = QoSProfile(depth=10)
        self.detections_pub = node.create_lifecycle_publisher(
            Detection2DArray, self.out_prefix + 'detections', out_qos
        )
        self.stats_pub = node.create_lifecycle_publisher(
            DetectionStats, self.out_prefix + 'stats', out_qos
        )
        self.debug_pub = node.create_lifecycle_publisher(
            Image, self.out_prefix + 'debug_image', QoSProfile(depth=1)
        )

    def destroy_outputs(self, node: LifecycleNode) -> None:
        for pub in (self.detections_pub, self.stats_pub, self.debug_pub):
            if pub is not None:
                node.destroy_lifecycle_publisher(pub)
        self.detections_pub = self.stats_pub = self.debug_pub = None

    def subscribe(
        self,
        node: LifecycleNode,
        msg_type: type,
        topic: str,
        qos: QoSProfile,
        raw: bool,
        on_image: Callable[[Camera, Any], None],
    ) -> None:
        """
        Create the camera's subscription, counting what the middleware reports lost.

        (Where the RMW supports that event.) The base profile comes from input_qos(); the
        standard per-topic qos_overrides parameters refine it (start-up only), e.g.
        qos_overrides./camera/image_raw.subscription.reliability.
        """

        def on_lost(info: Any) -> None:
            self.stats.lost(int(info.total_count_change))

        def callback(msg: Any) -> None:
            on_image(self, msg)

        overrides = QoSOverridingOptions.with_default_policies()
        try:
            self.subscription = node.create_subscription(
                msg_type,
                topic,
                callback,
                qos,
                qos_overriding_options=overrides,
                event_callbacks=SubscriptionEventCallbacks(message_lost=on_lost),
                raw=raw,
            )
        except UnsupportedEventTypeError:
            self.subscription = node.create_subscription(
                msg_type, topic, callback, qos, qos_overriding_options=overrides, raw=raw
            )
        self.topic = self.subscription.topic_name

    def unsubscribe(self, node: LifecycleNode) -> None:
        if self.subscription is not None:
            node.destroy_subscription(self.subscription)
            self.subscription = None


def cameras_for(names: tuple[str, ...]) -> list[Camera]:
    """Return the cameras the `cameras` parameter names (one unnamed camera when empty)."""
    if not names:
        return [Camera(0, 'camera', '', '~/')]
    return [Camera(i, n, f'{n}/', f'~/{n}/') for i, n in enumerate(names)]


def input_qos(reliability: str, depth: int) -> QoSProfile:
    """Return the input profile: REP-2003 sensor data (best effort) or reliable, keep last."""
    return QoSProfile(
        history=HistoryPolicy.KEEP_LAST,
        depth=depth,
        reliability=ReliabilityPolicy.RELIABLE
        if reliability == 'reliable'
        else qos_profile_sensor_data.reliability,
        durability=DurabilityPolicy.VOLATILE,
    )
