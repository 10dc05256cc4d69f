"""
The DDS harness of the node benchmarks: the node (or a naive one) as a process, and a peer.

`node_command` starts the real node in its own process on a private, loopback-only DDS
domain (isolate_dds); `run_naive_node` is the baseline a user would write first (run as
`python -m mobilenet_ssd_ros.bench.dds naive`); `Harness` is one rclpy node in the
benchmark's process that publishes frames and receives detections; the /proc readers give
a process's resident memory and CPU time, and one thread's CPU time.
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

from dataclasses import dataclass, field
import os
from pathlib import Path
import random
import subprocess
import sys
import threading
import time

import cv2
import numpy as np

from .. import zoo

NODE_SCRIPT = Path(__file__).resolve().parents[2] / 'scripts' / 'mobilenet_ssd_node'
CONFIG = Path(__file__).resolve().parents[2] / 'config'


def isolate_dds() -> None:
    """
    Set up a private loopback-only domain and the large-image Fast DDS profile.

    Unless the caller chose otherwise. Must run before rclpy.init().
    """
    os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')
    os.environ.setdefault('ROS_DOMAIN_ID', str(random.randint(110, 200)))
    profile = CONFIG / 'fastdds_large_images.xml'
    if profile.is_file():
        os.environ.setdefault('FASTDDS_DEFAULT_PROFILES_FILE', str(profile))


def node_command(params: dict) -> list[str]:
    """Return the command that runs the node as its own process (source checkout's scripts/)."""
    if not NODE_SCRIPT.is_file():
        raise FileNotFoundError(
            'the node benchmarks run from a source checkout (scripts/mobilenet_ssd_node)'
        )
    args = [sys.executable, str(NODE_SCRIPT), '--ros-args']
    for k, v in params.items():
        args += ['-p', f'{k}:={str(v).lower() if isinstance(v, bool) else v}']
    return args


def naive_command(num_threads: int = 0) -> list[str]:
    return [sys.executable, '-m', 'mobilenet_ssd_ros.bench.dds', 'naive', str(num_threads)]


def run_naive_node(num_threads: int = 0) -> None:
    """
    Run the baseline a user would write first.

    Inference inside the subscription callback, reliable QoS with a queue of 10, every queued frame
    processed.
    """
    import rclpy
    from rclpy.node import Node
    from rclpy.qos import QoSProfile
    from sensor_msgs.msg import Image
    from vision_msgs.msg import Detection2DArray

    from ..convert.image_input import message_to_image
    from ..convert.messages import detection_array, RCLPY_TYPES

    rclpy.init()
    node = Node('naive_detector')
    detector = zoo.open_detector(num_threads=num_threads or 0)
    pub = node.create_publisher(Detection2DArray, '~/detections', QoSProfile(depth=10))

    def callback(msg):
        pub.publish(
            detection_array(
                detector.detect(message_to_image(msg)).detections, msg.header, RCLPY_TYPES
            )
        )

    node.create_subscription(Image, 'image', callback, QoSProfile(depth=10))
    try:
        rclpy.spin(node)
    except Exception:  # noqa: BLE001 - SIGTERM ends the benchmark run
        pass


@dataclass
class Scenario:
    name: str
    command: list[str]
    output_topic: str
    rate_hz: float
    compressed: bool = False
    latencies_ms: list[float] = field(default_factory=list)
    executor_cpu_s: float = 0.0  # the node's main (executor) thread, over the timed window
    node_total_ms: list[float] = field(
        default_factory=list
    )  # our node's own per-frame time (~/stats)
    sent: int = 0


class Harness:
    """One rclpy node in this process: publishes frames, receives detections."""

    def __init__(self):
        import rclpy
        from rclpy.executors import SingleThreadedExecutor
        from rclpy.node import Node

        isolate_dds()
        rclpy.init()
        self.node = Node('mobilenet_ssd_bench')
        self.executor = SingleThreadedExecutor()
        self.executor.add_node(self.node)
        self.thread = threading.Thread(target=self.executor.spin, daemon=True)
        self.thread.start()

    def close(self) -> None:
        import rclpy

        self.executor.shutdown()
        self.thread.join(timeout=5)
        self.node.destroy_node()
        rclpy.try_shutdown()

    def now_ns(self) -> int:
        return self.node.get_clock().now().nanoseconds

    def run(self, scenario: Scenario, duration_s: float, frame: np.ndarray) -> Scenario:
        from rclpy.qos import QoSProfile
        from sensor_msgs.msg import CompressedImage, Image
        from vision_msgs.msg import Detection2DArray

        from ..msg import DetectionStats

        proc = subprocess.Popen(
            scenario.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:

            def on_detections(msg):
                now = self.now_ns()
                stamp = msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec
                scenario.latencies_ms.append((now - stamp) / 1e6)

            sub = self.node.create_subscription(
                Detection2DArray, scenario.output_topic, on_detections, QoSProfile(depth=50)
            )
            stats_sub = self.node.create_subscription(
                DetectionStats,
                scenario.output_topic.rsplit('/', 1)[0] + '/stats',
                lambda m: scenario.node_total_ms.append(m.total_ms),
                QoSProfile(depth=50),
            )
            msg_type, topic = (
                (CompressedImage, 'image/compressed') if scenario.compressed else (Image, 'image')
            )
            pub = self.node.create_publisher(
                msg_type, topic, QoSProfile(depth=10)
            )  # reliable: every frame sent
            self.executor.wake()
            payload = (
                jpeg_bytes(frame) if scenario.compressed else np.ascontiguousarray(frame).tobytes()
            )
            probe_deadline = time.monotonic() + 60
            while (
                not scenario.latencies_ms
            ):  # node up and answering (model loaded, discovery done)
                if time.monotonic() > probe_deadline or proc.poll() is not None:
                    raise RuntimeError(f'{scenario.name}: the node did not answer')
                pub.publish(frame_message(msg_type, frame, payload, self.now_ns()))
                time.sleep(0.1)
            time.sleep(0.5)
            scenario.latencies_ms.clear()
            scenario.node_total_ms.clear()
            period = 1.0 / scenario.rate_hz
            cpu_before = thread_cpu_seconds(proc.pid, proc.pid)
            start = time.monotonic()
            while (elapsed := time.monotonic() - start) < duration_s:
                if elapsed >= scenario.sent * period:
                    pub.publish(frame_message(msg_type, frame, payload, self.now_ns()))
                    scenario.sent += 1
                else:
                    time.sleep(min(period / 4, 0.002))
            time.sleep(1.0)  # let the last answers arrive
            scenario.executor_cpu_s = thread_cpu_seconds(proc.pid, proc.pid) - cpu_before
            for entity in (sub, stats_sub):
                self.node.destroy_subscription(entity)
            self.node.destroy_publisher(pub)
        finally:
            stop_process(proc)
        return scenario


def stop_process(proc: subprocess.Popen) -> None:
    """SIGTERM (rclpy shuts down cleanly), SIGKILL if it hangs."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def jpeg_bytes(rgb: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(
        '.jpg', cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90]
    )
    return buf.tobytes()


def frame_message(msg_type, frame: np.ndarray, payload: bytes, stamp_ns: int):
    msg = msg_type()
    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(stamp_ns, 1_000_000_000)
    msg.header.frame_id = 'camera'
    if hasattr(msg, 'format'):
        msg.format = 'jpeg'
    else:
        msg.height, msg.width, msg.encoding, msg.step = (
            frame.shape[0],
            frame.shape[1],
            'rgb8',
            frame.shape[1] * 3,
        )
    msg.data = payload
    return msg


def thread_cpu_seconds(pid: int, tid: int) -> float:
    """User + system CPU of one thread (the node spins its executor in its main thread)."""
    fields = Path(f'/proc/{pid}/task/{tid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def rss_kb(pid: int) -> int:
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1])
    raise RuntimeError('no VmRSS')


def cpu_seconds(pid: int) -> float:
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


if __name__ == '__main__' and sys.argv[1:2] == ['naive']:
    run_naive_node(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
