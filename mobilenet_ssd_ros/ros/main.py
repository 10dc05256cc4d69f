"""
The node's process: start rclpy, pick the executor, spin, and end quietly on a signal.

SIGINT/SIGTERM end the process with status 0 in every lifecycle state, within
SPIN_PERIOD_S (plus the current start-up step, e.g. loading the model): main() handles
the signals itself (_StopRequest) instead of rclpy's handlers.
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

from collections.abc import Sequence
import os
import signal
import sys
import threading
from typing import Any

import rclpy
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.lifecycle import TransitionCallbackReturn
from rclpy.signals import SignalHandlerOptions

from .node import DetectorNode

EXIT_JOIN_S = 1.0  # at exit, how long the worker may take to finish its frame
SPIN_PERIOD_S = 0.1  # the executor's longest wait: how soon a signal is noticed


def _quiet_exit() -> None:
    """
    End the process now with status 0.

    A worker still inside a long decode or invoke must not hold up a shutdown (ros2 launch
    escalates SIGINT to SIGTERM after 5 s).
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


class _StopRequest:
    """
    SIGINT and SIGTERM only set a flag.

    main() checks it between start-up steps and between executor turns. rclpy's own handlers are
    not installed: they shut the context down from another thread at an arbitrary moment, and that
    raced with the executor (an RCLError or RuntimeError traceback, or, once in a few hundred
    signals, a node that kept spinning).
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self)

    def __call__(self, signum: int, frame: Any) -> None:
        self._event.set()

    def __bool__(self) -> bool:
        return self._event.is_set()


def _make_executor(node: DetectorNode) -> Any:
    """
    Return the executor the `executor` parameter asks for (start-up only).

    'events': rclpy's EventsExecutor, implemented in C++, where this rclpy has it (Kilted;
    not Humble or Jazzy): per offered 640x480 frame its thread spent 0.28 ms of CPU against
    0.66 ms for the SingleThreadedExecutor, both with raw subscriptions (docs/PERFORMANCE.md).
    Where it is missing the node says so once and runs the single-threaded one.
    """
    wanted = node.get_parameter('executor').value
    if wanted == 'events':
        try:
            from rclpy.experimental import EventsExecutor
        except ImportError:
            node.get_logger().info(
                'executor: events is not in this rclpy (it is from Kilted on); using '
                'single_threaded'
            )
        else:
            return EventsExecutor()
    elif wanted != 'single_threaded':
        node.get_logger().error(
            f"executor must be 'events' or 'single_threaded', got {str(wanted)[:40]!r}; "
            'using single_threaded'
        )
    return SingleThreadedExecutor()


def main(args: Sequence[str] | None = None) -> int:
    """
    Run the node until SIGINT/SIGTERM.

    0 in every case, within SPIN_PERIOD_S of the signal (plus the current start-up step, e.g.
    loading the model).
    """
    stop = _StopRequest()
    node = None
    try:
        rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
        if stop:
            return 0
        node = DetectorNode()
        executor = _make_executor(node)
        executor.add_node(node)
        if node.get_parameter('autostart').value and not stop:
            if node.trigger_configure() == TransitionCallbackReturn.SUCCESS and not stop:
                node.trigger_activate()
        while not stop and rclpy.ok():
            executor.spin_once(
                timeout_sec=SPIN_PERIOD_S
            )  # returns to Python so that the flag is seen
    except ExternalShutdownException:
        pass
    finally:
        if node is not None and not node.stop_processing(join_timeout=EXIT_JOIN_S):
            _quiet_exit()
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
