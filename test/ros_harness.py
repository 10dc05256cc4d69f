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
Run the detector node as its own process and talk to it over real DDS.

Each test session gets its own ROS_DOMAIN_ID and localhost-only discovery, so parallel
runs and other machines never see each other. Everything waits for a condition with a
timeout; nothing sleeps a fixed time.
"""

from __future__ import annotations

from collections.abc import Callable
import os
from pathlib import Path
import subprocess
import sys
import threading
import time
from typing import Any

import cv2
from lifecycle_msgs.msg import Transition
from lifecycle_msgs.srv import ChangeState, GetState
import numpy as np
from rcl_interfaces.msg import Parameter as ParameterMsg
from rcl_interfaces.srv import GetParameters, SetParameters
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import qos_profile_sensor_data, QoSProfile
from sensor_msgs.msg import CompressedImage, Image

REPO = Path(__file__).resolve().parents[1]
NODE_EXE = REPO / 'scripts' / 'mobilenet_ssd_node'
NODE = 'mobilenet_ssd'

TRANSITIONS = {
    'configure': Transition.TRANSITION_CONFIGURE,
    'cleanup': Transition.TRANSITION_CLEANUP,
    'activate': Transition.TRANSITION_ACTIVATE,
    'deactivate': Transition.TRANSITION_DEACTIVATE,
    'shutdown': Transition.TRANSITION_UNCONFIGURED_SHUTDOWN,
    'inactive_shutdown': Transition.TRANSITION_INACTIVE_SHUTDOWN,
    'active_shutdown': Transition.TRANSITION_ACTIVE_SHUTDOWN,
}


def wait_for(condition: Callable[[], Any], timeout: float = 10.0, what: str = 'condition') -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise TimeoutError(f'timed out after {timeout} s waiting for {what}')


def image_msg(
    rgb: np.ndarray, encoding: str = 'rgb8', stamp_ns: int = 0, frame_id: str = 'camera'
) -> Image:
    """Fill a sensor_msgs/Image from an RGB array in the requested encoding."""
    convert = {
        'rgb8': None,
        'bgr8': cv2.COLOR_RGB2BGR,
        'mono8': cv2.COLOR_RGB2GRAY,
        'rgba8': cv2.COLOR_RGB2RGBA,
        'bgra8': cv2.COLOR_RGB2BGRA,
    }[encoding]
    data = rgb if convert is None else cv2.cvtColor(rgb, convert)
    data = np.ascontiguousarray(data)
    msg = Image(
        height=data.shape[0],
        width=data.shape[1],
        encoding=encoding,
        is_bigendian=0,
        step=data.shape[1] * (1 if data.ndim == 2 else data.shape[2]),
    )
    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(stamp_ns, 1_000_000_000)
    msg.header.frame_id = frame_id
    msg.data = data.tobytes()
    return msg


def jpeg_msg(rgb: np.ndarray, stamp_ns: int = 0, frame_id: str = 'camera') -> CompressedImage:
    ok, buf = cv2.imencode('.jpg', cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert ok
    msg = CompressedImage(format='jpeg')
    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(stamp_ns, 1_000_000_000)
    msg.header.frame_id = frame_id
    msg.data = buf.tobytes()
    return msg


class NodeProcess:
    """The detector node in a child process, with its log captured to a file."""

    def __init__(
        self,
        log_dir: Path,
        params: dict[str, Any] | None = None,
        remaps: dict[str, str] | None = None,
        ros_args: list[str] | None = None,
    ):
        args = [sys.executable, str(NODE_EXE), '--ros-args', *(ros_args or [])]
        for name, value in (params or {}).items():
            if isinstance(value, list):
                value = (
                    '[' + ','.join(f"'{v}'" if isinstance(v, str) else str(v) for v in value) + ']'
                )
            elif isinstance(value, bool):
                value = str(value).lower()
            args += ['-p', f'{name}:={value}']
        for src, dst in (remaps or {}).items():
            args += ['-r', f'{src}:={dst}']
        self.log_path = log_dir / f'node-{time.monotonic_ns()}.log'
        self._log = open(self.log_path, 'w')
        self.proc = subprocess.Popen(
            args, stdout=self._log, stderr=subprocess.STDOUT, env=os.environ.copy()
        )

    def log(self) -> str:
        return self.log_path.read_text()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def rss_mb(self) -> float:
        """Resident memory of the node process, MB."""
        for line in Path(f'/proc/{self.proc.pid}/status').read_text().splitlines():
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
        raise RuntimeError('no VmRSS')

    def stop(self, timeout: float = 10.0) -> int:
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        self._log.close()
        return self.proc.returncode


class Client:
    """A test-side rclpy node spinning in a background thread."""

    def __init__(self, name: str = 'test_client'):
        self.node = Node(name)
        self.executor = SingleThreadedExecutor()
        self.executor.add_node(self.node)
        self._thread = threading.Thread(target=self.executor.spin, daemon=True)
        self._thread.start()
        self._change = self.node.create_client(ChangeState, f'/{NODE}/change_state')
        self._get = self.node.create_client(GetState, f'/{NODE}/get_state')
        self._set = self.node.create_client(SetParameters, f'/{NODE}/set_parameters')
        self._get_params = self.node.create_client(GetParameters, f'/{NODE}/get_parameters')
        self._publishers: dict[tuple[str, type, str], Any] = {}

    def close(self) -> None:
        self.executor.shutdown()
        self._thread.join(timeout=5.0)
        self.node.destroy_node()

    def _call(self, client, request, timeout: float = 30.0):
        wait_for(client.service_is_ready, timeout, f'service {client.srv_name}')
        future = client.call_async(request)
        wait_for(future.done, timeout, f'reply of {client.srv_name}')
        return future.result()

    def wait_for_node(self, timeout: float = 20.0) -> None:
        """
        Wait until the node's services are ready and answer.

        A service can be seen before it has seen this client's reply reader; its reply is then
        dropped ("client will not receive response"). So a first, idempotent request is repeated
        until one answer arrives; the other clients' readers were announced together with that one.
        """
        wait_for(self._get.service_is_ready, timeout, "the node's lifecycle services")
        deadline = time.monotonic() + timeout
        while True:
            future = self._get.call_async(GetState.Request())
            try:
                wait_for(future.done, 2.0, 'a first reply of get_state')
                return
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise

    def state(self) -> str:
        return self._call(self._get, GetState.Request()).current_state.label

    def transition(self, name: str) -> bool:
        request = ChangeState.Request()
        request.transition.id = TRANSITIONS[name]
        return self._call(self._change, request).success

    def get_params(self, *names: str) -> dict[str, Any]:
        request = GetParameters.Request(names=list(names))
        values = self._call(self._get_params, request).values
        return {
            n: Parameter.from_parameter_msg(ParameterMsg(name=n, value=v)).value
            for n, v in zip(names, values)
        }

    def set_params(self, **values: Any):
        """Set parameters; lists are sent as string arrays (an empty list has no type)."""
        request = SetParameters.Request()
        request.parameters = [
            (
                Parameter(k, Parameter.Type.STRING_ARRAY, v)
                if isinstance(v, list)
                else Parameter(k, value=v)
            ).to_parameter_msg()
            for k, v in values.items()
        ]
        return self._call(self._set, request).results

    def publisher(self, topic: str, msg_type: type = Image, reliable: bool = False):
        key = (topic, msg_type, str(reliable))
        if key not in self._publishers:
            qos = QoSProfile(depth=10) if reliable else qos_profile_sensor_data
            self._publishers[key] = self.node.create_publisher(msg_type, topic, qos)
        return self._publishers[key]

    def wait_for_subscriber(
        self, topic: str, msg_type: type = Image, reliable: bool = False, timeout=20.0
    ):
        pub = self.publisher(topic, msg_type, reliable)
        wait_for(lambda: pub.get_subscription_count() > 0, timeout, f'a subscriber on {topic}')
        return pub

    def collect(self, topic: str, msg_type: type, qos: QoSProfile | None = None) -> list:
        received: list = []
        self.node.create_subscription(
            msg_type, topic, received.append, qos or QoSProfile(depth=100)
        )
        self.executor.wake()  # a spinning executor only sees new entities once woken
        return received
