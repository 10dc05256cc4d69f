"""
rosbag2 files without ROS (rosbags): camera bags from image folders, image frames out.

Bags written here use the rosbag2 format 9 with sqlite3 or mcap storage; `ros2 bag play`
on Jazzy and later reads both (Humble's rosbag2 may refuse format-9 metadata).
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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2

from ..convert.messages import rgb_image

IMAGE_TYPE = 'sensor_msgs/msg/Image'
COMPRESSED_TYPE = 'sensor_msgs/msg/CompressedImage'
STORAGES = ('mcap', 'sqlite3')  # rosbags' StoragePlugin names, lower case
DEFAULT_TOPIC = '/camera/image_raw'


class BagError(ValueError):
    """A bag that cannot be used as asked, with the reason."""


@dataclass(frozen=True)
class Frame:
    """One image message read from a bag."""

    index: int
    timestamp: int  # bag receive time, ns
    topic: str
    msg: Any  # rosbags sensor_msgs Image or CompressedImage (duck-types like rclpy's)


def _stamp(store, ns: int):
    return store.types['builtin_interfaces/msg/Time'](
        sec=ns // 1_000_000_000, nanosec=ns % 1_000_000_000
    )


def make_bag(
    images: Sequence[Path],
    output: str | Path,
    *,
    topic: str = DEFAULT_TOPIC,
    rate: float = 10.0,
    compressed: bool = False,
    storage: str = 'mcap',
    frame_id: str = 'camera',
    start_ns: int = 1_700_000_000_000_000_000,
) -> int:
    """
    Write the images as a camera stream at `rate` Hz.

    Rgb8 Image messages on `topic`, or JPEG CompressedImage on `topic`/compressed. Header stamps
    equal bag times. Returns the number of frames written.
    """
    if rate <= 0:
        raise BagError(f'rate must be positive, got {rate}')
    if storage not in STORAGES:
        raise BagError(f'unknown storage {storage!r}; use one of {", ".join(STORAGES)}')
    output = Path(output)
    if output.exists():
        raise BagError(f'{output} exists; rosbag2 output folders must be new')
    from rosbags.rosbag2 import StoragePlugin, Writer  # rosbags: only where bags are made

    from ..convert.bag_types import typestore

    store = typestore()
    header_type = store.types['std_msgs/msg/Header']
    written = 0
    plugin = StoragePlugin[storage.upper()]
    with Writer(output, version=9, storage_plugin=plugin) as writer:
        msgtype = COMPRESSED_TYPE if compressed else IMAGE_TYPE
        conn = writer.add_connection(
            topic + ('/compressed' if compressed else ''), msgtype, typestore=store
        )
        for i, path in enumerate(images):
            bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if bgr is None:
                raise BagError(f'{path}: not a readable image')
            ns = start_ns + round(i * 1e9 / rate)
            header = header_type(stamp=_stamp(store, ns), frame_id=frame_id)
            if compressed:
                ok, jpeg = cv2.imencode('.jpg', bgr)
                msg = store.types[COMPRESSED_TYPE](
                    header=header, format='jpeg', data=jpeg.reshape(-1)
                )
            else:
                msg = rgb_image(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), header, store.types)
            writer.write(conn, ns, store.serialize_cdr(msg, msgtype))
            written += 1
    return written


def read_frames(bag: str | Path, topic: str | None = None) -> Iterator[Frame]:
    """
    Image messages of one topic, in bag order.

    Without `topic` the bag must hold exactly one image topic.
    """
    path = Path(bag)
    if not path.exists():
        raise BagError(f'{path}: no such bag')
    from rosbags.rosbag2 import Reader  # rosbags: only where bags are read

    from ..convert.bag_types import typestore

    store = typestore()
    with Reader(path) as reader:
        topics = {
            c.topic: c for c in reader.connections if c.msgtype in (IMAGE_TYPE, COMPRESSED_TYPE)
        }
        if topic is None:
            if len(topics) != 1:
                listed = ', '.join(sorted(topics)) or 'topics: ' + ', '.join(
                    c.topic for c in reader.connections
                )
                raise BagError(
                    f'{path}: {"no image topic" if not topics else "several image topics"} '
                    f'({listed}); choose one with --topic'
                )
            topic = next(iter(topics))
        if topic not in topics:
            raise BagError(
                f'{path}: no image topic {topic!r}; image topics: '
                f'{", ".join(sorted(topics)) or "none"}'
            )
        conn = topics[topic]
        for index, (c, timestamp, raw) in enumerate(reader.messages(connections=[conn])):
            yield Frame(index, timestamp, topic, store.deserialize_cdr(raw, c.msgtype))
