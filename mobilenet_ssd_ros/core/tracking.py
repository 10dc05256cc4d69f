"""
The same object keeps its id from frame to frame: one ByteTrack tracker per camera.

The association (Kalman motion model, two-stage IoU matching of high- and low-score boxes)
is Roboflow's `trackers` package (ByteTrackTracker, Apache-2.0), chosen over SORT, OC-SORT
and motpy by the measurements in docs/TRACKING.md. Its timestamp mode is what a camera
needs: frames reach the tracker irregularly (the node's mailbox drops frames under load, a
Pi runs at 10-20 FPS), so the motion model steps by the frames' own stamps, not by a frame
counter, and a lost track lives `lost_seconds` of stamp time.

What this module adds on top: detections in and out as the package's own `Detection`
(class and score unchanged, `track_id` set), ids that are never reused by one Tracker
(a reset starts new tracks, not old numbers), and the rule for boxes the tracker does not
(yet) follow: they are dropped, so that every detection a tracking camera publishes
carries an id. A new object is therefore published from its second frame on, and a box
below `start_score` only while it continues a track.

`trackers` (and the supervision package it builds on) load only when a Tracker is made:
a node with tracking off never imports them.
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
from dataclasses import dataclass, replace
import math

import numpy as np

from .detection import Detection

INSTALL_HINT = (
    'tracking needs the `trackers` package: pip install -r requirements/tracking.txt '
    '&& pip install --no-deps -r requirements/tracking-no-deps.txt'
)


class TrackingUnavailableError(ImportError):
    """The tracker library is not installed (the message says how to install it)."""


@dataclass(frozen=True)
class TrackerSettings:
    """The tracker knobs a user tunes; the rest are ByteTrack's defaults."""

    lost_seconds: float = 1.0  # how long (stamp time) a track unseen is kept for re-matching
    start_score: float = 0.6  # the score a box needs to start a track (ByteTrack: stage one)

    def __post_init__(self):
        if not (math.isfinite(self.lost_seconds) and self.lost_seconds >= 0):
            raise ValueError(f'lost_seconds must be >= 0, got {self.lost_seconds}')
        if not 0.0 <= self.start_score <= 1.0:
            raise ValueError(f'start_score must be in [0, 1], got {self.start_score}')


# The library's trackers this module can drive, and how the settings map onto each; the
# node uses ByteTrack, the others are there for the comparison in docs/TRACKING.md.
ALGORITHMS = ('bytetrack', 'sort', 'ocsort')


def _library(algorithm: str):
    """Import the tracker library and return (supervision, a factory of `algorithm`)."""
    try:
        import supervision
        import trackers
    except ImportError as exc:
        raise TrackingUnavailableError(f'{INSTALL_HINT} ({exc})') from exc

    def make(s: TrackerSettings):
        buffer = max(1, round(s.lost_seconds * 30))  # the library's unit: frames at 30 FPS
        if algorithm == 'bytetrack':
            return trackers.ByteTrackTracker(
                lost_track_buffer=buffer,
                track_activation_threshold=s.start_score,
                high_conf_det_threshold=s.start_score,
            )
        if algorithm == 'sort':
            return trackers.SORTTracker(
                lost_track_buffer=buffer, track_activation_threshold=s.start_score
            )
        if algorithm == 'ocsort':
            return trackers.OCSORTTracker(
                lost_track_buffer=buffer, high_conf_det_threshold=s.start_score
            )
        raise ValueError(f'unknown tracker {algorithm!r}; known: {", ".join(ALGORITHMS)}')

    return supervision, make


def require_library() -> None:
    """Raise TrackingUnavailableError (with the install line) unless the library imports."""
    _library(ALGORITHMS[0])


class Tracker:
    """One camera's tracks: feed it each processed frame's detections with the frame's stamp."""

    def __init__(
        self, settings: TrackerSettings = TrackerSettings(), algorithm: str = 'bytetrack'
    ):
        self._sv, self._make = _library(algorithm)
        self.settings = settings
        self._next_id = 1  # ids this Tracker hands out: 1, 2, ..., never reused
        self._ids: dict[int, int] = {}  # the library's track id -> ours
        self._tracker = self._new_tracker()
        self._last_stamp: float | None = None
        self._reset_pending = False
        # Live tracks with an id after the last update (alive: seen, or lost for under
        # `lost_seconds`); an int, so that another thread (diagnostics) may read it.
        self.active_tracks = 0

    def _new_tracker(self):
        tracker = self._make(self.settings)
        # The buffer was rounded to 30 FPS frames; with stamps the seconds are what count.
        tracker.maximum_time_without_update = self.settings.lost_seconds
        return tracker

    def reset(self) -> None:
        """Forget every track (a new run of the camera); ids already used stay used."""
        self._tracker = self._new_tracker()
        self._ids.clear()
        self._last_stamp = None
        self.active_tracks = 0

    def request_reset(self) -> None:
        """Reset before the next update (safe from another thread than the one updating)."""
        self._reset_pending = True

    def retune(self, settings: TrackerSettings) -> None:
        """Apply new settings to the live tracks (from any thread; read at the next update)."""
        self.settings = settings
        tracker = self._tracker
        tracker.maximum_time_without_update = settings.lost_seconds
        for name in ('track_activation_threshold', 'high_conf_det_threshold'):
            if hasattr(tracker, name):
                setattr(tracker, name, settings.start_score)

    def update(self, detections: Sequence[Detection], stamp_s: float) -> list[Detection]:
        """
        Return the detections the tracker follows, each with its `track_id`, best score first.

        `stamp_s` is the frame's capture time in seconds. A frame not newer than the last one
        tracked (out of order, or the same frame again) is not tracked: nothing is returned
        and the tracks are unchanged.
        """
        if self._reset_pending:
            self._reset_pending = False
            self.reset()
        if self._last_stamp is not None and not stamp_s > self._last_stamp:
            return []
        self._last_stamp = stamp_s
        boxes = np.array(
            [(d.bbox.xmin, d.bbox.ymin, d.bbox.xmax, d.bbox.ymax) for d in detections],
            dtype=np.float32,
        ).reshape(-1, 4)
        scores = np.array([d.score for d in detections], dtype=np.float32)
        # class_id carries each box's index (the association ignores classes), so that the
        # library's output, reordered and filtered, maps back to our detections unchanged.
        given = self._sv.Detections(
            xyxy=boxes, confidence=scores, class_id=np.arange(len(detections))
        )
        out = self._tracker.update(given, timestamp=float(stamp_s))
        tracked = []
        for index, library_id in zip(out.class_id, out.tracker_id):
            if library_id < 0:
                continue  # not (yet) a track: dropped, see the module docstring
            ours = self._ids.get(int(library_id))
            if ours is None:
                ours = self._ids[int(library_id)] = self._next_id
                self._next_id += 1
            tracked.append(replace(detections[int(index)], track_id=ours))
        self.active_tracks = sum(1 for t in self._tracker.tracks if t.tracker_id >= 0)
        return sorted(tracked, key=lambda d: -d.score)

    @property
    def ids_issued(self) -> int:
        """How many track ids this Tracker has handed out (the ids are 1..this)."""
        return self._next_id - 1
