"""
The ROS 2 lifecycle node: camera images in, vision_msgs/Detection2DArray out.

The node keeps the lifecycle and the wiring; settings.py holds the parameters, camera.py
the subscriptions and publishers, worker.py the thread and the per-frame work,
diagnostics.py /diagnostics, main.py the process.
- configure: validate parameters, load the model, create publishers. A failure returns
  FAILURE with the reason in the log and leaves nothing behind (state: unconfigured).
- activate: subscribe to the cameras and start the one worker thread. Subscriptions
  exist only while active, so an inactive node costs no CPU for incoming images.
- deactivate: unsubscribe, stop the worker; nothing is processed or published.
- cleanup / shutdown / error: release the interpreter and every entity.

A new model is loaded in the parameter callback, on the executor thread (tens of ms), and
swapped in whole (a two-thread executor crashed rclpy 9 in deactivate: InvalidHandle).
Nothing a user sends stops the process: an exception in a parameter callback becomes a
rejection with a reason, in a transition a FAILURE, a bad frame a counter in /diagnostics
and a throttled log line.
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
import functools
import time
from typing import Any

from diagnostic_msgs.msg import DiagnosticArray
from rcl_interfaces.msg import SetParametersResult
from rclpy.exceptions import ParameterUninitializedException
from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn
from rclpy.parameter import Parameter
from rclpy.qos import DurabilityPolicy, QoSProfile
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Header
from vision_msgs.msg import LabelInfo

from .camera import Camera, cameras_for, input_qos
from .diagnostics import camera_status
from .frames import frame_codec, FrameCodec, TypedFrames
from .log_throttle import KindThrottle
from .reasons import MAX_REASON_CHARS, reason
from .settings import (
    FILTER_PARAMS,
    FRAME_PARAMS,
    MODEL_PARAMS,
    NodeSettings,
    PARAMETERS,
    TRACKING_PARAMS,
)
from .worker import FramePipeline, Worker
from .. import zoo
from ..convert.image_input import BadImageError
from ..convert.messages import label_info, RCLPY_TYPES
from ..core.fog_switch import Choice, FogSwitch, TwoModels
from ..core.tracking import require_library, Tracker

NODE_NAME = 'mobilenet_ssd'
LOG_THROTTLE_S = 5.0
SAID_ONCE = ('format_mismatch',)  # frame warnings logged once per camera, at warning level


class DetectorNode(LifecycleNode):
    """The lifecycle node: parameters, transitions, and the wiring between the rooms."""

    def __init__(self, node_name: str = NODE_NAME, **kwargs):
        super().__init__(node_name, **kwargs)
        for name, (default, descriptor) in PARAMETERS.items():
            self.declare_parameter(name, default, descriptor)
        # What runs, each swapped whole (immutable) while the worker reads it per frame.
        self._settings = NodeSettings.from_values({n: self._param(n) for n in PARAMETERS})
        self._running: TwoModels | None = None  # what runs (one model, or two: variant auto)
        self._cameras: list[Camera] = []
        # Each camera's tracker by camera name, kept for the life of the process so that a
        # camera's track ids are never handed out twice (deactivate and cleanup only reset).
        self._trackers: dict[str, Tracker] = {}
        self._worker: Worker | None = None
        self._codec: FrameCodec = TypedFrames()  # chosen on activate (ros/frames.py)
        self._label_info_pub = None
        self._diag_pub = None
        self._diag_timer = None
        self._last_diag = time.monotonic()
        self._state_label = 'unconfigured'
        self._throttle = KindThrottle(LOG_THROTTLE_S)
        self.add_on_set_parameters_callback(self._on_set_parameters)

    # -- parameters ---------------------------------------------------------------------
    def _param(self, name: str) -> Any:
        """Return a parameter's value; string arrays declared without a default read as []."""
        try:
            return self.get_parameter(name).value
        except ParameterUninitializedException:
            return []

    def _open(self, settings: NodeSettings) -> TwoModels:
        """Open the detector `settings` ask for (both models for `variant: auto`)."""
        if settings.variant == zoo.AUTO:
            return zoo.open_two_models(settings.detector())
        return TwoModels.single(zoo.open_detector(settings.detector()))

    def _on_set_parameters(self, params: list[Parameter]) -> SetParametersResult:
        """
        Validate changes and apply them.

        Frame settings apply to the next frame; model changes load the new model here (off
        the worker's hot path) and swap it in only if it loaded. Any exception becomes a
        rejection with its reason.
        """
        try:
            # (rclpy's own parameters, qos_overrides.* and use_sim_time, are not ours)
            changes = {p.name: p.value for p in params if p.name in PARAMETERS}
            settings = self._settings.changed(changes)
            if any(name in changes for name in TRACKING_PARAMS):
                self._apply_tracking(settings, was_on=self._settings.tracking)
            running = self._running
            if running is not None:
                if any(name in changes for name in MODEL_PARAMS):
                    running = self._open(settings)
                    self.get_logger().info(f'switched model to {running.detector.model_id}')
                elif any(name in changes for name in FRAME_PARAMS):
                    running = running.with_filter(*settings.frame_values())
            self._settings, self._running = settings, running  # each an atomic swap
            if any(name in changes for name in (*MODEL_PARAMS, *FILTER_PARAMS)):
                self._publish_label_info()
        except Exception as exc:  # noqa: BLE001 - a parameter request must never end the process
            why = reason(exc)
            self.get_logger().error(f'parameter change rejected: {why}')
            return SetParametersResult(successful=False, reason=why)
        return SetParametersResult(successful=True)

    def _apply_tracking(self, settings: NodeSettings, was_on: bool) -> None:
        """
        Give each camera its tracker with `settings` (configure, parameter change).

        Turning tracking on starts from fresh tracks (ids go on from the last one handed
        out); new tracker settings apply to the live tracks. Without the tracker library,
        TrackingUnavailableError names the install step (the change or configure fails).
        """
        if not settings.tracking:
            for cam in self._cameras:
                cam.tracker = None  # the worker tracks a camera that has a tracker
            return
        require_library()  # also with no camera yet (unconfigured): refuse the change now
        for cam in self._cameras:
            tracker = self._trackers.get(cam.name)
            if tracker is None:
                tracker = self._trackers[cam.name] = Tracker(settings.tracker())
            else:
                tracker.retune(settings.tracker())
                if not was_on:
                    tracker.request_reset()
            cam.tracker = tracker

    # -- lifecycle ----------------------------------------------------------------------
    def _transition(
        self, name: str, body: Callable[[], None], then: str
    ) -> TransitionCallbackReturn:
        """
        Run a transition's work and enter state `then`.

        Any exception is logged with its reason, everything is released and the transition
        fails (the node stays up, back in unconfigured).
        """
        try:
            body()
        except Exception as exc:  # noqa: BLE001 - a transition must never end the process
            self.get_logger().error(f'{name} failed: {reason(exc)}')
            self._release()
            return TransitionCallbackReturn.FAILURE
        self._state_label = then
        return TransitionCallbackReturn.SUCCESS

    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        return self._transition('configure', self._configure, then='inactive')

    def _configure(self) -> None:
        self._settings = NodeSettings.from_values(
            {n: self._param(n) for n in PARAMETERS}
        ).validate()
        self._running = self._open(self._settings)
        self._create_outputs()
        self._apply_tracking(self._settings, was_on=True)
        detector = self._running.detector
        if detector.model.runtime_messages:
            self.get_logger().debug(f'runtime: {detector.model.runtime_messages}')
        info = detector.model.info
        self.get_logger().info(
            f'configured: model {detector.model_id} ({info.input.width}x{info.input.height} '
            f'{info.input.dtype.__name__}, {info.runtime}), input: '
            + ', '.join(c.topic for c in self._cameras)
        )

    def _create_outputs(self) -> None:
        self._cameras = cameras_for(self._settings.cameras)
        compressed = '/compressed' if self._settings.input_compressed else ''
        for cam in self._cameras:
            cam.fog = FogSwitch(self._running.rule)
            cam.topic = self.resolve_topic_name(cam.input_topic + compressed)
            cam.on_warning = functools.partial(self._frame_warning, cam)
            cam.create_outputs(self)
        latched = QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL)
        self._label_info_pub = self.create_publisher(LabelInfo, '~/label_info', latched)
        self._publish_label_info()
        self._diag_pub = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self._diag_timer = self.create_timer(1.0, self._publish_diagnostics)

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        result = self._transition('activate', self._activate, then='active')
        return super().on_activate(state) if result == TransitionCallbackReturn.SUCCESS else result

    def _activate(self) -> None:
        settings = self._settings
        qos = input_qos(settings.qos_reliability, settings.qos_depth)
        msg_type = CompressedImage if settings.input_compressed else Image
        self._codec = frame_codec(msg_type, prefer_raw=settings.raw_subscriptions)
        pipeline = FramePipeline(
            self._codec,
            self.get_clock(),
            lambda: self._settings.publish_debug_image,
            lambda: self._settings.max_image_pixels,
            self._switched,
        )
        self._worker = Worker(len(self._cameras), functools.partial(self._handle_frame, pipeline))
        for cam in self._cameras:
            topic = cam.input_topic + ('/compressed' if settings.input_compressed else '')
            cam.subscribe(self, msg_type, topic, qos, self._codec.raw, self._on_image)
        self._worker.start()

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        result = self._transition('deactivate', self.stop_processing, then='inactive')
        return (
            super().on_deactivate(state) if result == TransitionCallbackReturn.SUCCESS else result
        )

    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        return self._transition('cleanup', self._release, then='unconfigured')

    def on_shutdown(self, state: LifecycleState) -> TransitionCallbackReturn:
        result = self._transition('shutdown', self._release, then='finalized')
        self._state_label = 'finalized'  # also when releasing failed: finalized either way
        return result

    def on_error(self, state: LifecycleState) -> TransitionCallbackReturn:
        self.get_logger().error(
            'a transition raised an error; releasing everything (back to unconfigured)'
        )
        self._release()
        return TransitionCallbackReturn.SUCCESS

    def stop_processing(self, join_timeout: float = 10.0) -> bool:
        """
        Unsubscribe, stop the worker and forget the tracks.

        False if the worker is still busy after `join_timeout`.
        """
        for cam in self._cameras:
            cam.unsubscribe(self)
        worker = self._worker
        if worker is not None:
            if not worker.stop(join_timeout):
                return False
            self._worker = None
        for tracker in self._trackers.values():
            tracker.reset()  # the worker has stopped: no frame is being tracked
        return True

    def _release(self) -> None:
        """Back to the unconfigured state: no worker, no entities, no interpreter."""
        self.stop_processing()
        for cam in self._cameras:
            cam.destroy_outputs(self)
        self._cameras = []
        for pub in (self._label_info_pub, self._diag_pub):
            if pub is not None:
                self.destroy_publisher(pub)
        self._label_info_pub = self._diag_pub = None
        if self._diag_timer is not None:
            self.destroy_timer(self._diag_timer)
            self._diag_timer = None
        self._running = None
        self._state_label = 'unconfigured'

    # -- frames -------------------------------------------------------------------------
    def _on_image(self, cam: Camera, msg: Any) -> None:
        """Executor thread: put the frame in the camera's mailbox, nothing else."""
        worker = self._worker
        replaced = worker.put(cam.index, msg) if worker is not None else None
        if replaced is not None:
            cam.stats.received(replaced)

    def _handle_frame(self, pipeline: FramePipeline, index: int, item: Any) -> None:
        """Worker thread: process one frame; a bad one is counted and logged, never raised."""
        cam, running = self._cameras[index], self._running
        if running is None:
            return
        try:
            pipeline(cam, item, running)
        except BadImageError as exc:
            self._bad_frame(cam, exc.kind, str(exc))
        except Exception as exc:  # noqa: BLE001 - one bad frame must not kill the worker
            if self.context.ok():  # (shutting down: publishers are gone, nothing to report)
                self._bad_frame(cam, 'internal', f'frame failed: {reason(exc)}')

    def _frame_warning(self, cam: Camera, kind: str, text: str) -> None:
        """Report a frame still read: a mislabelled format once, damage as a bad frame."""
        if kind not in SAID_ONCE:
            self._bad_frame(cam, kind, text)
        elif kind not in cam.warned:
            cam.warned.add(kind)
            self.get_logger().warning(f'{cam.topic}: {text[:MAX_REASON_CHARS]} (said once)')

    def _switched(self, cam: Camera, choice: Choice) -> None:
        """Say once per switch which model a camera runs now (variant auto)."""
        weather = 'fog' if cam.fog.foggy else 'clear'
        self.get_logger().info(
            f'{cam.topic}: the camera sees {weather}: running {choice.detector.model_id} '
            f'(enhance {choice.frame.enhancer.method}) from the next frame'
        )

    def _bad_frame(self, cam: Camera, kind: str, text: str) -> None:
        """Count the problem and log it, throttled per camera and kind."""
        cam.stats.bad_frame(kind)
        held = self._throttle.allow(f'{cam.name}/{kind}')
        if held is not None:
            more = f' ({held} more since the last message of this kind)' if held else ''
            self.get_logger().error(
                f'{cam.topic}: bad image ({kind}): {text[:MAX_REASON_CHARS]}{more}'
            )

    # -- outputs besides detections ---------------------------------------------------
    def _publish_label_info(self) -> None:
        """Latched (transient local): late subscribers get the class map of the current model."""
        running = self._running
        if self._label_info_pub is not None and running is not None:
            header = Header(stamp=self.get_clock().now().to_msg())
            self._label_info_pub.publish(
                label_info(
                    running.detector.labels,
                    running.frame.keep.score_threshold,
                    header,
                    RCLPY_TYPES,
                )
            )

    def _publish_diagnostics(self) -> None:
        now = time.monotonic()
        elapsed, self._last_diag = now - self._last_diag, now
        running = self._running
        array = DiagnosticArray()
        array.header.stamp = self.get_clock().now().to_msg()
        for cam in self._cameras:
            counts = cam.stats.tick()
            context = {
                'transport': self._codec.name,
                'executor': type(self.executor).__name__ if self.executor else '',
                'frames_deserialized': str(self._codec.deserialized(cam.index, counts.received)),
                'model': running.current(cam.fog).detector.model_id if running else '',
                'enhance': running.current(cam.fog).frame.enhancer.method if running else '',
                'fog': ('true' if cam.fog.foggy else 'false') if running and running.fog else '',
                'active_tracks': str(cam.tracker.active_tracks) if cam.tracker is not None else '',
            }
            array.status.append(
                camera_status(
                    f'{self.get_fully_qualified_name()}: {cam.name}',
                    cam.topic,
                    counts,
                    self._state_label,
                    elapsed,
                    context,
                )
            )
        self._diag_pub.publish(array)
