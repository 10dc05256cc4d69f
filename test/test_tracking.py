"""Tracking without ROS: the tracker, MOTChallenge files, TrackEval scores, track and replay."""

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

import json
import shutil
import sys

from conftest import SHARED
from mobilenet_ssd_ros import cli
from mobilenet_ssd_ros.convert.messages import (
    detection_array,
    detections_from_array,
    RCLPY_TYPES,
)
from mobilenet_ssd_ros.core.detection import BBox, Detection
from mobilenet_ssd_ros.core.draw import annotate
from mobilenet_ssd_ros.core.tracking import Tracker, TrackerSettings
from mobilenet_ssd_ros.offline.mot import (
    MotFormatError,
    read_gt,
    read_sequence,
    score,
    TrackRow,
)
import numpy as np
import pytest

pytest.importorskip(
    'trackers', reason='the tracker library is not installed (requirements/tracking.txt)'
)

SEQUENCE = SHARED / 'data' / 'track_pathtrack_street'


def person(x: float, y: float = 100.0, score: float = 0.9, w: float = 40, h: float = 100):
    return Detection('person', 0, score, BBox(x, y, x + w, y + h))


def test_two_crossing_objects_keep_their_ids_through_the_crossing():
    """Two people walk past each other (their boxes overlap for frames); neither id swaps."""
    tracker = Tracker()
    ids = []
    for k in range(40):  # 10 Hz; they meet at frame 20
        a = person(100 + 10 * k, 100)
        b = person(500 - 10 * k, 110, score=0.8)
        out = tracker.update([a, b], k * 0.1)
        ids.append({d.bbox.ymin: d.track_id for d in out})
    settled = ids[5]
    assert set(settled) == {100.0, 110.0} and settled[100.0] != settled[110.0]
    for k in range(5, 40):
        assert ids[k] == settled, (k, ids[k])  # through the overlap (frames 17-23) and after


def test_a_new_object_has_an_id_from_its_second_frame():
    tracker = Tracker()
    assert tracker.update([person(10)], 0.0) == []  # one frame is not yet a track
    assert [d.track_id for d in tracker.update([person(12)], 0.1)] == [1]


def test_an_id_survives_a_dropped_frame_and_expires_after_the_lost_time_in_stamp_time():
    """lost_seconds counts the stamps: many quick frames keep a track, few slow ones end it."""
    tracker = Tracker(TrackerSettings(lost_seconds=1.0))
    for k in range(5):
        first = tracker.update([person(100 + 2 * k)], k * 0.1)
    assert [d.track_id for d in first] == [1]
    # a dropped frame: nothing at 0.5 s, the person again at 0.6 s, moved on
    assert [d.track_id for d in tracker.update([person(112)], 0.6)] == [1]
    # gone for 20 frames at 25 Hz (0.8 s < 1 s): the same id when it comes back
    for k in range(20):
        assert tracker.update([], 0.6 + (k + 1) * 0.04) == []
    assert [d.track_id for d in tracker.update([person(114)], 1.44)] == [1]
    # gone for only 3 frames but 1.5 s of stamps: the track has ended, a new id starts
    for t in (1.94, 2.44, 2.94):
        tracker.update([], t)
    tracker.update([person(114)], 2.95)
    assert [d.track_id for d in tracker.update([person(115)], 3.0)] == [2]


@pytest.mark.parametrize('every', [1, 2, 3])
def test_ids_hold_on_every_nth_frame(every):
    """A walker at 25 Hz, given every n-th frame only: one id, from the second frame given."""
    tracker = Tracker()
    seen = [
        [d.track_id for d in tracker.update([person(100 + 3 * k, 100 + k)], k / 25)]
        for k in range(0, 60, every)
    ]
    assert seen[0] == [] and all(ids == [1] for ids in seen[1:]), seen


def test_a_reset_forgets_the_tracks_but_never_reuses_an_id():
    tracker = Tracker()
    for k in range(3):
        tracker.update([person(10), person(300)], k * 0.1)
    assert tracker.active_tracks == 2
    tracker.reset()
    assert tracker.active_tracks == 0
    for k in range(3):
        out = tracker.update([person(10), person(300)], 10 + k * 0.1)
    assert sorted(d.track_id for d in out) == [3, 4]
    tracker.request_reset()  # as the node asks from another thread: done at the next update
    tracker.update([person(10)], 11.0)
    assert [d.track_id for d in tracker.update([person(10)], 11.1)] == [5]


def test_an_older_stamp_is_not_tracked_and_leaves_the_tracks_alone():
    tracker = Tracker()
    for k in range(3):
        tracker.update([person(10 + k)], 1.0 + k * 0.1)
    assert tracker.update([person(13)], 0.5) == []  # out of order: nothing published
    assert tracker.update([person(12)], 1.2) == []  # the last frame again: nothing either
    assert [d.track_id for d in tracker.update([person(13)], 1.3)] == [1]


def test_the_class_hypothesis_and_score_stay_those_of_the_detection():
    tracker = Tracker()
    car = Detection('car', 2, 0.77, BBox(0, 0, 50, 30))
    tracker.update([car], 0.0)
    (out,) = tracker.update([car], 0.1)
    assert (out.label, out.class_id, out.score, out.bbox) == ('car', 2, 0.77, car.bbox)


def test_a_box_below_the_start_score_only_continues_a_track():
    tracker = Tracker(TrackerSettings(start_score=0.6))
    weak = [tracker.update([person(10, score=0.5)], k * 0.1) for k in range(3)]
    assert weak == [[], [], []]  # never starts one
    for k in range(3, 6):
        tracker.update([person(10, score=0.9)], k * 0.1)
    assert [d.track_id for d in tracker.update([person(11, score=0.5)], 0.6)] == [1]


@pytest.mark.parametrize(
    'settings', [{'lost_seconds': -1}, {'lost_seconds': float('nan')}, {'start_score': 1.5}]
)
def test_tracker_settings_are_validated(settings):
    with pytest.raises(ValueError, match='must be'):
        TrackerSettings(**settings)


def test_detection2d_id_carries_the_track_id_and_is_empty_without_one():
    from std_msgs.msg import Header

    tracked = [person(10), Detection('car', 2, 0.7, BBox(0, 0, 5, 5), track_id=17)]
    msg = detection_array(tracked, Header(frame_id='camera'), RCLPY_TYPES)
    assert [d.id for d in msg.detections] == ['', '17']
    assert [d.track_id for d in detections_from_array(msg)] == [None, 17]


def test_the_debug_image_draws_the_track_id():
    image = np.zeros((200, 300, 3), np.uint8)
    plain = annotate(image, [person(10, 50)])
    tracked = annotate(image, [Detection('person', 0, 0.9, BBox(10, 50, 50, 150), track_id=7)])
    assert not np.array_equal(plain, tracked)  # the label is longer: '#7 person 0.90'


# -- MOTChallenge files and TrackEval --------------------------------------------------


def write_sequence(folder, gt_lines, length=4, frames=True):
    """Write a tiny MOTChallenge sequence; black JPEG frames (only the gt matters here)."""
    (folder / 'gt').mkdir(parents=True)
    (folder / 'img1').mkdir()
    (folder / 'seqinfo.ini').write_text(
        f'[Sequence]\nname={folder.name}\nimDir=img1\nframeRate=10\nseqLength={length}\n'
        'imWidth=640\nimHeight=360\nimExt=.jpg\n'
    )
    if frames:
        import cv2

        for k in range(1, length + 1):
            cv2.imwrite(str(folder / 'img1' / f'{k:06d}.jpg'), np.zeros((360, 640, 3), np.uint8))
    (folder / 'gt' / 'gt.txt').write_text(''.join(f'{line}\n' for line in gt_lines))
    return read_sequence(folder)


# Two people over four frames, boxes exactly where the gt says.
A = [(k, 1, 100 + 10 * k, 50, 40, 100) for k in range(1, 5)]
B = [(k, 2, 400 - 10 * k, 60, 40, 100) for k in range(1, 5)]
GT = [f'{f},{i},{x},{y},{w},{h},1,1,1' for f, i, x, y, w, h in A + B]


def rows(boxes_with_ids):
    return [
        TrackRow(f, Detection('person', 0, 0.9, BBox(x, y, x + w, y + h), tid))
        for (f, _, x, y, w, h), tid in boxes_with_ids
    ]


def test_score_reproduces_trackeval_on_a_hand_made_sequence(tmp_path):
    """
    Scores worked out by hand: a perfect tracker, then one whose first person changes id.

    With the switch at frame 3: MOTA = 1 - 1/8; IDF1 = 2*6 / (2*6 + 2 + 2) (the best id of
    the first person covers 2 of its 4 boxes); AssA = (4*0.5 + 4*1) / 8; HOTA = sqrt(AssA).
    """
    sequence = write_sequence(tmp_path / 'tiny', GT)
    perfect = score(sequence, rows([(a, 1) for a in A] + [(b, 2) for b in B]))
    assert perfect == pytest.approx(
        {'HOTA': 1.0, 'DetA': 1.0, 'AssA': 1.0, 'MOTA': 1.0, 'IDF1': 1.0, 'IDSW': 0}
    )
    switched = [(a, 1 if a[0] <= 2 else 3) for a in A] + [(b, 2) for b in B]
    result = score(sequence, rows(switched))
    assert result['IDSW'] == 1
    assert result['MOTA'] == pytest.approx(1 - 1 / 8)
    assert result['IDF1'] == pytest.approx(0.75)
    assert result['AssA'] == pytest.approx(0.75)
    assert result['HOTA'] == pytest.approx(0.75 ** 0.5)


def test_every_nth_frame_is_scored_on_the_frames_given(tmp_path):
    """Frames 1 and 3 only, tracked perfectly: no miss for frames 2 and 4, no switch."""
    sequence = write_sequence(tmp_path / 'tiny', GT)
    given = [(a, 1) for a in A if a[0] in (1, 3)] + [(b, 2) for b in B if b[0] in (1, 3)]
    assert score(sequence, rows(given), frames=[1, 3])['MOTA'] == pytest.approx(1.0)
    assert score(sequence, rows(given))['MOTA'] == pytest.approx(0.5)  # scored on all four


@pytest.mark.parametrize(
    'line, problem',
    [
        ('1,1,10,10,5', '5 fields'),
        ('1,1,10,ten,5,5,1,1,1', 'not a number'),
        ('9,1,10,10,5,5,1,1,1', 'frame 9 outside 1..4'),
        ('1,1,10,10,0,5,1,1,1', 'box of width 0'),
    ],
)
def test_a_malformed_gt_line_is_named_with_its_line_number(tmp_path, line, problem):
    sequence = write_sequence(tmp_path / 'bad', [GT[0], line])
    with pytest.raises(MotFormatError, match=f'gt.txt:2: .*{problem}'):
        read_gt(sequence)
    assert cli.main(['track', str(sequence.path)]) == 2  # one line on stderr, no traceback


def test_a_folder_without_seqinfo_is_refused_with_the_reason(tmp_path, capsys):
    (tmp_path / 'img1').mkdir()
    assert cli.main(['track', str(tmp_path)]) == 2
    assert 'seqinfo.ini: not found' in capsys.readouterr().err


def test_track_skips_a_missing_frame_and_a_sequence_without_gt_is_not_scored(tmp_path, capsys):
    sequence = write_sequence(tmp_path / 'nogt', [], length=3)
    sequence.gt_file.unlink()
    (sequence.image_dir / '000002.jpg').unlink()
    (sequence.image_dir / '000003.jpg').write_bytes(b'\xff\xd8 not a jpeg')
    assert cli.main(['track', str(sequence.path)]) == 0
    out = capsys.readouterr().out
    assert 'skipped frame 2: 000002.jpg missing' in out
    assert 'skipped frame 3: 000003.jpg cannot be decoded' in out
    assert 'no ground truth' in out and 'not scored' in out


# -- the dev sequence ----------------------------------------------------------------


def frames_of_dev_sequence(tmp_path, count: int):
    """Copy the first `count` frames of the dev sequence, with their gt, as a sequence."""
    folder = tmp_path / 'street'
    (folder / 'gt').mkdir(parents=True)
    (folder / 'img1').mkdir()
    info = (SEQUENCE / 'seqinfo.ini').read_text().replace('seqLength=199', f'seqLength={count}')
    (folder / 'seqinfo.ini').write_text(info)
    for k in range(1, count + 1):
        shutil.copy(SEQUENCE / 'img1' / f'{k:06d}.jpg', folder / 'img1')
    lines = (SEQUENCE / 'gt' / 'gt.txt').read_text().splitlines()
    kept = [line for line in lines if int(line.split(',')[0]) <= count]
    (folder / 'gt' / 'gt.txt').write_text('\n'.join(kept) + '\n')
    return folder


def test_track_scores_the_dev_sequence_and_saves_what_it_scored(tmp_path, capsys):
    folder = frames_of_dev_sequence(tmp_path, 30)
    saved = tmp_path / 'tracks.txt'
    assert cli.main(['track', str(folder), '--json', '--save', str(saved)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result['frames_tracked'] == 30 and result['tracks'] > 3
    assert 0 < result['scores']['HOTA'] < 1 and result['scores']['IDSW'] >= 0
    lines = saved.read_text().splitlines()
    assert len(lines) == result['boxes']
    tracked = [
        TrackRow(int(f), Detection('person', 0, float(c), BBox(
            float(x), float(y), float(x) + float(w), float(y) + float(h)), int(i)))
        for f, i, x, y, w, h, c, *_ in (line.split(',') for line in lines)
    ]
    assert score(read_sequence(folder), tracked) == pytest.approx(result['scores'], abs=1e-3)
    assert cli.main(['track', str(folder), '--every', '3', '--json']) == 0
    assert json.loads(capsys.readouterr().out)['frames_tracked'] == 10


def test_replay_with_tracking_gives_the_ids_of_track(tmp_path, capsys):
    """The same frames, stamped at the sequence's rate: replay --tracking and track agree."""
    from test_bag import read_results

    folder = frames_of_dev_sequence(tmp_path, 20)
    saved = tmp_path / 'tracks.txt'
    assert cli.main(['track', str(folder), '--save', str(saved)]) == 0
    bag = tmp_path / 'street.bag'
    frames = sorted((folder / 'img1').iterdir())
    assert cli.main(['make-bag', *map(str, frames), '--output', str(bag), '--rate', '25']) == 0
    out = tmp_path / 'results.bag'
    args = ['replay', str(bag), '--output', str(out), '--every-frame', '--tracking']
    assert cli.main([*args, '--classes', 'person']) == 0
    assert 'track ids (Detection2D.id)' in capsys.readouterr().out
    replayed = {}  # (frame, id) -> left edge of the box
    for k, (_, msg) in enumerate(read_results(out)['detections']):
        for d in msg.detections:
            replayed[k + 1, int(d.id)] = d.bbox.center.position.x - d.bbox.size_x / 2
    tracked = {}
    for line in saved.read_text().splitlines():
        f, i, x = line.split(',')[:3]
        tracked[int(f), int(i)] = float(x)
    assert sorted(replayed) == sorted(tracked) and len(tracked) > 20
    assert all(abs(replayed[key] - x) < 0.01 for key, x in tracked.items())


def test_without_the_tracker_library_the_error_says_how_to_install_it(monkeypatch, capsys):
    from mobilenet_ssd_ros.core.tracking import TrackingUnavailableError

    monkeypatch.setitem(sys.modules, 'trackers', None)  # import trackers -> ImportError
    with pytest.raises(TrackingUnavailableError, match='requirements/tracking.txt'):
        Tracker()
    assert cli.main(['track', str(SEQUENCE)]) == 2
    assert 'tracking needs the `trackers` package' in capsys.readouterr().err
