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
The ROS 2 lifecycle node: camera images in, vision_msgs/Detection2DArray out.

The node only translates between ROS and the core (`Detector`). Its shape:
- configure: validate parameters, load the model, create publishers. A failure returns
  FAILURE with the reason in the log and leaves nothing behind (state: unconfigured).
- activate: subscribe to the cameras and start the one worker thread. Subscriptions
  exist only while active, so an inactive node costs no CPU for incoming images.
- deactivate: unsubscribe, stop the worker; nothing is processed or published.
- cleanup / shutdown / error: release the interpreter and every entity.

Newest-frame processing (core/mailboxes.py): each camera has a one-slot mailbox. The
subscription callback (executor thread) only puts the message there; a frame that
replaces one still waiting is counted as dropped. One worker thread serves the cameras
round-robin, so latency never grows with backlog and no camera starves. The executor
never runs inference. A model file is checked (type, size, TFLite header) before it is
read, so a wrong `model` value is rejected at once; loading a valid model (tens of ms)
happens in the parameter callback, on the executor thread. (A two-thread executor would
take that off the image path, but rclpy 9 then crashes with InvalidHandle when a
subscription that has event callbacks is destroyed while another thread builds the wait
set, as deactivate does; the message-lost event is worth more.) The executor is rclpy's
C++ EventsExecutor where rclpy has it (parameter `executor`), single-threaded as well.

Nothing a user sends stops the process: every exception in a parameter callback becomes
a rejection with a reason, every exception in a transition a FAILURE with the reason in
the log, every bad frame a counter in /diagnostics and a log line throttled per kind.
SIGINT/SIGTERM end the process quietly with status 0 in every state (main() handles
them itself, see _StopRequest).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
import functools
import os
from pathlib import Path
import signal
import sys
import threading
import time
from typing import Any

import cv2
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
import numpy as np
from rcl_interfaces.msg import (
    FloatingPointRange,
    IntegerRange,
    ParameterDescriptor,
    ParameterType,
    SetParametersResult,
)
import rclpy

try:
    from rclpy.event_handler import SubscriptionEventCallbacks, UnsupportedEventTypeError
except ImportError:  # Humble: the same classes live in rclpy.qos_event
    from rclpy.qos_event import SubscriptionEventCallbacks, UnsupportedEventTypeError
from rclpy.exceptions import ParameterUninitializedException
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn
from rclpy.parameter import Parameter
from rclpy.qos import (
    DurabilityPolicy,
    HistoryPolicy,
    qos_profile_sensor_data,
    QoSProfile,
    ReliabilityPolicy,
)
from rclpy.qos_overriding_options import QoSOverridingOptions
from rclpy.signals import SignalHandlerOptions
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Header
from vision_msgs.msg import Detection2DArray, LabelInfo

from .frames import frame_codec, FrameCodec, FrameError, TypedFrames
from .image_input import BadImageError, DEFAULT_MAX_PIXELS, message_to_image
from .log_throttle import KindThrottle
from .messages import detection_array, label_info, quality_fields, RCLPY_TYPES, rgb_image
from .. import zoo
from ..core.detector import Detector
from ..core.draw import annotate
from ..core.enhance import Enhancer, ImageQuality, METHODS
from ..core.labels import short_path
from ..core.mailboxes import Mailboxes
from ..msg import DetectionStats

NODE_NAME = 'mobilenet_ssd'
LOG_THROTTLE_S = 5.0
MODEL_PARAMS = ('alpha', 'resolution', 'variant', 'model', 'labels')
FILTER_PARAMS = ('score_threshold', 'classes', 'max_detections')
UNUSABLE_SHARE = 0.5  # /diagnostics: WARN when more frames than this are not 'ok'
MAX_REASON_CHARS = 1000  # a rejection reason or log line, however large the request was
EXIT_JOIN_S = 1.0  # at exit, how long the worker may take to finish its frame
SPIN_PERIOD_S = 0.1  # the executor's longest wait: how soon a signal is noticed


def _descriptor(
    description: str,
    *,
    read_only: bool = False,
    float_range=None,
    int_range=None,
    type_: int | None = None,
) -> ParameterDescriptor:
    d = ParameterDescriptor(description=description, read_only=read_only)
    if float_range:
        d.floating_point_range = [
            FloatingPointRange(from_value=float_range[0], to_value=float_range[1], step=0.0)
        ]
    if int_range:
        d.integer_range = [IntegerRange(from_value=int_range[0], to_value=int_range[1], step=1)]
    if type_ is not None:
        d.type = type_
    return d


# name: (default, descriptor). Defaults documented in config/params.yaml.
PARAMETERS: dict[str, tuple[Any, ParameterDescriptor]] = {
    'alpha': (
        zoo.DEFAULT_ENTRY.alpha,
        _descriptor(
            'MobileNet width multiplier of the zoo model, as measured from its graph; only widths '
            'with a model '
            'on this machine are accepted (mobilenet-ssd models lists the (alpha, resolution) '
            'pairs)'
        ),
    ),
    'resolution': (
        300,
        _descriptor('square input resolution of the zoo model, pixels', int_range=(32, 1024)),
    ),
    'variant': (
        '',
        _descriptor(
            "named variant of the zoo model, e.g. 'weather' (trained on synthetic bad weather); "
            'empty: the plain model'
        ),
    ),
    'model': (
        '',
        _descriptor('explicit .tflite path; overrides the zoo lookup by alpha/resolution'),
    ),
    'labels': ('', _descriptor('label map file; default: embedded in the model or next to it')),
    'score_threshold': (
        0.5,
        _descriptor('minimum score of a published detection', float_range=(0.0, 1.0)),
    ),
    'classes': (
        Parameter.Type.STRING_ARRAY,
        _descriptor(
            'allow-list of label names; unset or empty: every class',
            type_=ParameterType.PARAMETER_STRING_ARRAY,
        ),
    ),
    'max_detections': (
        0,
        _descriptor('most detections per image; 0: all the model returns', int_range=(0, 1000)),
    ),
    'enhance': (
        'off',
        _descriptor(
            'test-time enhancement of the model-sized image: off, stretch (every frame) or '
            'auto (only frames whose haze or low contrast says so); applies to the next frame'
        ),
    ),
    'num_threads': (
        0,
        _descriptor(
            'interpreter threads; 0: all cores (takes effect on configure)', int_range=(0, 64)
        ),
    ),
    'use_xnnpack': (True, _descriptor('use the XNNPACK delegate (takes effect on configure)')),
    'input_compressed': (
        False,
        _descriptor(
            'subscribe to <image>/compressed (sensor_msgs/CompressedImage, JPEG or PNG) instead '
            'of <image>'
        ),
    ),
    'raw_subscriptions': (
        True,
        _descriptor(
            'take frames serialized and deserialize only those the worker processes (needs '
            'rosbags; without it, or false, rclpy deserializes every frame); read on activate'
        ),
    ),
    'executor': (
        'events',
        _descriptor(
            "events (rclpy's C++ EventsExecutor where this rclpy has it, else single_threaded) "
            'or single_threaded; start-up only',
            read_only=True,
        ),
    ),
    'qos_reliability': (
        'best_effort',
        _descriptor('input QoS reliability: best_effort (REP-2003 sensor data) or reliable'),
    ),
    'qos_depth': (1, _descriptor('input QoS history depth', int_range=(1, 100))),
    'publish_debug_image': (
        True,
        _descriptor(
            'publish ~/debug_image (annotated image); computed only while someone subscribes'
        ),
    ),
    'max_image_pixels': (
        DEFAULT_MAX_PIXELS,
        _descriptor(
            'largest frame accepted, in pixels (width x height; for JPEG/PNG read from the header '
            'before '
            'decoding); larger frames are rejected and counted',
            int_range=(1, 1_000_000_000),
        ),
    ),
    'cameras': (
        Parameter.Type.STRING_ARRAY,
        _descriptor(
            'camera names; each reads <name>/image and publishes under ~/<name>/. Unset: one '
            'camera, '
            'topics image and ~/',
            read_only=True,
            type_=ParameterType.PARAMETER_STRING_ARRAY,
        ),
    ),
    'autostart': (
        False,
        _descriptor('configure and activate at start-up (no lifecycle manager)', read_only=True),
    ),
}


@dataclass
class CameraStats:
    """Counters of one camera, reset when diagnostics are published (except totals)."""

    processed: int = 0
    latency_ms_sum: float = 0.0
    dropped_since_stats: int = 0
    received_total: int = 0  # reached the node's subscription
    dropped_total: int = 0  # replaced in the mailbox: reached the node, never processed
    lost_total: int = 0  # reported lost by the middleware: never reached the node
    errors: dict[str, int] = field(default_factory=dict)
    enhanced: int = 0  # frames enhanced since the last diagnostics
    verdicts: dict[str, int] = field(default_factory=dict)  # image quality verdict: frames
    quality: ImageQuality | None = None  # of the last processed frame


class Camera:
    """
    One input: its subscription and its output publishers.

    Its mailbox is slot `index` of the node's Mailboxes.
    """

    def __init__(self, index: int, name: str, prefix: str, out_prefix: str):
        self.index = index
        self.name = name
        self.input_topic = f'{prefix}image'  # as the node asks for it (remappable)
        self.topic = (
            self.input_topic
        )  # fully resolved (namespace, remapping) once the node knows it
        self.on_warning: Callable[[str, str], None] | None = (
            None  # (kind, reason) of a frame still usable
        )
        self.out_prefix = out_prefix
        self.subscription = None
        self.detections_pub = None
        self.stats_pub = None
        self.debug_pub = None
        self.stats = CameraStats()


class DetectorNode(LifecycleNode):
    def __init__(self, node_name: str = NODE_NAME, **kwargs):
        super().__init__(node_name, **kwargs)
        for name, (default, descriptor) in PARAMETERS.items():
            self.declare_parameter(name, default, descriptor)
        self._detector: Detector | None = None
        self._cameras: list[Camera] = []
        self._mailboxes: Mailboxes[Any] = Mailboxes(1)  # guarded by self._condition
        self._codec: FrameCodec = TypedFrames()  # chosen on activate (ros/frames.py)
        self._label_info_pub = None
        self._diag_pub = None
        self._diag_timer = None
        self._condition = threading.Condition()
        self._worker: threading.Thread | None = None
        self._running = False
        self._last_diag = time.monotonic()
        self._state_label = 'unconfigured'
        self._publish_debug = bool(self._param('publish_debug_image'))  # read per frame: cached
        self._max_pixels = int(self._param('max_image_pixels'))  # read per frame: cached
        self._throttle = KindThrottle(LOG_THROTTLE_S)
        self.add_on_set_parameters_callback(self._on_set_parameters)

    # -- parameters ---------------------------------------------------------------------
    def _param(self, name: str) -> Any:
        """Return a parameter's value; string arrays declared without a default read as []."""
        try:
            return self.get_parameter(name).value
        except ParameterUninitializedException:
            return []

    def _classes(self, value: Sequence[str] | None) -> list[str] | None:
        return list(value) if value else None

    def _make_detector(self, overrides: dict[str, Any] | None = None) -> Detector:
        p = {
            name: self._param(name)
            for name in (*MODEL_PARAMS, *FILTER_PARAMS, 'num_threads', 'use_xnnpack', 'enhance')
        }
        p.update(overrides or {})
        return zoo.open_detector(
            p['model'] or None,
            alpha=p['alpha'],
            resolution=p['resolution'],
            variant=p['variant'],
            labels=p['labels'] or None,
            num_threads=p['num_threads'] or None,
            use_xnnpack=p['use_xnnpack'],
            score_threshold=p['score_threshold'],
            classes=self._classes(p['classes']),
            max_detections=p['max_detections'] or None,
            enhance=p['enhance'],
        )

    def _on_set_parameters(self, params: list[Parameter]) -> SetParametersResult:
        """
        Validate changes.

        Filter changes apply to the next frame, model changes load the new model here (off the
        worker's hot path) and swap it in only if it loaded. Any exception becomes a rejection with
        its reason.
        """
        try:
            return self._apply_parameters({p.name: p.value for p in params})
        except Exception as exc:  # noqa: BLE001 - a parameter request must never end the process
            reason = _reason(exc)
            self.get_logger().error(f'parameter change rejected: {reason}')
            return SetParametersResult(successful=False, reason=reason)

    def _apply_parameters(self, changes: dict[str, Any]) -> SetParametersResult:
        if 'qos_reliability' in changes and changes['qos_reliability'] not in (
            'best_effort',
            'reliable',
        ):
            return SetParametersResult(
                successful=False, reason="qos_reliability must be 'best_effort' or 'reliable'"
            )
        if 'enhance' in changes and changes['enhance'] not in METHODS:
            return SetParametersResult(
                successful=False,
                reason=f'enhance must be one of {", ".join(METHODS)}, got {changes["enhance"]!r}'[
                    :MAX_REASON_CHARS
                ],
            )
        detector = self._detector
        if detector is not None:
            if any(name in changes for name in MODEL_PARAMS):
                new = self._make_detector(changes)
                self._detector = new  # atomic swap: the worker reads it once per frame
                self._publish_label_info()
                self.get_logger().info(f'switched model to {new.model_id}')
            elif any(name in changes for name in FILTER_PARAMS):
                p = {name: changes.get(name, self._param(name)) for name in FILTER_PARAMS}
                detector.filter = detector.make_filter(
                    p['score_threshold'], self._classes(p['classes']), p['max_detections'] or None
                )
                self._publish_label_info()
            if 'enhance' in changes:
                self._detector.enhancer = Enhancer(changes['enhance'])  # the next frame's
        if 'publish_debug_image' in changes:
            self._publish_debug = bool(changes['publish_debug_image'])
        if 'max_image_pixels' in changes:
            self._max_pixels = int(changes['max_image_pixels'])
        return SetParametersResult(successful=True)

    # -- lifecycle ----------------------------------------------------------------------
    def _transition(
        self, name: str, body: Callable[[], None], then: str
    ) -> TransitionCallbackReturn:
        """
        Run a transition's work and enter state `then`.

        Any exception is logged with its reason, everything is released and the transition fails
        (the node stays up, back in unconfigured).
        """
        try:
            body()
        except Exception as exc:  # noqa: BLE001 - a transition must never end the process
            self.get_logger().error(f'{name} failed: {_reason(exc)}')
            self._release()
            return TransitionCallbackReturn.FAILURE
        self._state_label = then
        return TransitionCallbackReturn.SUCCESS

    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        return self._transition('configure', self._configure, then='inactive')

    def _configure(self) -> None:
        self._check_configuration()
        self._detector = self._make_detector()
        self._create_outputs()
        if self._detector.model.runtime_messages:
            self.get_logger().debug(f'runtime: {self._detector.model.runtime_messages}')
        info = self._detector.model.info
        self.get_logger().info(
            f'configured: model {self._detector.model_id} ({info.input.width}x{info.input.height} '
            f'{info.input.dtype.__name__}, {info.runtime}), input: '
            + ', '.join(c.topic for c in self._cameras)
        )

    def _check_configuration(self) -> None:
        """Check what the parameter callback cannot see: values given at start-up."""
        if self._param('qos_reliability') not in ('best_effort', 'reliable'):
            raise ValueError(
                "qos_reliability must be 'best_effort' or 'reliable', got "
                f'{self._param("qos_reliability")!r}'
            )
        if self._param('enhance') not in METHODS:
            raise ValueError(
                f'enhance must be one of {", ".join(METHODS)}, got {self._param("enhance")!r}'
            )
        names = self._param('cameras')
        if len(set(names)) != len(names):
            raise ValueError(f'camera names must be unique, got {names}')

    def _create_outputs(self) -> None:
        names = self._param('cameras')
        self._cameras = (
            [Camera(i, n, f'{n}/', f'~/{n}/') for i, n in enumerate(names)]
            if names
            else [Camera(0, 'camera', '', '~/')]
        )
        self._mailboxes = Mailboxes(len(self._cameras))
        compressed = '/compressed' if self._param('input_compressed') else ''
        for cam in self._cameras:
            cam.topic = self.resolve_topic_name(cam.input_topic + compressed)
            # Made once: the decoders' warning callback, passed with every frame.
            cam.on_warning = functools.partial(self._bad_frame, cam)
        out_qos = QoSProfile(depth=10)
        for cam in self._cameras:
            cam.detections_pub = self.create_lifecycle_publisher(
                Detection2DArray, cam.out_prefix + 'detections', out_qos
            )
            cam.stats_pub = self.create_lifecycle_publisher(
                DetectionStats, cam.out_prefix + 'stats', out_qos
            )
            cam.debug_pub = self.create_lifecycle_publisher(
                Image, cam.out_prefix + 'debug_image', QoSProfile(depth=1)
            )
        latched = QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL)
        self._label_info_pub = self.create_publisher(LabelInfo, '~/label_info', latched)
        self._publish_label_info()
        self._diag_pub = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self._diag_timer = self.create_timer(1.0, self._publish_diagnostics)

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        result = self._transition('activate', self._activate, then='active')
        return super().on_activate(state) if result == TransitionCallbackReturn.SUCCESS else result

    def _activate(self) -> None:
        reliable = self._param('qos_reliability') == 'reliable'
        qos = QoSProfile(
            history=HistoryPolicy.KEEP_LAST,
            depth=self._param('qos_depth'),
            reliability=ReliabilityPolicy.RELIABLE
            if reliable
            else qos_profile_sensor_data.reliability,
            durability=DurabilityPolicy.VOLATILE,
        )
        compressed = self._param('input_compressed')
        msg_type = CompressedImage if compressed else Image
        self._codec = frame_codec(msg_type, prefer_raw=self._param('raw_subscriptions'))
        for cam in self._cameras:
            topic = cam.input_topic + ('/compressed' if compressed else '')
            cam.subscription = self._subscribe(msg_type, topic, cam, qos)
            cam.topic = cam.subscription.topic_name
        self._running = True
        self._worker = threading.Thread(
            target=self._work, name='mobilenet_ssd_worker', daemon=True
        )
        self._worker.start()

    def _subscribe(self, msg_type: type, topic: str, cam: Camera, qos: QoSProfile) -> Any:
        """
        Create the camera's subscription.

        Counting what the middleware reports lost on the way (where the RMW supports that event).
        The base profile comes from qos_reliability and qos_depth (settable before each activate,
        for every camera at once); the standard per-topic qos_overrides parameters refine it.
        """

        def on_lost(info: Any, cam: Camera = cam) -> None:
            with self._condition:
                cam.stats.lost_total += int(info.total_count_change)

        def on_image(msg: Any, cam: Camera = cam) -> None:
            self._on_image(cam, msg)

        # REP-2003 style overrides, as image_pipeline nodes offer them: e.g.
        # qos_overrides./camera/image_raw.subscription.reliability (start-up only).
        overrides = QoSOverridingOptions.with_default_policies()
        raw = self._codec.raw  # serialized frames: only the processed ones are deserialized
        try:
            return self.create_subscription(
                msg_type,
                topic,
                on_image,
                qos,
                qos_overriding_options=overrides,
                event_callbacks=SubscriptionEventCallbacks(message_lost=on_lost),
                raw=raw,
            )
        except UnsupportedEventTypeError:
            return self.create_subscription(
                msg_type, topic, on_image, qos, qos_overriding_options=overrides, raw=raw
            )

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        result = self._transition('deactivate', self._stop_processing, then='inactive')
        return (
            super().on_deactivate(state) if result == TransitionCallbackReturn.SUCCESS else result
        )

    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        return self._transition('cleanup', self._release, then='unconfigured')

    def on_shutdown(self, state: LifecycleState) -> TransitionCallbackReturn:
        result = self._transition('shutdown', self._release, then='finalized')
        self._state_label = (
            'finalized'  # also when releasing failed: the node is finalized either way
        )
        return result

    def on_error(self, state: LifecycleState) -> TransitionCallbackReturn:
        self.get_logger().error(
            'a transition raised an error; releasing everything (back to unconfigured)'
        )
        self._release()
        return TransitionCallbackReturn.SUCCESS

    def _stop_processing(self, join_timeout: float = 10.0) -> bool:
        """Unsubscribe and stop the worker; False if it is still busy after `join_timeout`."""
        for cam in self._cameras:
            if cam.subscription is not None:
                self.destroy_subscription(cam.subscription)
                cam.subscription = None
        with self._condition:
            self._running = False
            self._mailboxes.clear()
            self._condition.notify_all()
        worker = self._worker
        if worker is not None:
            worker.join(timeout=join_timeout)
            if worker.is_alive():
                return False
            self._worker = None
        return True

    def _release(self) -> None:
        """Back to the unconfigured state: no worker, no entities, no interpreter."""
        self._stop_processing()
        for cam in self._cameras:
            for pub in (cam.detections_pub, cam.stats_pub, cam.debug_pub):
                if pub is not None:
                    self.destroy_lifecycle_publisher(pub)
        self._cameras = []
        for pub in (self._label_info_pub, self._diag_pub):
            if pub is not None:
                self.destroy_publisher(pub)
        self._label_info_pub = self._diag_pub = None
        if self._diag_timer is not None:
            self.destroy_timer(self._diag_timer)
            self._diag_timer = None
        self._detector = None
        self._state_label = 'unconfigured'

    # -- frames -------------------------------------------------------------------------
    def _on_image(self, cam: Camera, msg: Any) -> None:
        """Executor thread: put the frame in the camera's mailbox, nothing else."""
        with self._condition:
            if not self._running:
                return
            cam.stats.received_total += 1
            if self._mailboxes.put(cam.index, msg):
                cam.stats.dropped_since_stats += 1
                cam.stats.dropped_total += 1
            self._condition.notify()

    def _next_frame(self) -> tuple[Camera, Any] | None:
        """Worker: wait for a frame, serving cameras round-robin. None when stopping."""
        with self._condition:
            while self._running:
                item = self._mailboxes.take()
                if item is not None:
                    return self._cameras[item[0]], item[1]
                self._condition.wait()
        return None

    def _work(self) -> None:
        while True:
            item = self._next_frame()
            if item is None:
                return
            cam, msg = item
            del item
            try:
                self._process(cam, msg)
            except BadImageError as exc:
                self._bad_frame(cam, exc.kind, str(exc))
            except Exception as exc:  # noqa: BLE001 - one bad frame must not kill the worker
                if not self.context.ok():
                    return  # shutting down: publishers are gone, nothing to report
                self._bad_frame(cam, 'internal', f'frame failed: {_reason(exc)}')
            # The frame must not outlive its processing while the worker waits for the next
            # one: an 8000x6000 rgb8 frame is 144 MB.
            del cam, msg

    def _bad_frame(self, cam: Camera, kind: str, text: str) -> None:
        """Count the problem and log it, throttled per camera and kind."""
        with self._condition:
            cam.stats.errors[kind] = cam.stats.errors.get(kind, 0) + 1
        held = self._throttle.allow(f'{cam.name}/{kind}')
        if held is not None:
            more = f' ({held} more since the last message of this kind)' if held else ''
            self.get_logger().error(
                f'{cam.topic}: bad image ({kind}): {text[:MAX_REASON_CHARS]}{more}'
            )

    def _process(self, cam: Camera, item: Any) -> None:
        detector = self._detector
        if detector is None:
            return
        start = time.perf_counter()
        try:
            msg, header = self._codec.decode(item, cam.index)  # raw: deserialized only here
        except FrameError as exc:
            raise BadImageError('serialization', str(exc)) from exc
        image = message_to_image(msg, self._max_pixels, cam.on_warning)
        converted = time.perf_counter()
        detections = detector.detect(image)
        timings = detector.last_timings
        cam.detections_pub.publish(detection_array(detections, header, RCLPY_TYPES))
        if self._publish_debug and cam.debug_pub.get_subscription_count() > 0:
            rgb = image if image.ndim == 3 and image.shape[2] == 3 else _to_rgb(image)
            cam.debug_pub.publish(rgb_image(annotate(rgb, detections), header, RCLPY_TYPES))
        done = time.perf_counter()
        now = self.get_clock().now()
        stamp = header.stamp
        latency_ms = (now.nanoseconds - (stamp.sec * 1_000_000_000 + stamp.nanosec)) / 1e6
        info = detector.model.info
        quality = quality_fields(detector.last_quality, detector.last_enhanced)
        with self._condition:
            dropped = cam.stats.dropped_since_stats
            cam.stats.dropped_since_stats = 0
            cam.stats.processed += 1
            cam.stats.latency_ms_sum += latency_ms
            cam.stats.enhanced += detector.last_enhanced
            verdict = quality['image_quality']
            cam.stats.verdicts[verdict] = cam.stats.verdicts.get(verdict, 0) + 1
            cam.stats.quality = detector.last_quality
        cam.stats_pub.publish(
            DetectionStats(
                header=header,
                preprocess_ms=(converted - start) * 1e3 + timings.preprocess_ms,
                inference_ms=timings.inference_ms,
                postprocess_ms=(done - converted) * 1e3
                - timings.preprocess_ms
                - timings.inference_ms,
                total_ms=(done - start) * 1e3,
                latency_ms=latency_ms,
                frames_dropped=dropped,
                num_detections=len(detections),
                model_id=detector.model_id,
                alpha=float(detector.alpha),
                resolution=info.input.width,
                **quality,
            )
        )

    # -- outputs besides detections ---------------------------------------------------
    def _publish_label_info(self) -> None:
        """Latched (transient local): late subscribers get the class map of the current model."""
        if self._label_info_pub is not None and self._detector is not None:
            header = Header(stamp=self.get_clock().now().to_msg())
            self._label_info_pub.publish(
                label_info(
                    self._detector.labels,
                    self._detector.filter.score_threshold,
                    header,
                    RCLPY_TYPES,
                )
            )

    def _publish_diagnostics(self) -> None:
        now = time.monotonic()
        elapsed = max(now - self._last_diag, 1e-6)
        self._last_diag = now
        detector = self._detector
        array = DiagnosticArray()
        array.header.stamp = self.get_clock().now().to_msg()
        for cam in self._cameras:
            with self._condition:
                s = cam.stats
                processed, latency_sum = s.processed, s.latency_ms_sum
                s.processed, s.latency_ms_sum = 0, 0.0
                errors = dict(s.errors)
                dropped, lost, received = s.dropped_total, s.lost_total, s.received_total
                verdicts, enhanced, quality = s.verdicts, s.enhanced, s.quality
                s.verdicts, s.enhanced = {}, 0
            status = DiagnosticStatus(
                name=f'{self.get_fully_qualified_name()}: {cam.name}', hardware_id=cam.topic
            )
            total_errors = sum(errors.values())
            unusable = {v: n for v, n in verdicts.items() if v not in ('ok', 'unknown')}
            problems = []
            if total_errors:
                problems.append(f'{total_errors} bad frame(s)')
            if processed and sum(unusable.values()) > UNUSABLE_SHARE * processed:
                worst = max(unusable, key=unusable.get)
                problems.append(
                    f'image unusable ({worst}): {sum(unusable.values())} of {processed} frames'
                )
            if self._state_label != 'active':
                status.level, status.message = DiagnosticStatus.OK, self._state_label
            elif problems:
                status.level, status.message = DiagnosticStatus.WARN, '; '.join(problems)
            else:
                status.level, status.message = DiagnosticStatus.OK, 'running'
            values = {
                'state': self._state_label,
                'fps': f'{processed / elapsed:.2f}',
                'latency_ms': f'{latency_sum / processed:.1f}' if processed else 'nan',
                'frames_received': str(received),
                'frames_dropped': str(dropped),
                'transport': self._codec.name,
                'executor': type(self.executor).__name__ if self.executor else '',
                'frames_deserialized': str(self._codec.deserialized(cam.index, received)),
                'frames_lost': str(lost),
                'model': detector.model_id if detector else '',
                'enhance': detector.enhancer.method if detector else '',
                'frames_enhanced': str(enhanced),
                **{f'image_{v}': str(n) for v, n in sorted(verdicts.items())},
                **(
                    {
                        'brightness': f'{quality.brightness:.3f}',
                        'contrast': f'{quality.contrast:.3f}',
                        'haze': f'{quality.haze:.3f}',
                    }
                    if quality
                    else {}
                ),
                **{f'errors_{kind}': str(count) for kind, count in sorted(errors.items())},
            }
            status.values = [KeyValue(key=k, value=v) for k, v in values.items()]
            array.status.append(status)
        self._diag_pub.publish(array)


def _reason(exc: BaseException) -> str:
    """
    Describe what went wrong in one bounded line.

    The message of an exception (a KeyError's str() would add quotes), or the file and the system's
    reason of an OSError.
    """
    if isinstance(exc, KeyError) and exc.args:
        text = str(exc.args[0])
    elif isinstance(exc, OSError) and exc.strerror:
        text = (
            f'{short_path(Path(str(exc.filename)))}: {exc.strerror}'
            if exc.filename
            else exc.strerror
        )
    else:
        text = str(exc) or type(exc).__name__
    return (
        text
        if len(text) <= MAX_REASON_CHARS
        else f'{text[:MAX_REASON_CHARS]}... ({len(text)} characters)'
    )


def _to_rgb(image: np.ndarray) -> np.ndarray:
    """Grayscale or RGBA -> RGB, for drawing the debug image."""
    return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB if image.ndim == 2 else cv2.COLOR_RGBA2RGB)


def _quiet_exit() -> None:
    """
    End the process now with status 0.

    A worker still inside a long decode or invoke must not hold up a shutdown (ros2 launch
    escalates SIGINT to SIGTERM after 5 s).
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


class _StopRequest:
    """
    SIGINT and SIGTERM only set a flag.

    main() checks it between start-up steps and between executor turns. rclpy's own handlers are
    not installed: they shut the context down from another thread at an arbitrary moment, and that
    raced with the executor (an RCLError or RuntimeError traceback, or, once in a few hundred
    signals, a node that kept spinning).
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self)

    def __call__(self, signum: int, frame: Any) -> None:
        self._event.set()

    def __bool__(self) -> bool:
        return self._event.is_set()


def _make_executor(node: DetectorNode) -> Any:
    """
    Return the executor the `executor` parameter asks for (start-up only).

    'events': rclpy's EventsExecutor, implemented in C++, where this rclpy has it (Kilted;
    not Humble or Jazzy): per offered 640x480 frame its thread spent 0.28 ms of CPU against
    0.66 ms for the SingleThreadedExecutor, both with raw subscriptions (docs/PERFORMANCE.md).
    Where it is missing the node says so once and runs the single-threaded one.
    """
    wanted = node.get_parameter('executor').value
    if wanted == 'events':
        try:
            from rclpy.experimental import EventsExecutor
        except ImportError:
            node.get_logger().info(
                'executor: events is not in this rclpy (it is from Kilted on); using '
                'single_threaded'
            )
        else:
            return EventsExecutor()
    elif wanted != 'single_threaded':
        node.get_logger().error(
            f"executor must be 'events' or 'single_threaded', got {str(wanted)[:40]!r}; "
            'using single_threaded'
        )
    return SingleThreadedExecutor()


def main(args: Sequence[str] | None = None) -> int:
    """
    Run the node until SIGINT/SIGTERM.

    0 in every case, within SPIN_PERIOD_S of the signal (plus the current start-up step, e.g.
    loading the model).
    """
    stop = _StopRequest()
    node = None
    try:
        rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
        if stop:
            return 0
        node = DetectorNode()
        executor = _make_executor(node)
        executor.add_node(node)
        if node.get_parameter('autostart').value and not stop:
            if node.trigger_configure() == TransitionCallbackReturn.SUCCESS and not stop:
                node.trigger_activate()
        while not stop and rclpy.ok():
            executor.spin_once(
                timeout_sec=SPIN_PERIOD_S
            )  # returns to Python so that the flag is seen
    except ExternalShutdownException:
        pass
    finally:
        if node is not None and not node._stop_processing(join_timeout=EXIT_JOIN_S):
            _quiet_exit()
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
