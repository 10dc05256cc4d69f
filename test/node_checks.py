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

"""What the node tests share: sample frames, and how to send a frame until it is answered."""

from __future__ import annotations

import copy
import itertools
import time

from conftest import read_rgb, SAMPLES, SHARED
from mobilenet_ssd_ros.convert.messages import detections_from_array
from mobilenet_ssd_ros.core.detection import BBox
from mobilenet_ssd_ros.offline.datasets import load_dataset
from ros_harness import NODE, wait_for
from vision_msgs.msg import Detection2DArray

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
