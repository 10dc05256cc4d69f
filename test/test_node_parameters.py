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

"""Parameters and outputs: stats, debug image, label info, diagnostics, live changes."""

from __future__ import annotations

import shutil
import threading
import time

from conftest import available_here, MODEL_DIR, read_rgb, REPO, SHARED
import cv2
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from mobilenet_ssd_ros.core.enhance import measure
from mobilenet_ssd_ros.core.fog_switch import SwitchRule
from mobilenet_ssd_ros.msg import DetectionStats
from mobilenet_ssd_ros.ros.settings import PARAMETERS
from node_checks import (
    boxes,
    camera_diagnostics,
    DETECTIONS,
    GRACE,
    PETS,
    send_until,
    stamp_ns,
)
import numpy as np
from rclpy.qos import DurabilityPolicy, QoSProfile
from ros_harness import image_msg, NODE, wait_for
from sensor_msgs.msg import Image
from vision_msgs.msg import Detection2DArray, LabelInfo
import yaml


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
    # a trained model this package ships wins over the rebuild of its key (models/)
    from mobilenet_ssd_ros import zoo

    expected = zoo.find(0.75, 160).model_id
    shipped = (REPO / 'models' / 'ssd_mobilenet_v1_0.75_160_quant_coco_distilled').is_dir()
    assert expected.endswith('_distilled') == shipped
    assert (first.resolution, first.model_id, first.alpha) == (160, expected, 0.75)
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
            'no model (alpha 0.75, resolution 96) on this machine; available here: '
            + available_here((0.75, 160), (0.75, 224))
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


def test_variant_auto_switches_into_fog_and_out_once_each_way(start_node, client, weather_variant):
    """
    A drive into fog and out, at 10 Hz in stamp time: the node runs the fog model in between.

    Each camera switches once each way, a hold time (1 s of frames) after the weather
    changed, the enhancement follows the model, every frame is answered, each switch is
    logged once, and /diagnostics says which model the camera runs.
    """
    node = start_node(autostart=True, variant='auto', qos_reliability='reliable', qos_depth=10)
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image', reliable=True)
    stats = client.collect(f'/{NODE}/stats', DetectionStats)
    received = client.collect(DETECTIONS, Detection2DArray)
    diagnostics = client.collect('/diagnostics', DiagnosticArray)
    rule = SwitchRule()

    def frames(folder: str, foggy: bool, count: int) -> list:
        """Frames of a folder that the switch sees as foggy (or clear), at the size sent."""
        out = []
        for path in sorted((SHARED / 'data' / folder).iterdir()):
            rgb = cv2.resize(read_rgb(path), (320, 240))
            seen = measure(cv2.resize(rgb, (300, 300), interpolation=cv2.INTER_AREA))
            if (rule.enter(seen) if foggy else not rule.leave(seen)) and len(out) < count:
                out.append(rgb)
        return out

    clear = frames('pennfudan_dev/PNGImages', False, 50)
    drive = clear[:20] + frames('dawn_fog_dev/images', True, 30) + clear[20:]
    for i, rgb in enumerate(drive):  # one after the other: every frame is answered
        send_until(client, pub, image_msg(rgb, stamp_ns=1 + i * 100_000_000), received)
    ran = {round(s.header.stamp.nanosec / 1e8 + s.header.stamp.sec * 10): s for s in stats}
    models = [ran[i].model_id for i in range(len(drive))]
    changes = [i for i in range(1, len(models)) if models[i] != models[i - 1]]
    assert len(changes) == 2, models
    into, out_of = changes
    assert models[into] == 'fog_copy_300' and models[0] == 'ssd_mobilenet_v1_1.0_quant_coco'
    assert 20 + 10 < into <= 20 + 10 + 2  # hold 1 s of fog frames, then the next frame
    assert 50 + 10 < out_of <= 50 + 10 + 2
    assert all(ran[i].enhanced for i in range(into, out_of))  # the fog model's enhancement
    said = [line for line in node.log().splitlines() if 'the camera sees' in line]
    assert len(said) == 2 and 'sees fog' in said[0] and 'sees clear' in said[1], said
    status = wait_for(
        lambda: camera_diagnostics(diagnostics, lambda v: v.get('fog') == 'false'),
        10,
        'the fog key in /diagnostics',
    )
    assert status['model'] == 'ssd_mobilenet_v1_1.0_quant_coco'


def test_variant_auto_without_a_weather_model_fails_configure_with_what_exists(
    start_node, client, tmp_path, monkeypatch
):
    monkeypatch.setenv('MOBILENET_SSD_MODEL_PATH', str(tmp_path))
    node = start_node(variant='auto')
    client.wait_for_node()
    assert not client.transition('configure')
    wait_for(
        lambda: "no 'weather' variant of (alpha 0.75, resolution 300)" in node.log(),
        10,
        'the reason in the log',
    )
    assert 'variants here: none' in node.log() and client.state() == 'unconfigured'
