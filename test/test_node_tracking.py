"""Tracking in the node, through real DDS: ids on every detection, live toggling, resets."""

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

from conftest import MODEL_DIR, read_rgb, SHARED
from diagnostic_msgs.msg import DiagnosticArray
from mobilenet_ssd_ros import zoo
from mobilenet_ssd_ros.convert.messages import detections_from_array
from mobilenet_ssd_ros.core.tracking import Tracker
from node_checks import camera_diagnostics, DETECTIONS, send_until
import pytest
from ros_harness import image_msg, wait_for
from vision_msgs.msg import Detection2DArray

pytest.importorskip(
    'trackers', reason='the tracker library is not installed (requirements/tracking.txt)'
)

FRAMES = sorted((SHARED / 'data' / 'track_pathtrack_street' / 'img1').iterdir())[:16]
PERIOD_NS = 40_000_000  # the sequence's 25 Hz


def stream(client, pub, received, frames, first: int) -> list[Detection2DArray]:
    """Send frames one after the other (each answered) at 25 Hz in stamp time from `first`."""
    return [
        send_until(client, pub, image_msg(rgb, stamp_ns=(first + i) * PERIOD_NS), received)[0]
        for i, rgb in enumerate(frames)
    ]


def ids(msg: Detection2DArray) -> list[str]:
    return [d.id for d in msg.detections]


def test_the_node_tracks_as_the_core_does_and_resets_on_deactivate(start_node, client):
    """
    The node's ids are the core tracker's on the same frames and stamps; every detection has one.

    A model switch keeps the tracks. Turned off live: no ids; on again: fresh tracks whose ids
    go on from the last; deactivate and activate: fresh tracks again, never an old id;
    /diagnostics counts live tracks.
    """
    start_node(autostart=True, tracking=True, qos_reliability='reliable', qos_depth=10)
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image', reliable=True)
    received = client.collect(DETECTIONS, Detection2DArray)
    diagnostics = client.collect('/diagnostics', DiagnosticArray)
    rgbs = [read_rgb(p) for p in FRAMES]

    published = stream(client, pub, received, rgbs[:10], first=1)
    detector = zoo.open_detector(score_threshold=0.5)
    tracker = Tracker()
    expected = [
        tracker.update(detector.detect(rgb).detections, (1 + i) * PERIOD_NS / 1e9)
        for i, rgb in enumerate(rgbs[:10])
    ]
    for msg, core in zip(published, expected):
        def key(d):
            return d.track_id, d.label, round(d.bbox.xmin, 1)

        assert sorted(map(key, detections_from_array(msg))) == sorted(map(key, core))
    assert ids(published[0]) == []  # a track needs two frames
    assert all(i for msg in published[1:] for i in ids(msg))  # every detection has its id
    assert sum(len(msg.detections) for msg in published) > 20
    last_id = max(int(i) for msg in published for i in ids(msg))
    status = wait_for(
        lambda: camera_diagnostics(diagnostics, lambda v: int(v.get('active_tracks', 0)) > 0),
        10,
        'active_tracks in /diagnostics',
    )
    assert int(status['active_tracks']) <= last_id

    # A model switch keeps the tracks: the next frame continues them (a reset would publish
    # nothing, as a new track needs two frames).
    assert client.set_params(model=str(MODEL_DIR / 'detect.tflite'))[0].successful
    (continued,) = stream(client, pub, received, rgbs[10:11], first=11)
    assert {int(i) for i in ids(continued)} & set(range(1, last_id + 1))
    last_id = max(last_id, *map(int, ids(continued)))

    assert client.set_params(tracking=False)[0].successful
    (untracked,) = stream(client, pub, received, rgbs[11:12], first=12)
    assert untracked.detections and ids(untracked) == [''] * len(untracked.detections)
    assert client.set_params(tracking=True)[0].successful
    again = stream(client, pub, received, rgbs[12:14], first=13)
    assert ids(again[0]) == []  # fresh tracks
    assert again[1].detections and min(int(i) for i in ids(again[1])) > last_id
    last_id = max(int(i) for i in ids(again[1]))

    assert client.transition('deactivate') and client.transition('activate')
    after = stream(client, pub, received, rgbs[14:16], first=15)
    assert ids(after[0]) == []  # the tracks were forgotten
    assert after[1].detections and min(int(i) for i in ids(after[1])) > last_id


def test_tracker_parameters_are_validated_and_apply_live(start_node, client):
    start_node(autostart=True)
    client.wait_for_node()
    for bad in ({'tracking_start_score': 1.5}, {'tracking_lost_seconds': -1.0}):
        result = client.set_params(**bad)[0]
        assert not result.successful and result.reason, bad
    assert client.set_params(tracking_lost_seconds=2.5, tracking_start_score=0.4)[0].successful
    assert client.set_params(tracking=True)[0].successful
    assert client.get_params('tracking_lost_seconds', 'tracking_start_score') == {
        'tracking_lost_seconds': 2.5,
        'tracking_start_score': 0.4,
    }
