"""
Serialized image messages (CDR bytes) -> messages, zero-copy, with rosbags' reader.

The node's raw subscriptions (ros/frames.py) hand the worker the bytes rclpy took out of
the middleware; deserializing them here, over a memoryview, makes the pixel array a view of
those bytes (about 4 us for a 640x480 frame, no copy). The benchmarks measure the same
reader. Needs rosbags (requirements/ros.txt brings it with rosbags-image).
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

from typing import Any

TYPE_NAMES = {
    'Image': 'sensor_msgs/msg/Image',
    'CompressedImage': 'sensor_msgs/msg/CompressedImage',
}


class FrameError(ValueError):
    """Serialized data that is not the message it claims to be (truncated, corrupt CDR)."""


class CdrReader:
    """Deserializes one image message type; ImportError where rosbags is not installed."""

    def __init__(self, msg_type: type) -> None:
        from rosbags.typesys import get_typestore, Stores  # rosbags' CDR reader

        # sensor_msgs' Image and CompressedImage are the same in every ROS 2 distro
        self._store = get_typestore(Stores.ROS2_KILTED)
        self.type_name = TYPE_NAMES[msg_type.__name__]

    def __call__(self, data: Any) -> Any:
        """Return the message the bytes hold (fields as sensor_msgs'), or raise FrameError."""
        try:
            return self._store.deserialize_cdr(memoryview(data), self.type_name)
        except Exception as exc:  # noqa: BLE001 - rosbags raises several kinds on bad CDR
            raise FrameError(
                f'{len(data)} bytes are not a serialized {self.type_name} ({type(exc).__name__})'
            ) from exc
