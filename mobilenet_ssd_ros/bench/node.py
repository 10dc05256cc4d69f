"""
End-to-end benchmarks through real DDS (uses rclpy, unlike the core modules).

- node: a publisher sends 640x480 frames (rgb8, and JPEG) at a fixed rate to the node
  in its own process; a subscriber measures output rate and latency (image stamp to
  receipt). Each scenario also runs against a naive node: reliable QoS, depth 10, every
  frame processed in the executor callback. A saturated scenario feeds frames faster than
  the model runs and compares the output rate with the raw invoke() rate of this machine,
  once as the node runs now (raw subscriptions: only processed frames are deserialized;
  rclpy's EventsExecutor) and once as it ran before (typed: rclpy deserializes every frame;
  SingleThreadedExecutor), side by side; the CPU time of the node's executor thread per
  offered frame shows what each costs.
- copies: Python heap bytes allocated per frame from the serialized frame to the image the
  model reads, for both paths (tracemalloc, in this process).
- soak: many frames through the active node: resident memory over time, then CPU use
  of the node while it is inactive and frames keep arriving.
Run with `mobilenet-ssd bench --suite node|soak`.
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

import subprocess
import time

import numpy as np

from .core import bench_frame
from .dds import (
    cpu_seconds,
    frame_message,
    Harness,
    naive_command,
    node_command,
    rss_kb,
    Scenario,
    stop_process,
)
from .. import zoo


def raw_invoke_fps(seconds: float = 3.0, num_threads: int | None = None) -> float:
    detector = zoo.open_detector(num_threads=num_threads or 0)
    interpreter = detector.model.interpreter
    for _ in range(5):
        interpreter.invoke()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        interpreter.invoke()
        n += 1
    return n / (time.perf_counter() - start)


def copies_per_frame(frame: np.ndarray, frames: int = 50) -> dict:
    """
    Return Python heap bytes allocated per frame on each path, from serialized bytes to image.

    typed: rclpy deserializes the frame into a message (its pixels copied into an
    array.array), then the image is a view of it. raw: the subscription's serialized
    bytes (the one copy out of the middleware, counted here by making it), deserialized
    by rosbags over a memoryview, the image a view. What the middleware copies below
    Python is the same for both and not counted.
    """
    import tracemalloc

    from rclpy.serialization import deserialize_message, serialize_message
    from sensor_msgs.msg import Image

    from ..convert.cdr import CdrReader
    from ..convert.image_input import message_to_image

    payload = np.ascontiguousarray(frame).tobytes()
    serialized = serialize_message(frame_message(Image, frame, payload, 0))
    read = CdrReader(Image)

    def typed_path() -> np.ndarray:
        return message_to_image(deserialize_message(serialized, Image))

    def raw_path() -> np.ndarray:
        taken = bytes(memoryview(serialized))  # a copy, as rclpy hands a raw subscription
        return message_to_image(read(taken))

    result = {'frame_bytes': len(payload)}
    for name, path in (('typed', typed_path), ('raw', raw_path)):
        path()
        tracemalloc.start()
        total = 0
        for _ in range(frames):
            before = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            image = path()
            total += tracemalloc.get_traced_memory()[1] - before
            del image
        tracemalloc.stop()
        start = time.perf_counter()
        for _ in range(frames):
            path()
        result[name] = {
            'bytes_per_frame': total / frames,
            'ms_per_frame': (time.perf_counter() - start) / frames * 1e3,
        }
    return result


def _summary(s: Scenario, duration_s: float) -> dict:
    lat = np.array(s.latencies_ms) if s.latencies_ms else np.array([np.nan])
    third = max(len(lat) // 3, 1)
    received = len(s.latencies_ms)
    return {
        'sent': s.sent,
        'received': received,
        'input_hz': s.rate_hz,
        'output_fps': received / duration_s,
        'latency_ms': {
            'p50': float(np.percentile(lat, 50)),
            'p99': float(np.percentile(lat, 99)),
            'max': float(np.max(lat)),
            'p50_first_third': float(np.median(lat[:third])),
            'p50_last_third': float(np.median(lat[-third:])),
        },
        'dropped': s.sent - received,
        'node_total_ms_p50': float(np.median(s.node_total_ms)) if s.node_total_ms else None,
        'executor_cpu_ms_per_offered_frame': 1e3 * s.executor_cpu_s / max(s.sent, 1),
        'latency_series_ms': [round(x, 2) for x in s.latencies_ms],
    }


def node_suite(duration_s: float = 60.0, rate_hz: float = 30.0) -> dict:
    """
    30 Hz scenarios with the default threads (all cores).

    Saturated scenarios with the model on one thread, so that on a small machine one core is left
    for the publisher and DDS, and input at twice the one-thread invoke rate.
    """
    frame = bench_frame((640, 480))
    invoke_fps = raw_invoke_fps()
    invoke_fps_1 = raw_invoke_fps(num_threads=1)
    saturate_hz = 2 * invoke_fps_1
    processing_ms = _median_detect_ms(frame)
    scenarios = [
        Scenario(
            'ours_rgb8', node_command({'autostart': True}), '/mobilenet_ssd/detections', rate_hz
        ),
        Scenario(
            'ours_jpeg',
            node_command({'autostart': True, 'input_compressed': True}),
            '/mobilenet_ssd/detections',
            rate_hz,
            compressed=True,
        ),
        Scenario('naive_rgb8', naive_command(), '/naive_detector/detections', rate_hz),
        Scenario(
            'ours_rgb8_saturated',
            node_command({'autostart': True, 'num_threads': 1}),
            '/mobilenet_ssd/detections',
            saturate_hz,
        ),
        Scenario(
            'ours_rgb8_saturated_before',
            node_command(
                {
                    'autostart': True,
                    'num_threads': 1,
                    'raw_subscriptions': False,
                    'executor': 'single_threaded',
                }
            ),
            '/mobilenet_ssd/detections',
            saturate_hz,
        ),
        Scenario(
            'naive_rgb8_saturated', naive_command(1), '/naive_detector/detections', saturate_hz
        ),
    ]
    harness = Harness()
    try:
        results = {
            s.name: _summary(harness.run(s, duration_s, frame), duration_s) for s in scenarios
        }
    finally:
        harness.close()
    processing_ms_1 = _median_detect_ms(frame, num_threads=1)
    for name, r in results.items():
        saturated = '_saturated' in name
        r['threads'] = 1 if saturated else 0
        r['output_fps_over_invoke_fps'] = r['output_fps'] / (
            invoke_fps_1 if saturated else invoke_fps
        )
        r['p99_over_processing_time'] = r['latency_ms']['p99'] / (
            processing_ms_1 if saturated else processing_ms
        )
        if r['node_total_ms_p50']:  # the same frames' processing time inside the node, this run
            r['p99_over_node_processing_time'] = r['latency_ms']['p99'] / r['node_total_ms_p50']
    return {
        'duration_s': duration_s,
        'copies': copies_per_frame(frame),
        'raw_invoke_fps': invoke_fps,
        'raw_invoke_fps_1_thread': invoke_fps_1,
        'processing_ms': processing_ms,
        'processing_ms_1_thread': processing_ms_1,
        'scenarios': results,
    }


def _median_detect_ms(frame: np.ndarray, n: int = 100, num_threads: int | None = None) -> float:
    detector = zoo.open_detector(num_threads=num_threads or 0)
    for _ in range(10):
        detector.detect(frame)
    samples = [detector.detect(frame).timings.total_ms for _ in range(n)]
    return float(np.median(samples))


def soak_suite(frames: int = 20_000, rate_hz: float = 100.0, inactive_s: float = 10.0) -> dict:
    """
    `frames` frames (320x240 rgb8, reliable) into the active node.

    RSS sampled; then the node is deactivated and its CPU use measured while frames keep coming.
    """
    from lifecycle_msgs.msg import Transition
    from lifecycle_msgs.srv import ChangeState
    from rclpy.qos import QoSProfile
    from sensor_msgs.msg import Image
    from vision_msgs.msg import Detection2DArray

    frame = bench_frame((320, 240))
    payload = np.ascontiguousarray(frame).tobytes()
    harness = Harness()
    proc = subprocess.Popen(
        node_command({'autostart': True}), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    received = [0]
    try:
        harness.node.create_subscription(
            Detection2DArray,
            '/mobilenet_ssd/detections',
            lambda m: received.__setitem__(0, received[0] + 1),
            QoSProfile(depth=50),
        )
        pub = harness.node.create_publisher(Image, 'image', QoSProfile(depth=10))
        change = harness.node.create_client(ChangeState, '/mobilenet_ssd/change_state')
        harness.executor.wake()
        deadline = time.monotonic() + 60
        while received[0] == 0:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError('soak: the node did not answer')
            pub.publish(frame_message(Image, frame, payload, harness.now_ns()))
            time.sleep(0.1)
        rss = []  # (frames sent, kB)
        period, start, sent = 1.0 / rate_hz, time.monotonic(), 0
        while sent < frames:
            if time.monotonic() - start >= sent * period:
                pub.publish(frame_message(Image, frame, payload, harness.now_ns()))
                sent += 1
                if sent % max(frames // 100, 1) == 0:
                    rss.append((sent, rss_kb(proc.pid)))
            else:
                time.sleep(period / 4)
        time.sleep(1.0)
        processed = received[0]
        request = ChangeState.Request()
        request.transition.id = Transition.TRANSITION_DEACTIVATE
        future = change.call_async(request)
        deadline = time.monotonic() + 10
        while not future.done() and time.monotonic() < deadline:
            time.sleep(0.01)
        cpu_before, t_before = cpu_seconds(proc.pid), time.monotonic()
        while time.monotonic() - t_before < inactive_s:  # frames keep coming while inactive
            pub.publish(frame_message(Image, frame, payload, harness.now_ns()))
            time.sleep(1.0 / 30)
        inactive_cpu = (cpu_seconds(proc.pid) - cpu_before) / (time.monotonic() - t_before)
    finally:
        stop_process(proc)
        harness.close()
    warm = rss[len(rss) // 10][1] if rss else 0
    return {
        'frames_sent': frames,
        'frames_processed': processed,
        'rate_hz': rate_hz,
        'rss_kb_after_warmup': warm,
        'rss_kb_end': rss[-1][1] if rss else 0,
        'rss_growth_mb': ((rss[-1][1] if rss else 0) - warm) / 1024,
        'rss_series': rss,
        'inactive_cpu_percent_of_core': 100 * inactive_cpu,
    }


def format_node(result: dict) -> str:
    lines = [
        f'node suite: {result["duration_s"]:.0f} s per scenario; raw invoke '
        f'{result["raw_invoke_fps"]:.1f} FPS '
        f'(1 thread: {result["raw_invoke_fps_1_thread"]:.1f}); detect '
        f'{result["processing_ms"]:.2f} ms/frame '
        f'(1 thread: {result["processing_ms_1_thread"]:.2f}); saturated scenarios run the model '
        'on 1 thread',
        f'{"scenario":<27}{"in Hz":>7}{"sent":>7}{"out":>7}{"out FPS":>9}{"/invoke":>8}'
        f'{"p50":>8}{"p99":>8}'
        f'{"p99/proc":>9}{"node ms":>8}{"p99/node":>9}{"p50 1st":>8}{"p50 last":>9}{"dropped":>8}'
        f'{"exec ms/in":>11}',
    ]
    for name, r in result['scenarios'].items():
        lat = r['latency_ms']
        lines.append(
            f'{name:<27}{r["input_hz"]:>7.0f}{r["sent"]:>7}{r["received"]:>7}'
            f'{r["output_fps"]:>9.1f}'
            f'{r["output_fps_over_invoke_fps"]:>8.2f}{lat["p50"]:>8.1f}{lat["p99"]:>8.1f}'
            f'{r["p99_over_processing_time"]:>9.2f}'
            + (
                f'{r["node_total_ms_p50"]:>8.2f}{r["p99_over_node_processing_time"]:>9.2f}'
                if r['node_total_ms_p50']
                else f'{"-":>8}{"-":>9}'
            )
            + f'{lat["p50_first_third"]:>8.1f}'
            f'{lat["p50_last_third"]:>9.1f}{r["dropped"]:>8}'
            f'{r["executor_cpu_ms_per_offered_frame"]:>11.3f}'
        )
    copies = result['copies']
    lines.append(
        f'Python heap bytes per frame, serialized frame -> image (a {copies["frame_bytes"]} B '
        'frame): '
        + ', '.join(
            f'{path} {copies[path]["bytes_per_frame"]:.0f} B in '
            f'{copies[path]["ms_per_frame"]:.3f} ms'
            for path in ('typed', 'raw')
        )
    )
    return '\n'.join(lines)


def format_soak(result: dict) -> str:
    return (
        f'soak suite: {result["frames_sent"]} frames sent at {result["rate_hz"]:.0f} Hz, '
        f'{result["frames_processed"]} processed; RSS {result["rss_kb_after_warmup"] / 1024:.1f} '
        'MB after '
        f'warm-up -> {result["rss_kb_end"] / 1024:.1f} MB at the end (growth '
        f'{result["rss_growth_mb"]:.2f} MB); '
        f'CPU while inactive {result["inactive_cpu_percent_of_core"]:.2f}% of a core'
    )
