"""
Send image files through a real ROS 2 topic to a running mobilenet_ssd node.

It collects what the node publishes: detections printed, annotated images and a result bag
written.

    ros2 run mobilenet_ssd_ros detect_images IMAGES_OR_DIRS... [--output DIR]

Each image is published on `image` (remap it to the node's input) as rgb8 with a fresh
stamp; the node's Detection2DArray with the same stamp is its answer. The result bag
(mcap) holds the images on /camera/image_raw and the detections on
/mobilenet_ssd/detections with the same timestamps, ready for `ros2 bag play` and rviz.
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

import argparse
from pathlib import Path
import sys
import threading
import time

from lifecycle_msgs.srv import GetState
import numpy as np
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.qos import QoSProfile
from rclpy.serialization import serialize_message
from rosbags.rosbag2 import StoragePlugin, Writer
from sensor_msgs.msg import Image
from vision_msgs.msg import Detection2DArray

from ..convert.bag_types import typestore
from ..convert.messages import detections_from_array
from ..core.draw import annotate
from ..core.imageio import image_files, read_rgb, write_rgb


def wait(condition, timeout: float) -> bool:
    """Poll `condition` until it holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def main() -> int:
    """Send every image, wait for each answer; exit 1 if the node or an answer is missing."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('images', nargs='+', help='image files or folders')
    parser.add_argument(
        '--output', default='out/ros_demo', help='folder for annotated images and the result bag'
    )
    parser.add_argument(
        '--node', default='/mobilenet_ssd', help='the detector node (default /mobilenet_ssd)'
    )
    parser.add_argument(
        '--timeout', type=float, default=30.0, help='seconds to wait for the node and each answer'
    )
    args = parser.parse_args(rclpy.utilities.remove_ros_args(sys.argv)[1:])
    files = [f for p in args.images for f in image_files(Path(p))]
    if not files:
        print('error: no images found', file=sys.stderr)
        return 1

    rclpy.init()
    node = Node('detect_images')
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    spinner = threading.Thread(target=executor.spin, daemon=True)
    spinner.start()
    answers: dict[tuple[int, int], Detection2DArray] = {}
    node.create_subscription(
        Detection2DArray,
        f'{args.node}/detections',
        lambda m: answers.__setitem__((m.header.stamp.sec, m.header.stamp.nanosec), m),
        QoSProfile(depth=10),
    )
    publisher = node.create_publisher(
        Image, 'image', QoSProfile(depth=10)
    )  # reliable: every file counts
    state = node.create_client(GetState, f'{args.node}/get_state')

    def active() -> bool:
        if not state.service_is_ready():
            return False
        future = state.call_async(GetState.Request())
        return wait(future.done, 5.0) and future.result().current_state.label == 'active'

    try:
        if not wait(active, args.timeout) or not wait(
            lambda: publisher.get_subscription_count() > 0, args.timeout
        ):
            print(
                f'error: no active {args.node} listening on {publisher.topic_name} '
                f'within {args.timeout:.0f} s',
                file=sys.stderr,
            )
            return 1
        out = Path(args.output)
        (out / 'annotated').mkdir(parents=True, exist_ok=True)
        bag_path = out / 'detections_bag'
        if bag_path.exists():
            print(f'error: {bag_path} exists', file=sys.stderr)
            return 1
        store = typestore()
        failures = 0
        with Writer(bag_path, version=9, storage_plugin=StoragePlugin.MCAP) as bag:
            images_conn = bag.add_connection(
                '/camera/image_raw', 'sensor_msgs/msg/Image', typestore=store
            )
            dets_conn = bag.add_connection(
                '/mobilenet_ssd/detections', 'vision_msgs/msg/Detection2DArray', typestore=store
            )
            for path in files:
                rgb = read_rgb(path)
                if rgb is None:
                    print(f'error: {path}: not a readable image', file=sys.stderr)
                    failures += 1
                    continue
                msg = Image(
                    height=rgb.shape[0], width=rgb.shape[1], encoding='rgb8', step=rgb.shape[1] * 3
                )
                msg.header.stamp = node.get_clock().now().to_msg()
                msg.header.frame_id = 'camera'
                msg.data = np.ascontiguousarray(rgb).tobytes()
                key = (msg.header.stamp.sec, msg.header.stamp.nanosec)
                publisher.publish(msg)
                if not wait(lambda: key in answers, args.timeout):
                    print(
                        f'error: {path}: no detections within {args.timeout:.0f} s',
                        file=sys.stderr,
                    )
                    failures += 1
                    continue
                answer = answers.pop(key)
                detections = detections_from_array(answer)
                print(f'{path}: {len(detections)} detection(s)')
                for d in detections:
                    b = d.bbox
                    print(
                        f'  {d.label:<14} {d.score:.2f}  '
                        f'[{b.xmin:.0f} {b.ymin:.0f} {b.xmax:.0f} {b.ymax:.0f}]'
                    )
                write_rgb(out / 'annotated' / f'{path.stem}.jpg', annotate(rgb, detections))
                t = key[0] * 1_000_000_000 + key[1]
                bag.write(images_conn, t, serialize_message(msg))
                bag.write(dets_conn, t, serialize_message(answer))
        print(
            f'{len(files) - failures} image(s) through {args.node}: '
            f'annotated images in {out / "annotated"}, '
            f'result bag {bag_path}',
            file=sys.stderr,
        )
        return 1 if failures else 0
    finally:
        executor.shutdown()
        spinner.join(timeout=5.0)
        node.destroy_node()
        rclpy.try_shutdown()
