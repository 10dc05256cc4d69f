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

"""The node's lifecycle: transitions, start-up values, the executor, its name and logs."""

from __future__ import annotations

import re
import shutil
import threading
import time

from conftest import MODEL_DIR
import cv2
from diagnostic_msgs.msg import DiagnosticArray
from node_checks import (
    boxes,
    camera_diagnostics,
    DETECTIONS,
    GRACE,
    PETS,
    send_until,
)
import pytest
from ros_harness import image_msg, wait_for
from vision_msgs.msg import Detection2DArray


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
