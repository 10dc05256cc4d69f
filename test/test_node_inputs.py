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

"""What the node reads: encodings, sizes, compressed and serialized frames, QoS, topics."""

from __future__ import annotations

import re
import subprocess
import sys
import time

from conftest import MODEL_DIR, REPO, SAMPLES
import cv2
from diagnostic_msgs.msg import DiagnosticArray
from mobilenet_ssd_ros.core.detection import BBox
from mobilenet_ssd_ros.core.detector import Detector, FrameSettings
from mobilenet_ssd_ros.core.postprocess import DetectionFilter
from node_checks import (
    boxes,
    camera_diagnostics,
    DETECTIONS,
    GRACE,
    PEDESTRIAN,
    PEDESTRIAN_BOX,
    PETS,
    send_until,
    stamp_ns,
)
import pytest
from ros_harness import image_msg, jpeg_msg, NODE, wait_for
from sensor_msgs.msg import CompressedImage
from vision_msgs.msg import Detection2DArray


@pytest.fixture(scope='module')
def reference():
    return Detector(MODEL_DIR / 'detect.tflite')


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
        expected = reference.detect(expected_input, FrameSettings(DetectionFilter(0.5))).detections
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
        return 'bad image (compressed): cannot read the jpeg header' in node.log()

    wait_for(decode_error_logged, 10, 'the decode error in the log')
    (out,) = send_until(client, pub, jpeg_msg(PETS, stamp_ns=42), received)
    assert stamp_ns(out) == 42
    assert [label for label, _, _ in boxes(out)] == ['dog', 'dog']


def test_a_mislabelled_camera_is_decoded_by_content_and_said_once(start_node, client):
    """PNG bytes labelled jpeg: detected as usual, one warning for the camera, never more."""
    node = start_node(autostart=True, input_compressed=True)
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image/compressed', CompressedImage)
    received = client.collect(DETECTIONS, Detection2DArray)
    png = CompressedImage(format='jpeg')
    png.data = cv2.imencode('.png', cv2.cvtColor(PETS, cv2.COLOR_RGB2BGR))[1].tobytes()
    for stamp in (7, 8, 9):
        png.header.stamp.nanosec = stamp
        (out,) = send_until(client, pub, png, received)
        assert [label for label, _, _ in boxes(out)] == ['dog', 'dog']
    said = [line for line in node.log().splitlines() if 'but the data is png' in line]
    assert len(said) == 1 and '[WARN]' in said[0] and "format says 'jpeg'" in said[0], said
    gif = CompressedImage(format='jpeg')
    gif.data = cv2.imencode('.gif', cv2.cvtColor(PETS, cv2.COLOR_RGB2BGR))[1].tobytes()
    wait_for(
        lambda: pub.publish(gif) or 'the data is GIF, not JPEG or PNG' in node.log(),
        10,
        'the GIF refused with its reason',
    )


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
    """Sensor-data QoS (best effort) matches both kinds of publisher, and both get answers."""
    start_node(autostart=True)
    client.wait_for_node()
    received = client.collect(DETECTIONS, Detection2DArray)
    for reliable in (False, True):
        pub = client.wait_for_subscriber('/image', reliable=reliable)
        assert pub.get_subscription_count() == 1
        (out,) = send_until(
            client, pub, image_msg(PETS, frame_id=f'reliable={reliable}'), received
        )
        assert [b[0] for b in boxes(out)] == ['dog', 'dog']


def test_qos_reliable_subscription_refuses_best_effort(start_node, client):
    start_node(autostart=True, qos_reliability='reliable')
    client.wait_for_node()
    client.wait_for_subscriber('/image', reliable=True)
    assert client.publisher('/image', reliable=False).get_subscription_count() == 0


def test_standard_qos_overrides_apply_to_the_image_subscription(start_node, client):
    start_node(
        autostart=True, ros_args=['-p', 'qos_overrides./image.subscription.reliability:=reliable']
    )
    client.wait_for_node()
    client.wait_for_subscriber('/image', reliable=True)
    assert (
        client.publisher('/image', reliable=False).get_subscription_count() == 0
    )  # best effort no longer matches


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


def test_remapped_input_topic(start_node, client):
    start_node(autostart=True, remaps={'image': '/camera/color/image_raw'})
    client.wait_for_node()
    pub = client.wait_for_subscriber('/camera/color/image_raw')
    assert client.publisher('/image').get_subscription_count() == 0  # the old name is not read
    received = client.collect(DETECTIONS, Detection2DArray)
    (out,) = send_until(client, pub, image_msg(PETS), received)
    assert [b[0] for b in boxes(out)] == ['dog', 'dog']


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
