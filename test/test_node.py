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

"""The lifecycle node as a process, over real rclpy + Fast DDS."""

from __future__ import annotations

import copy
import itertools
import random
import re
import shutil
import subprocess
import sys
import threading
import time

from conftest import MODEL_DIR, read_rgb, REPO, SAMPLES, SHARED
import cv2
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from mobilenet_ssd_ros.core.detection import BBox
from mobilenet_ssd_ros.core.detector import Detector
from mobilenet_ssd_ros.core.postprocess import DetectionFilter
from mobilenet_ssd_ros.msg import DetectionStats
from mobilenet_ssd_ros.offline.datasets import load_dataset
from mobilenet_ssd_ros.ros.messages import detections_from_array
from mobilenet_ssd_ros.ros.node import LOG_THROTTLE_S, PARAMETERS
import numpy as np
import pytest
from rclpy.qos import DurabilityPolicy, QoSProfile
from ros_harness import image_msg, jpeg_msg, NODE, wait_for
from sensor_msgs.msg import CompressedImage, Image
from vision_msgs.msg import Detection2DArray, LabelInfo
import yaml

GRACE = read_rgb(SAMPLES / 'grace_hopper.bmp')
# One annotated pedestrian in the right third of the frame (tight ground truth).
_PED = next(
    s
    for s in load_dataset(SHARED / 'data' / 'pennfudan_dev', 'pennfudan')
    if s.image_path.name == 'FudanPed00010.png'
)
PEDESTRIAN, PEDESTRIAN_BOX = read_rgb(_PED.image_path), _PED.objects[0].bbox
PETS = read_rgb(SAMPLES / 'pets.jpg')
DETECTIONS = f'/{NODE}/detections'


def boxes(msg: Detection2DArray) -> list[tuple[str, float, BBox]]:
    return [(d.label, d.score, d.bbox) for d in detections_from_array(msg)]


_unique_stamps = itertools.count(1)


def send_until(client, pub, msg, received: list, count: int = 1, timeout: float = 20.0):
    """
    Publish copies of `msg` (best effort may lose one) until `count` outputs for it arrived.

    And return those. Outputs are matched by header, so answers to earlier frames still in flight
    are never mistaken for answers to this one; a message without a stamp gets a unique one. (Fast
    DDS delivered a re-published rclpy message object only once in our runs, hence copies.)
    """
    if msg.header.stamp.sec == 0 and msg.header.stamp.nanosec == 0:
        msg = copy.deepcopy(msg)
        msg.header.stamp.nanosec = next(_unique_stamps)
    start = len(received)

    def mine():
        return [m for m in received[start:] if m.header == msg.header]

    def arrived():
        if len(mine()) >= count:
            return True
        pub.publish(copy.deepcopy(msg))
        time.sleep(0.05)  # pacing of the retries, not a wait for the result
        return False

    wait_for(
        arrived, timeout, f'{count} output message(s) on {pub.topic_name} (have {len(mine())})'
    )
    return mine()[:count]


def camera_diagnostics(arrays: list, condition, camera: str = 'camera') -> dict | None:
    """Return the newest key/value map of `camera`'s diagnostics that meets `condition`."""
    for array in reversed(arrays):
        for status in array.status:
            if status.name == f'/{NODE}: {camera}':
                values = {kv.key: kv.value for kv in status.values}
                if 'frames_received' in values and condition(values):
                    return values
    return None


def stamp_ns(msg) -> int:
    return msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec


@pytest.fixture(scope='module')
def reference():
    return Detector(MODEL_DIR / 'detect.tflite')


def test_lifecycle_transitions(start_node, client):
    start_node()
    client.wait_for_node()
    assert client.state() == 'unconfigured'
    assert client.transition('configure')
    assert client.state() == 'inactive'
    pub = client.publisher('/image')
    assert pub.get_subscription_count() == 0  # inactive: not even subscribed
    received = client.collect(DETECTIONS, Detection2DArray)
    assert client.transition('activate') and client.state() == 'active'
    wait_for(lambda: pub.get_subscription_count() == 1, 10, "the node's subscription")
    send_until(client, pub, image_msg(GRACE), received)
    assert client.transition('deactivate') and client.state() == 'inactive'
    wait_for(lambda: pub.get_subscription_count() == 0, 10, 'the subscription to go away')
    assert client.transition('cleanup') and client.state() == 'unconfigured'
    assert client.transition('configure') and client.state() == 'inactive'
    assert client.transition('activate')
    send_until(client, pub, image_msg(PETS), received)
    assert client.transition('active_shutdown') and client.state() == 'finalized'


@pytest.mark.parametrize(
    'transition, setup',
    [
        ('shutdown', []),
        ('inactive_shutdown', ['configure']),
        ('active_shutdown', ['configure', 'activate']),
    ],
)
def test_shutdown_from_every_state(start_node, client, transition, setup):
    node = start_node()
    client.wait_for_node()
    for step in setup:
        assert client.transition(step)
    assert client.transition(transition)
    assert client.state() == 'finalized'
    assert node.alive()


def test_configure_with_a_missing_model_fails_cleanly(start_node, client, tmp_path):
    node = start_node(model=str(tmp_path / 'missing.tflite'))
    client.wait_for_node()
    assert not client.transition('configure')
    assert client.state() == 'unconfigured'
    wait_for(
        lambda: 'missing.tflite: model file not found' in node.log(), 5, 'the reason in the log'
    )
    assert client.set_params(model='')[0].successful
    assert client.transition('configure') and client.state() == 'inactive'


@pytest.mark.parametrize('raw', [True, False], ids=['raw', 'typed'])
def test_detections_for_several_encodings_and_sizes(start_node, client, reference, raw):
    """Both transports (serialized frames, or typed messages) give the reference's detections."""
    start_node(autostart=True, raw_subscriptions=raw)
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image')
    received = client.collect(DETECTIONS, Detection2DArray)
    for n, (encoding, size) in enumerate(
        [
            ('rgb8', None),
            ('rgb8', (640, 480)),
            ('bgr8', (1280, 675)),
            ('mono8', (480, 640)),
            ('rgba8', (300, 300)),
        ]
    ):
        rgb = PEDESTRIAN if size is None else cv2.resize(PEDESTRIAN, size)
        msg = image_msg(rgb, encoding, stamp_ns=1_700_000_000_000_000_000 + n, frame_id=f'cam_{n}')
        (out,) = send_until(client, pub, msg, received)
        assert out.header.frame_id == f'cam_{n}' and stamp_ns(out) == stamp_ns(msg)
        assert all(d.header == out.header and d.id == '' for d in out.detections)
        got = boxes(out)
        expected_input = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if encoding == 'mono8' else rgb
        expected = reference.detect(expected_input, DetectionFilter(0.5))
        assert [g[0] for g in got] == [e.label for e in expected]
        for (_, score, box), e in zip(got, expected):
            assert score == pytest.approx(e.score, abs=1e-6)
            assert box.iou(e.bbox) > 0.999
        h, w = rgb.shape[:2]
        sx, sy = w / PEDESTRIAN.shape[1], h / PEDESTRIAN.shape[0]
        truth = BBox(
            PEDESTRIAN_BOX.xmin * sx,
            PEDESTRIAN_BOX.ymin * sy,
            PEDESTRIAN_BOX.xmax * sx,
            PEDESTRIAN_BOX.ymax * sy,
        )
        assert max(b.iou(truth) for label, _, b in got if label == 'person') > 0.7
        assert all(0 <= b.xmin <= b.xmax <= w and 0 <= b.ymin <= b.ymax <= h for _, _, b in got)


@pytest.mark.parametrize('raw', [True, False], ids=['raw', 'typed'])
def test_compressed_input_and_corrupt_jpeg(start_node, client, raw):
    node = start_node(autostart=True, input_compressed=True, raw_subscriptions=raw)
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image/compressed', CompressedImage)
    received = client.collect(DETECTIONS, Detection2DArray)
    bad = CompressedImage(format='jpeg')
    bad.data = b'\xff\xd8\xff\xe0 definitely not a jpeg'

    def decode_error_logged():
        pub.publish(bad)
        return 'bad image (compressed): cannot decode the jpeg image' in node.log()

    wait_for(decode_error_logged, 10, 'the decode error in the log')
    (out,) = send_until(client, pub, jpeg_msg(PETS, stamp_ns=42), received)
    assert stamp_ns(out) == 42
    assert [label for label, _, _ in boxes(out)] == ['dog', 'dog']


def test_stats_debug_image_label_info_and_diagnostics(start_node, client):
    start_node(autostart=True)
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image')
    stats = client.collect(f'/{NODE}/stats', DetectionStats)
    debug = client.collect(f'/{NODE}/debug_image', Image)
    diagnostics = client.collect('/diagnostics', DiagnosticArray)
    latched = QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL)
    labels = client.collect(f'/{NODE}/label_info', LabelInfo, latched)
    wait_for(lambda: labels, 10, 'label_info (transient local)')
    assert len(labels[0].class_map) == 80 and labels[0].class_map[0].class_name == 'person'
    # Stamped two seconds in the past: latency_ms must count from the stamp, in ms.
    msg = image_msg(PETS, stamp_ns=client.node.get_clock().now().nanoseconds - 2_000_000_000)
    sent_at = time.monotonic()
    send_until(client, pub, msg, stats)
    round_trip_ms = (time.monotonic() - sent_at) * 1e3
    s = stats[-1]
    assert stamp_ns(s) == stamp_ns(msg) and s.num_detections == 2
    assert s.inference_ms > 0 and s.preprocess_ms > 0 and s.postprocess_ms > 0
    assert s.total_ms < round_trip_ms
    assert 2000 < s.latency_ms < 2000 + round_trip_ms
    assert (
        s.model_id == 'ssd_mobilenet_v1_1.0_quant_coco' and s.resolution == 300 and s.alpha == 0.75
    )
    (img,) = send_until(client, pub, msg, debug)
    assert (img.width, img.height, img.encoding) == (512, 430, 'rgb8')
    assert np.frombuffer(img.data, np.uint8).reshape(430, 512, 3).tobytes() != PETS.tobytes()
    status = wait_for(
        lambda: [
            s
            for a in diagnostics
            for s in a.status
            if s.name == f'/{NODE}: camera' and any(kv.key == 'fps' for kv in s.values)
        ],
        10,
        'diagnostics',
    )
    values = {kv.key: kv.value for kv in status[-1].values}
    assert values['state'] == 'active' and values['model'] == 'ssd_mobilenet_v1_1.0_quant_coco'
    assert {'fps', 'latency_ms', 'frames_dropped'} <= set(values)


def test_live_parameter_changes(start_node, client, tmp_path):
    start_node(autostart=True)
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image')
    received = client.collect(DETECTIONS, Detection2DArray)
    msg = image_msg(GRACE)
    (before,) = send_until(client, pub, msg, received)
    assert client.set_params(score_threshold=0.7)[0].successful
    (after,) = send_until(client, pub, msg, received)
    assert 0 < len(after.detections) < len(before.detections)
    assert all(score >= 0.7 for _, score, _ in boxes(after))
    result = client.set_params(score_threshold=1.5)[0]
    assert not result.successful and result.reason
    result = client.set_params(classes=['persn'])[0]
    assert not result.successful and 'valid labels' in result.reason and 'person' in result.reason
    assert client.set_params(classes=['tie'], score_threshold=0.3)[0].successful
    (ties,) = send_until(client, pub, msg, received)
    assert {label for label, _, _ in boxes(ties)} == {'tie'}
    assert client.set_params(classes=[], score_threshold=0.5, max_detections=1)[0].successful
    (one,) = send_until(client, pub, msg, received)
    assert len(one.detections) == 1


def test_model_swap_while_streaming(start_node, client, tmp_path):
    copy = tmp_path / 'swap' / 'detect.tflite'
    copy.parent.mkdir()
    shutil.copy(MODEL_DIR / 'detect.tflite', copy)
    shutil.copy(MODEL_DIR / 'labelmap.txt', copy.parent / 'labelmap.txt')
    node = start_node(autostart=True)
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image', reliable=True)
    stats = client.collect(f'/{NODE}/stats', DetectionStats)
    msg = image_msg(PETS)
    send_until(client, pub, msg, stats)
    assert client.set_params(model=str(copy))[0].successful
    send_until(client, pub, msg, stats, count=3)
    assert stats[-1].model_id == 'swap/detect.tflite'
    broken = tmp_path / 'broken.tflite'
    broken.write_bytes(b'garbage')
    result = client.set_params(model=str(broken))[0]
    assert not result.successful and 'not a TensorFlow Lite model' in result.reason
    copy.unlink()  # the running model's file disappears: the loaded model keeps working
    send_until(client, pub, msg, stats, count=3)
    assert stats[-1].model_id == 'swap/detect.tflite' and stats[-1].num_detections == 2
    assert node.alive()


def test_overload_keeps_latency_bounded_and_counts_drops(start_node, client):
    """
    Frames at up to 200 Hz into a model made slow on purpose (one thread, no XNNPACK).

    The mailbox drops the excess and latency stays within a few frame times, whatever the machine's
    load. Every bound is relative to the node's own per-frame time in this run; a queue instead of
    the one-slot mailbox makes latency grow with every frame.
    """
    start_node(
        autostart=True, num_threads=1, use_xnnpack=False, qos_reliability='reliable', qos_depth=10
    )
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image', reliable=True)
    stats = client.collect(f'/{NODE}/stats', DetectionStats)
    diagnostics = client.collect('/diagnostics', DiagnosticArray)
    frame = cv2.resize(PETS, (640, 480))
    period, wanted = 1 / 200, 45
    deadline = time.monotonic() + 120
    start, sent = time.monotonic(), 0
    while (
        len(stats) < wanted
    ):  # a number of outputs, not a duration: a slow machine just takes longer
        assert time.monotonic() < deadline, f'only {len(stats)} outputs'
        if time.monotonic() - start >= sent * period:
            last = image_msg(frame, stamp_ns=client.node.get_clock().now().nanoseconds)
            pub.publish(last)
            sent += 1
        else:
            time.sleep(period / 4)
    # The newest frame always gets processed: wait for its stats.
    wait_for(
        lambda: stats and stamp_ns(stats[-1]) == stamp_ns(last), 30, 'stats of the last frame'
    )
    processed = len(stats)
    dropped = sum(s.frames_dropped for s in stats)
    assert dropped > processed, (
        processed,
        dropped,
        sent,
    )  # it was overloaded: most frames were dropped
    per_frame = float(np.median([s.total_ms for s in stats]))
    latencies = np.array([s.latency_ms for s in stats])
    third = len(latencies) // 3
    first, last_third = np.median(latencies[:third]), np.median(latencies[-third:])
    assert last_third < first + 2 * per_frame, (
        first,
        last_third,
        per_frame,
    )  # no growth with backlog
    assert np.median(latencies) < 4 * per_frame, (np.median(latencies), per_frame)
    # Serialized frames: the dropped ones were never deserialized, only the processed ones.
    values = wait_for(
        lambda: camera_diagnostics(
            diagnostics, lambda v: int(v['frames_deserialized']) == processed
        ),
        15,
        f'diagnostics counting {processed} deserialized frames',
    )
    assert values['transport'] == 'raw'
    received, dropped_total = int(values['frames_received']), int(values['frames_dropped'])
    assert received == processed + dropped_total >= 2 * processed, values


def test_typed_transport_deserializes_every_frame(start_node, client):
    """raw_subscriptions false: rclpy deserializes each frame that arrives, dropped or not."""
    start_node(autostart=True, raw_subscriptions=False, num_threads=1, use_xnnpack=False)
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image')
    diagnostics = client.collect('/diagnostics', DiagnosticArray)
    frame = image_msg(cv2.resize(PETS, (640, 480)))
    for _ in range(60):
        pub.publish(frame)
        time.sleep(0.002)  # a burst faster than the model: most frames are dropped
    values = wait_for(
        lambda: camera_diagnostics(
            diagnostics, lambda v: int(v['frames_received']) > 0 and int(v['frames_dropped']) > 0
        ),
        15,
        'diagnostics with received and dropped frames',
    )
    assert values['transport'] == 'typed'
    assert values['frames_deserialized'] == values['frames_received']


@pytest.mark.parametrize(
    'executor, name', [('events', 'EventsExecutor'), ('single_threaded', 'SingleThreadedExecutor')]
)
def test_the_executor_parameter_picks_the_executor(start_node, client, executor, name):
    start_node(autostart=True, executor=executor)
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image')
    received = client.collect(DETECTIONS, Detection2DArray)
    diagnostics = client.collect('/diagnostics', DiagnosticArray)
    (out,) = send_until(client, pub, image_msg(PETS, stamp_ns=9), received)
    assert [label for label, _, _ in boxes(out)] == ['dog', 'dog']
    values = wait_for(lambda: camera_diagnostics(diagnostics, lambda v: True), 10, 'diagnostics')
    assert values['executor'] == name


def test_corrupt_serialized_frames_are_bad_frames(start_node, client):
    """Truncated CDR on the raw path: a clear, throttled error; the node keeps detecting."""
    from rclpy.serialization import serialize_message

    node = start_node(autostart=True)
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image')
    received = client.collect(DETECTIONS, Detection2DArray)
    whole = serialize_message(image_msg(PETS))

    def error_logged():
        pub.publish(whole[:200])  # rclpy publishes bytes as an already serialized message
        return 'bad image (serialization): 200 bytes are not a serialized' in node.log()

    wait_for(error_logged, 10, 'the serialization error in the log')
    (out,) = send_until(client, pub, image_msg(PETS, stamp_ns=7), received)
    assert [label for label, _, _ in boxes(out)] == ['dog', 'dog'] and node.alive()


def test_qos_best_effort_and_reliable_publishers(start_node, client):
    start_node(autostart=True)  # sensor-data QoS (best effort) accepts both publishers
    client.wait_for_node()
    client.wait_for_subscriber('/image', reliable=False)
    client.wait_for_subscriber('/image', reliable=True)


def test_qos_reliable_subscription_refuses_best_effort(start_node, client):
    start_node(autostart=True, qos_reliability='reliable')
    client.wait_for_node()
    client.wait_for_subscriber('/image', reliable=True)
    assert client.publisher('/image', reliable=False).get_subscription_count() == 0


def test_two_cameras(start_node, client):
    start_node(autostart=True, cameras=['front', 'rear'])
    client.wait_for_node()
    front = client.wait_for_subscriber('/front/image')
    rear = client.wait_for_subscriber('/rear/image')
    got_front = client.collect(f'/{NODE}/front/detections', Detection2DArray)
    got_rear = client.collect(f'/{NODE}/rear/detections', Detection2DArray)
    (f,) = send_until(client, front, image_msg(GRACE, frame_id='front'), got_front)
    (r,) = send_until(client, rear, image_msg(PETS, frame_id='rear'), got_rear)
    assert f.header.frame_id == 'front' and 'person' in [b[0] for b in boxes(f)]
    assert r.header.frame_id == 'rear' and [b[0] for b in boxes(r)] == ['dog', 'dog']


def test_two_cameras_under_overload_are_served_fairly(start_node, client):
    """
    Both cameras publish far faster than a slowed model can serve (one thread, no XNNPACK).

    The front one twice as often with bigger frames: round-robin keeps their output counts equal.
    Counted up to a number of outputs, so load changes the time it takes, not the result; without
    round-robin the rear camera starves.
    """
    start_node(autostart=True, cameras=['front', 'rear'], num_threads=1, use_xnnpack=False)
    client.wait_for_node()
    front = client.wait_for_subscriber('/front/image')
    rear = client.wait_for_subscriber('/rear/image')
    got_front = client.collect(f'/{NODE}/front/stats', DetectionStats)
    got_rear = client.collect(f'/{NODE}/rear/stats', DetectionStats)
    small, big = image_msg(cv2.resize(PETS, (320, 240))), image_msg(cv2.resize(PETS, (640, 480)))
    deadline = time.monotonic() + 120
    while min(len(got_front), len(got_rear)) < 20 and max(len(got_front), len(got_rear)) < 60:
        assert time.monotonic() < deadline, (len(got_front), len(got_rear))
        front.publish(copy.deepcopy(big))
        front.publish(copy.deepcopy(big))
        rear.publish(copy.deepcopy(small))
        time.sleep(0.005)
    n_front, n_rear = len(got_front), len(got_rear)
    assert min(n_front, n_rear) >= 0.75 * max(n_front, n_rear), (n_front, n_rear)
    assert (
        sum(s.frames_dropped for s in got_front) > 0
        and sum(s.frames_dropped for s in got_rear) > 0
    )


def test_remapped_input_topic(start_node, client):
    start_node(autostart=True, remaps={'image': '/camera/color/image_raw'})
    client.wait_for_node()
    pub = client.wait_for_subscriber('/camera/color/image_raw')
    received = client.collect(DETECTIONS, Detection2DArray)
    send_until(client, pub, image_msg(PETS), received)


def _malformed(rng: random.Random, good: Image) -> Image:
    msg = Image(
        header=good.header,
        height=good.height,
        width=good.width,
        encoding=good.encoding,
        is_bigendian=0,
        step=good.step,
    )
    kind = rng.choice(['encoding', 'truncated', 'empty', 'step', 'garbage', 'huge_dims'])
    data = bytes(good.data)
    if kind == 'encoding':
        msg.encoding = rng.choice(['32FC1', 'weird', '', '16UC5', 'jpeg'])
    elif kind == 'truncated':
        data = data[: rng.randrange(0, len(data))]
    elif kind == 'empty':
        msg.height = msg.width = msg.step = 0
        data = b''
    elif kind == 'step':
        msg.step = rng.randrange(0, good.step)
    elif kind == 'garbage':
        msg.encoding = 'rgb8'
        data = bytes(rng.getrandbits(8) for _ in range(64))
    else:
        msg.width, msg.height = 1 << 20, 1 << 20
    msg.data = data
    return msg


def test_fuzz_malformed_and_good_messages(start_node, client):
    node = start_node(autostart=True, qos_reliability='reliable', qos_depth=10)
    client.wait_for_node()
    started = time.monotonic()
    pub = client.wait_for_subscriber('/image', reliable=True)
    diagnostics = client.collect('/diagnostics', DiagnosticArray)
    rng = random.Random(1234)
    good = image_msg(cv2.resize(PETS, (160, 120)))
    for _ in range(3000):
        pub.publish(good if rng.random() < 0.2 else _malformed(rng, good))
    assert node.alive()
    assert client.state() == 'active'
    received = client.collect(DETECTIONS, Detection2DArray)
    probe = image_msg(PETS, frame_id='after_fuzz')

    def answered():  # good frames of the burst may still be arriving: wait for this one
        pub.publish(copy.deepcopy(probe))
        return [m for m in received if m.header.frame_id == 'after_fuzz']

    out = wait_for(answered, 60, 'the answer to a good image after the fuzz')[0]
    assert [b[0] for b in boxes(out)] == ['dog', 'dog']
    errors = wait_for(
        lambda: [
            kv
            for a in diagnostics
            for s in a.status
            for kv in s.values
            if kv.key.startswith('errors_')
        ],
        30,
        'error counters in diagnostics',
    )
    latest = {kv.key: int(kv.value) for kv in errors}
    counted = sum(latest.values())
    log_errors = node.log().count('bad image')
    # Throttled per kind: at most one line per kind and LOG_THROTTLE_S of this run (plus
    # the first), however many bad frames the counters saw.
    bound = len(latest) * ((time.monotonic() - started) / LOG_THROTTLE_S + 1)
    assert counted > 0 and 0 < log_errors <= bound, (log_errors, bound, counted)


def test_params_yaml_matches_the_declared_parameters(start_node, client):
    """
    Every key in config/params.yaml is a parameter the node declares.

    And the node starts from the file with those values.
    """
    path = REPO / 'config' / 'params.yaml'
    values = yaml.safe_load(path.read_text())['/**']['ros__parameters']
    assert set(values) <= set(PARAMETERS)
    assert values == {k: PARAMETERS[k][0] for k in values}  # "with their defaults"
    documented = {
        line.split(':')[0].strip('# ').strip()
        for line in path.read_text().splitlines()
        if ':' in line
    }
    assert set(PARAMETERS) <= documented  # commented-out ones too
    start_node(ros_args=['--params-file', str(path)])
    client.wait_for_node()
    assert client.get_params(*values) == values
    assert client.transition('configure')


@pytest.mark.parametrize(
    'params, reason',
    [
        ({'qos_reliability': 'sometimes'}, "qos_reliability must be 'best_effort' or 'reliable'"),
        ({'cameras': ['front', 'front']}, 'camera names must be unique'),
        ({'cameras': ['bad name!']}, 'configure failed: .*(topic|name)'),
        ({'classes': ['unicorn']}, "unknown label\\(s\\) 'unicorn'"),
    ],
)
def test_bad_start_up_values_fail_configure_cleanly(start_node, client, params, reason):
    node = start_node(**params)
    client.wait_for_node()
    assert not client.transition('configure')
    assert client.state() == 'unconfigured'
    wait_for(lambda: re.search(reason, node.log()), 5, f'{reason!r} in the log')
    assert node.alive()


def test_corrupted_model_between_configure_and_reconfigure(start_node, client, tmp_path):
    model = tmp_path / 'm' / 'detect.tflite'
    model.parent.mkdir()
    shutil.copy(MODEL_DIR / 'detect.tflite', model)
    shutil.copy(MODEL_DIR / 'labelmap.txt', model.parent)
    node = start_node(model=str(model))
    client.wait_for_node()
    assert client.transition('configure') and client.transition('cleanup')
    model.write_bytes(model.read_bytes()[:50_000])  # truncated on disk
    assert not client.transition('configure')
    assert client.state() == 'unconfigured'
    wait_for(lambda: 'cannot load it' in node.log(), 5, 'the load error in the log')
    model.unlink()
    assert not client.transition('configure')
    wait_for(lambda: 'model file not found' in node.log(), 5, 'the missing-file error in the log')
    shutil.copy(MODEL_DIR / 'detect.tflite', model)
    assert client.transition('configure') and client.transition('activate')


def test_images_during_transitions(start_node, client):
    """
    A stream keeps coming while the node is deactivated and activated again and again.

    Nothing crashes, the node ends up serving.
    """
    node = start_node(autostart=True)
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image')
    received = client.collect(DETECTIONS, Detection2DArray)
    frame = cv2.resize(PETS, (320, 240))
    stop = False

    def stream():
        while not stop:
            pub.publish(image_msg(frame))
            time.sleep(0.002)

    streamer = threading.Thread(target=stream)
    streamer.start()
    try:
        for _ in range(5):
            assert client.transition('deactivate')
            assert client.transition('activate')
        assert client.transition('deactivate') and client.transition('cleanup')
        assert client.transition('configure') and client.transition('activate')
        count = len(received)
        wait_for(lambda: len(received) > count, 10, 'detections after the transitions')
    finally:
        stop = True
        streamer.join()
    assert node.alive() and 'frame failed' not in node.log()


def test_detect_images_through_the_node(start_node, tmp_path):
    """
    The README's main job.

    Sample images through a real topic into the node; printed detections, annotated images and a
    result bag that rclpy can read back.
    """
    from rclpy.serialization import deserialize_message
    from rosbags.rosbag2 import Reader

    start_node(autostart=True)
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / 'scripts' / 'detect_images'),
            str(SAMPLES),
            '--output',
            str(tmp_path / 'out'),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r'pets\.jpg: 2 detection\(s\)\n  dog .*\n  dog ', result.stdout)
    assert (
        'grace_hopper.bmp' in result.stdout
        and '10 image(s) through /mobilenet_ssd' in result.stderr
    )
    assert len(list((tmp_path / 'out' / 'annotated').glob('*.jpg'))) == 10
    with Reader(tmp_path / 'out' / 'detections_bag') as reader:
        topics = {c.topic: c.msgcount for c in reader.connections}
        arrays = [
            deserialize_message(raw, Detection2DArray)
            for c, _, raw in reader.messages()
            if c.topic == '/mobilenet_ssd/detections'
        ]
    assert topics == {'/camera/image_raw': 10, '/mobilenet_ssd/detections': 10}
    assert sum(len(a.detections) for a in arrays) == sum(
        int(n) for n in re.findall(r': (\d+) detection\(s\)', result.stdout)
    )


def test_node_switches_between_built_resolutions(start_node, client, tmp_path, monkeypatch):
    """
    Models built by the zoo builder are found by `resolution`.

    Switching between two while streaming keeps answering, and the stats say which model answered.
    """
    from mobilenet_ssd_ros.zoo.build import build

    for resolution in (160, 224):
        build(resolution, output=tmp_path)
    monkeypatch.setenv('MOBILENET_SSD_MODEL_DIR', str(tmp_path))  # inherited by the node process
    start_node(autostart=True, resolution=160)
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image')
    stats = client.collect(f'/{NODE}/stats', DetectionStats)
    frame = image_msg(cv2.resize(PETS, (640, 480)))
    (first,) = send_until(client, pub, frame, stats)
    assert (first.resolution, first.model_id, first.alpha) == (
        160,
        'ssd_mobilenet_v1_0.75_160_quant_coco',
        0.75,
    )
    streaming = True

    def stream():
        while streaming:
            pub.publish(
                image_msg(
                    cv2.resize(PETS, (640, 480)),
                    stamp_ns=client.node.get_clock().now().nanoseconds,
                )
            )
            time.sleep(0.02)

    streamer = threading.Thread(target=stream)
    streamer.start()
    try:
        assert client.set_params(resolution=224)[0].successful
        wait_for(lambda: stats[-1].resolution == 224, 10, 'answers from the 224 model')
        result = client.set_params(resolution=96)[0]  # not built: rejected, 224 keeps running
        assert not result.successful and result.reason.startswith(
            'no model (alpha 0.75, resolution 96) on this machine; available here: (alpha 0.75, '
            'resolution 160), '
            '(alpha 0.75, resolution 224), (alpha 0.75, resolution 300)'
        )
        result = client.set_params(alpha=1.0)[0]  # no such width here: rejected with what exists
        assert (
            not result.successful
            and 'available here: (alpha 0.75, resolution 160)' in result.reason
        )
        count = len(stats)
        wait_for(lambda: len(stats) > count + 5, 10, 'answers after the rejected switch')
    finally:
        streaming = False
        streamer.join()
    assert stats[-1].resolution == 224
    assert {s.resolution for s in stats} == {160, 224}


def test_namespaced_node_names_its_topics_and_diagnostics(start_node, client):
    """
    Two detectors in two namespaces must be told apart.

    The diagnostics carry the node's fully qualified name and the resolved input topic, and the log
    names resolved topics.
    """
    node = start_node(autostart=True, ros_args=['-r', '__ns:=/car1'])
    diagnostics = client.collect('/diagnostics', DiagnosticArray)
    status = wait_for(
        lambda: [s for a in diagnostics for s in a.status if s.name.startswith('/car1/')],
        20,
        'diagnostics of /car1/mobilenet_ssd',
    )[-1]
    assert (status.name, status.hardware_id) == ('/car1/mobilenet_ssd: camera', '/car1/image')
    wait_for(lambda: 'input: /car1/image' in node.log(), 10, 'the resolved input topic in the log')
    pub = client.wait_for_subscriber('/car1/image')
    received = client.collect('/car1/mobilenet_ssd/detections', Detection2DArray)
    send_until(client, pub, image_msg(PETS), received)


def test_standard_qos_overrides_apply_to_the_image_subscription(start_node, client):
    start_node(
        autostart=True, ros_args=['-p', 'qos_overrides./image.subscription.reliability:=reliable']
    )
    client.wait_for_node()
    client.wait_for_subscriber('/image', reliable=True)
    assert (
        client.publisher('/image', reliable=False).get_subscription_count() == 0
    )  # best effort no longer matches


def test_no_foreign_log_lines(start_node, client):
    """
    Everything the node prints is a ROS log line.

    LiteRT's 'INFO: Created TensorFlow Lite XNNPACK delegate' used to appear on every configure.
    """
    node = start_node(autostart=True)
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image')
    received = client.collect(DETECTIONS, Detection2DArray)
    send_until(client, pub, image_msg(PETS), received)
    foreign = [line for line in node.log().splitlines() if line and not line.startswith('[')]
    assert not foreign, foreign


def test_enhance_live_with_quality_in_stats_and_a_blinded_camera_in_diagnostics(
    start_node, client
):
    """
    `enhance` switches live and is validated; ~/stats carries each frame's quality.

    A foggy frame is enhanced under `auto`, a clear one is not; black frames (a covered lens)
    turn the camera's diagnostics to WARN instead of passing for an empty street.
    """
    start_node(autostart=True)
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image')
    stats = client.collect(f'/{NODE}/stats', DetectionStats)
    diagnostics = client.collect('/diagnostics', DiagnosticArray)
    foggy = (PETS * 0.4 + 255 * 0.6).astype(np.uint8)  # I = J t + A (1 - t), A white
    (s,) = send_until(client, pub, image_msg(foggy), stats)
    assert s.enhanced is False and s.image_quality == 'ok' and s.haze > 0.5  # enhance: off
    rejected = client.set_params(enhance='clahe')[0]
    assert (
        not rejected.successful and 'enhance must be one of off, stretch, auto' in rejected.reason
    )
    assert client.set_params(enhance='auto')[0].successful
    (s,) = send_until(client, pub, image_msg(foggy), stats)
    assert s.enhanced is True
    (s,) = send_until(client, pub, image_msg(PETS), stats)
    assert s.enhanced is False and s.image_quality == 'ok'
    assert 0 < s.brightness < 1 and s.contrast > 0.15 and s.haze < 0.45

    black = image_msg(np.zeros((240, 320, 3), np.uint8))
    (s,) = send_until(client, pub, black, stats)
    assert s.image_quality == 'dark' and s.num_detections == 0

    def blinded():
        pub.publish(image_msg(np.zeros((240, 320, 3), np.uint8)))
        return [
            st
            for a in diagnostics
            for st in a.status
            if st.name == f'/{NODE}: camera' and 'image unusable (dark)' in st.message
        ]

    status = wait_for(blinded, 20, 'a WARN for the dark camera')[-1]
    assert status.level == DiagnosticStatus.WARN
    values = {kv.key: kv.value for kv in status.values}
    assert values['enhance'] == 'auto' and int(values['image_dark']) > 0
    assert float(values['brightness']) < 0.06
