"""One log line per kind of problem and period, with the count of what was held back.

rclpy's `throttle_duration_sec` throttles per call site, so a single "bad image" line
would let one kind of error (a flood of truncated frames) hide every other kind for the
whole period. Here each kind (e.g. "front/truncated", "front/too_large") has its own
period, and the line that ends a quiet period says how many were suppressed.
"""

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
        """None to stay quiet; otherwise how many messages of this kind were held back
        since the last one that was allowed."""
        now = self._clock()
        with self._lock:
            last = self._last.get(kind)
            if last is not None and now - last < self._period:
                self._held[kind] = self._held.get(kind, 0) + 1
                return None
            self._last[kind] = now
            return self._held.pop(kind, 0)
