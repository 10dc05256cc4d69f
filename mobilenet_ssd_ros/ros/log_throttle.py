"""
One log line per kind of problem and period, with the count of what was held back.

rclpy's `throttle_duration_sec` throttles per call site, so a single "bad image" line
would let one kind of error (a flood of truncated frames) hide every other kind for the
whole period. Here each kind (e.g. "front/truncated", "front/too_large") has its own
period, and the line that ends a quiet period says how many were suppressed.
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

from collections.abc import Callable
import threading
import time


class KindThrottle:
    """Decides, per kind, whether a message may be logged now."""

    def __init__(self, period_s: float, clock: Callable[[], float] = time.monotonic):
        self._period = period_s
        self._clock = clock
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()

    def allow(self, kind: str) -> int | None:
        """
        Decide whether a message of this `kind` may be logged now.

        Returns None to stay quiet, otherwise how many messages of this kind were held back
        since the last one that was allowed.
        """
        now = self._clock()
        with self._lock:
            last = self._last.get(kind)
            if last is not None and now - last < self._period:
                self._held[kind] = self._held.get(kind, 0) + 1
                return None
            self._last[kind] = now
            return self._held.pop(kind, 0)
