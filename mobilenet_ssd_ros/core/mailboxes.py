"""
The newest-frame policy: one slot per source, served round-robin.

A detector that falls behind its camera must not queue frames: every queued frame adds a
frame time of latency. So each source (camera) has one slot. A new frame replaces the
one waiting there, and the replaced frame is dropped (and counted by the caller). The
worker takes the waiting frames in turn, starting after the source it served last, so
a fast camera cannot starve a slow one.

The node uses this with its worker thread (under its own lock); the offline replay uses
the same class to simulate that worker on a bag's recorded arrival times, so both drop
exactly the same frames.
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

from typing import Generic, TypeVar

T = TypeVar('T')


class Mailboxes(Generic[T]):
    """One newest-item slot per source. Not thread-safe: callers hold their lock."""

    def __init__(self, sources: int):
        if sources < 1:
            raise ValueError(f'need at least one source, got {sources}')
        self._slots: list[T | None] = [None] * sources
        self._next = 0

    def put(self, source: int, item: T) -> bool:
        """Leave `item` in the source's slot; True if it replaced (dropped) a waiting one."""
        replaced = self._slots[source] is not None
        self._slots[source] = item
        return replaced

    def take(self) -> tuple[int, T] | None:
        """(source, item) of the next waiting item in round-robin order, or None."""
        n = len(self._slots)
        for i in range(n):
            source = (self._next + i) % n
            item = self._slots[source]
            if item is not None:
                self._slots[source] = None
                self._next = (source + 1) % n
                return source, item
        return None

    def clear(self) -> None:
        """Forget every waiting item (not counted as dropped: nobody will process them)."""
        self._slots = [None] * len(self._slots)
