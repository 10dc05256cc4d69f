"""
How image messages travel from the subscription to the worker: serialized, or typed.

A camera sends far more frames than the model can take; the node keeps only the newest
(core/mailboxes.py). With a typed subscription rclpy turns every frame into a Python
message on the executor thread, dropped or not: for a 640x480 rgb8 frame about 0.9 ms and
a copy of its 900 KB into an array.array, most of it for frames that are then replaced
unseen. With a raw subscription (`create_subscription(..., raw=True)`) the executor only
receives the serialized CDR bytes (one copy, out of the middleware) and the mailbox holds
them; the worker deserializes only the frame it processes, with rosbags' CDR reader
over a memoryview, so the pixel array is a view of those bytes (about 4 us, no copy) and
the model's input is resized straight out of them (convert/cdr.py).

The node asks one `FrameCodec` for both ends: `raw` for the subscription, `decode` in the
worker, so it never branches per frame. `RawFrames` needs rosbags; where it is missing
`TypedFrames` keeps the typed path.
Both count what they decode: a dropped frame is never deserialized (tests count it).
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

import threading
from typing import Any, Protocol

from builtin_interfaces.msg import Time
from std_msgs.msg import Header

from ..convert.cdr import CdrReader, FrameError

__all__ = ['FrameCodec', 'FrameError', 'RawFrames', 'TypedFrames', 'frame_codec']


class FrameCodec(Protocol):
    """What the node needs: how to subscribe, and how to get a message from a mailbox item."""

    raw: bool
    name: str

    def decode(self, item: Any, camera: int) -> tuple[Any, Header]:
        """Return the message (fields as sensor_msgs') and its header as an rclpy Header."""

    def deserialized(self, camera: int, received: int) -> int:
        """Return how many of the `received` frames of `camera` were deserialized."""


class TypedFrames:
    """rclpy deserializes every frame on the executor thread; the item is the message."""

    raw = False
    name = 'typed'

    def decode(self, item: Any, camera: int) -> tuple[Any, Header]:
        return item, item.header

    def deserialized(self, camera: int, received: int) -> int:
        return received  # every one, by rclpy, before the mailbox


class RawFrames:
    """The item is the serialized frame; only the worker deserializes it, zero-copy."""

    raw = True
    name = 'raw'

    def __init__(self, msg_type: type) -> None:
        self._read = CdrReader(msg_type)
        self._counts: dict[int, int] = {}
        self._lock = threading.Lock()

    def deserialized(self, camera: int, received: int) -> int:
        with self._lock:
            return self._counts.get(camera, 0)

    def decode(self, item: Any, camera: int) -> tuple[Any, Header]:
        with self._lock:
            self._counts[camera] = self._counts.get(camera, 0) + 1
        msg = self._read(item)
        stamp = msg.header.stamp
        header = Header(
            stamp=Time(sec=int(stamp.sec), nanosec=int(stamp.nanosec)),
            frame_id=str(msg.header.frame_id),
        )
        return msg, header


def frame_codec(msg_type: type, prefer_raw: bool = True) -> FrameCodec:
    """Return the raw codec where rosbags is installed (and wanted), the typed one otherwise."""
    if prefer_raw:
        try:
            return RawFrames(msg_type)
        except ImportError:
            pass  # no rosbags: the typed path, which needs nothing more
    return TypedFrames()
