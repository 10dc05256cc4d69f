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

"""make-bag and replay: camera bags in, results bags and reports out, no middleware."""

from __future__ import annotations

import re
import subprocess
import sys
import time

from conftest import REPO, SAMPLES, SHARED
import cv2
from mobilenet_ssd_ros import cli, zoo
from mobilenet_ssd_ros.convert.bag_types import DEFINITIONS, typestore
from mobilenet_ssd_ros.convert.image_input import message_to_image
from mobilenet_ssd_ros.core.detector import FrameSettings
from mobilenet_ssd_ros.core.postprocess import DetectionFilter
from mobilenet_ssd_ros.msg import DetectionStats
from mobilenet_ssd_ros.offline.bag import Frame, make_bag, read_frames
from mobilenet_ssd_ros.offline.replay import replay, simulate_worker
import numpy as np
import pytest
from rclpy.serialization import deserialize_message
from rosbags.rosbag2 import Reader, Writer
from vision_msgs.msg import Detection2DArray

SAMPLE_COUNT = 10


def run_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, '-m', 'mobilenet_ssd_ros', *map(str, args)],
        capture_output=True,
        text=True,
    )


def read_results(path):
    with Reader(path) as reader:
        out = {'detections': [], 'stats': []}
        for conn, timestamp, raw in reader.messages():
            if conn.topic == '/mobilenet_ssd/detections':
                out['detections'].append((timestamp, deserialize_message(raw, Detection2DArray)))
            elif conn.topic == '/mobilenet_ssd/stats':
                out['stats'].append((timestamp, deserialize_message(raw, DetectionStats)))
        return out


@pytest.mark.parametrize('storage', ['mcap', 'sqlite3'])
@pytest.mark.parametrize('compressed', [False, True], ids=['raw', 'jpeg'])
def test_replay_equals_the_core(tmp_path, detector, storage, compressed):
    bag, out = tmp_path / 'camera', tmp_path / 'results'
    args = ['make-bag', SAMPLES, '--output', bag, '--storage', storage, '--rate', '5']
    assert run_cli(*args, *(['--compressed'] if compressed else [])).returncode == 0
    result = run_cli('replay', bag, '--output', out, '--every-frame', '--storage', storage)
    assert result.returncode == 0, result.stderr
    assert re.search(
        rf'frames {SAMPLE_COUNT}\s+processed {SAMPLE_COUNT}\s+dropped 0', result.stdout
    )
    frames = list(read_frames(bag))
    results = read_results(out)
    assert len(results['detections']) == len(results['stats']) == SAMPLE_COUNT
    keep = FrameSettings(DetectionFilter(score_threshold=0.5))
    for frame, (timestamp, msg), (_, stats) in zip(
        frames, results['detections'], results['stats'], strict=True
    ):
        assert timestamp == frame.timestamp  # original bag time
        assert (msg.header.stamp.sec, msg.header.stamp.nanosec) == (
            frame.msg.header.stamp.sec,
            frame.msg.header.stamp.nanosec,
        )
        assert msg.header.frame_id == 'camera'
        expected = detector.detect(message_to_image(frame.msg), keep).detections
        got = [
            (
                d.results[0].hypothesis.class_id,
                d.results[0].hypothesis.score,
                d.bbox.center.position.x,
                d.bbox.center.position.y,
                d.bbox.size_x,
                d.bbox.size_y,
            )
            for d in msg.detections
        ]
        want = [(e.label, e.score, *e.bbox.center, e.bbox.width, e.bbox.height) for e in expected]
        assert [g[0] for g in got] == [w[0] for w in want]
        assert (
            np.allclose([g[1:] for g in got], [w[1:] for w in want], atol=1e-4)
            if got
            else not want
        )
        assert stats.num_detections == len(expected) and stats.inference_ms > 0
    per_class = re.search(r'detections per class: (.*)', result.stdout).group(1)
    assert 'dog 2' in per_class and 'person' in per_class


def test_simulated_worker_keeps_the_newest_frame_like_the_node():
    """
    A hand-worked schedule: frames every 10 ms, 25 ms of work each.

    The node's worker takes the waiting frame as soon as it is free, and a newer arrival replaces
    the waiting one: 0 runs 0-25 (1 waits, 2 replaces it), 2 runs 25-50 (3 waits, 4 replaces it), 4
    runs 50-75, 6 runs 75-100. (Dropping every frame that arrives while busy would process 0, 3 and
    6 instead.)
    """
    frames = [Frame(i, i * 10_000_000, '/image', None) for i in range(7)]
    runs = []

    def process(frame, start_ns, dropped_before):
        runs.append((frame.index, start_ns // 1_000_000, dropped_before))
        return 25_000_000

    assert simulate_worker(frames, process) == 3
    assert runs == [(0, 0, 0), (2, 25, 1), (4, 50, 1), (6, 75, 1)]


def test_real_time_replay_processes_what_the_node_would(tmp_path):
    """
    300 frames at 30 Hz on a machine that needs 40 ms per frame.

    The node's policy processes 251 of them (dropping every frame that arrives while busy would
    process 150). Frame 6 is the first one dropped: frames 0-5 keep the worker busy until 240 ms,
    and frame 7 replaces frame 6 at 233 ms.
    """
    tiny = tmp_path / 'tiny.png'
    cv2.imwrite(str(tiny), np.full((48, 64, 3), 90, np.uint8))
    bag, out = tmp_path / 'camera', tmp_path / 'results'
    make_bag([tiny] * 300, bag, rate=30.0)
    report = replay(bag, out, zoo.open_detector(num_threads=1), frame_ms=40.0)
    assert (report.frames, report.processed, report.dropped) == (300, 251, 49)
    assert report.processed_indices[:8] == [0, 1, 2, 3, 4, 5, 7, 8]
    assert report.processed_indices[-1] == 299  # the last frame waits for its turn, never lost
    stats = [s for _, s in read_results(out)['stats']]
    assert len(stats) == 251 and sum(s.frames_dropped for s in stats) == 49
    # latency_ms: stamp to (simulated) publication, as in the node: 40 ms for frame 0;
    # frame 1 (stamped at 33.3 ms) starts at 40 ms and is published at 80 ms.
    assert stats[0].latency_ms == pytest.approx(40.0, abs=1e-3)
    assert stats[1].latency_ms == pytest.approx(80.0 - 1000 / 30, abs=1e-3)
    assert max(s.latency_ms for s in stats) < 2 * 40.0  # never more than a frame of waiting


def _bag_with_corrupt_frame(path, bad_index: int, count: int = 6):
    store = typestore()
    t = store.types
    with Writer(path, version=9) as writer:
        conn = writer.add_connection('/cam/image', 'sensor_msgs/msg/Image', typestore=store)
        for i in range(count):
            rgb = np.full((48, 64, 3), 40 * i, np.uint8)
            data = rgb.reshape(-1)[: 100 if i == bad_index else None]
            msg = t['sensor_msgs/msg/Image'](
                header=t['std_msgs/msg/Header'](
                    stamp=t['builtin_interfaces/msg/Time'](sec=i, nanosec=0), frame_id='cam'
                ),
                height=48,
                width=64,
                encoding='rgb8',
                is_bigendian=0,
                step=64 * 3,
                data=data,
            )
            writer.write(
                conn, i * 1_000_000_000, store.serialize_cdr(msg, 'sensor_msgs/msg/Image')
            )


def test_corrupt_frame_stops_with_an_error_and_keeps_earlier_results(tmp_path):
    bag, out = tmp_path / 'corrupt', tmp_path / 'results'
    _bag_with_corrupt_frame(bag, bad_index=3)
    result = run_cli('replay', bag, '--output', out, '--every-frame')
    assert result.returncode == 1
    assert (
        'frame 3 (t=3000000000 ns): data has 100 bytes, step x height needs 9216' in result.stderr
    )
    assert 'processed 3' in result.stdout
    kept = read_results(out)['detections']
    assert [ts for ts, _ in kept] == [0, 1_000_000_000, 2_000_000_000]


def test_missing_topic_and_missing_bag_are_clear(tmp_path):
    bag = tmp_path / 'camera'
    assert run_cli('make-bag', SAMPLES / 'pets.jpg', '--output', bag).returncode == 0
    result = run_cli('replay', bag, '--output', tmp_path / 'out', '--topic', '/nope')
    assert result.returncode == 2
    assert "no image topic '/nope'; image topics: /camera/image_raw" in result.stderr
    assert not (tmp_path / 'out').exists()
    result = run_cli('replay', tmp_path / 'absent', '--output', tmp_path / 'out2')
    assert result.returncode == 2 and 'no such bag' in result.stderr
    result = run_cli('make-bag', SAMPLES / 'pets.jpg', '--output', bag)
    assert result.returncode == 2 and 'exists' in result.stderr


def test_replay_reports_map_like_eval(tmp_path, capsys):
    """
    Frames made from a labeled set.

    Replayed with its ground truth, score exactly what `eval` scores on the images themselves (same
    model, same threshold).
    """
    data = SHARED / 'data' / 'pennfudan_dev'
    bag = tmp_path / 'peds'
    assert (
        cli.main(
            ['make-bag', str(data / 'PNGImages'), '--output', str(bag), '--storage', 'sqlite3']
        )
        == 0
    )
    assert (
        cli.main(
            [
                'replay',
                str(bag),
                '--output',
                str(tmp_path / 'r'),
                '--every-frame',
                '--threshold',
                '0',
                '--ground-truth',
                str(data),
                '--format',
                'pennfudan',
            ]
        )
        == 0
    )
    replayed = re.search(
        r'mAP@\[\.5:\.95\] ([\d.]+)\s+mAP@\.5 ([\d.]+)', capsys.readouterr().out
    ).groups()
    assert (
        cli.main(['eval', '--dataset', str(data), '--format', 'pennfudan', '--threshold', '0'])
        == 0
    )
    evaluated = re.search(
        r'mAP@\[\.5:\.95\] ([\d.]+)\s+mAP@\.5 ([\d.]+)', capsys.readouterr().out
    ).groups()
    assert replayed == evaluated
    assert float(replayed[1]) > 0.8


def _fields(text: str) -> list[str]:
    lines = [line.split('#')[0].strip() for line in text.splitlines()]
    return [' '.join(line.split()) for line in lines if line]


@pytest.mark.parametrize('name', sorted(DEFINITIONS))
def test_bag_definitions_match_the_msg_files(name):
    package, _, msg = name.split('/')
    root = (
        REPO / 'msg'
        if package == 'mobilenet_ssd_ros'
        else REPO / 'interfaces' / 'vision_msgs' / 'msg'
    )
    normalize = lambda fields: [f.replace('vision_msgs/', '') for f in fields]  # noqa: E731
    assert normalize(_fields(DEFINITIONS[name])) == normalize(
        _fields((root / f'{msg}.msg').read_text())
    )


def _count_in_bag(bag) -> tuple[int, int]:
    """Open `bag` as rosbags does: (detection messages, files listed in its metadata)."""
    from ruamel.yaml import YAML

    with Reader(bag) as reader:
        detections = [c for c in reader.connections if c.msgtype.startswith('vision_msgs')]
        count = sum(1 for _ in reader.messages(connections=detections))
        assert reader.message_count == 2 * count  # metadata.yaml agrees: detections and stats
    info = YAML(typ='safe').load((bag / 'metadata.yaml').read_text())
    return count, len(info['rosbag2_bagfile_information']['relative_file_paths'])


@pytest.mark.parametrize('sig', ['SIGINT', 'SIGTERM', 'SIGKILL'])
def test_a_stopped_replay_keeps_what_it_wrote(tmp_path, sig):
    """
    A replay of 400 frames stopped part way: the bag opens and holds the finished frames.

    SIGINT and SIGTERM: every frame processed before the stop (the report says how many).
    SIGKILL: every completed segment (the first after one frame, then every 100 frames).
    """
    import signal

    from mobilenet_ssd_ros.offline.bag_writer import SEGMENT_FRAMES

    tiny = tmp_path / 'tiny.png'
    cv2.imwrite(str(tiny), np.full((48, 64, 3), 90, np.uint8))
    bag, out = tmp_path / 'camera', tmp_path / 'results'
    make_bag([tiny] * 400, bag, rate=30.0)
    proc = subprocess.Popen(
        [sys.executable, '-m', 'mobilenet_ssd_ros', 'replay', str(bag), '--output', str(out)]
        + ['--every-frame', '--threads', '1'],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wanted = 2 if sig == 'SIGKILL' else 1  # segments completed before the signal
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        meta = out / 'metadata.yaml'
        if meta.exists() and meta.read_text().count('path:') >= wanted:
            break
        time.sleep(0.02)
    assert proc.poll() is None, 'the replay ended before it could be stopped'
    proc.send_signal(getattr(signal, sig))
    stdout, stderr = proc.communicate(timeout=60)
    count, files = _count_in_bag(out)
    if sig == 'SIGKILL':
        assert proc.returncode == -signal.SIGKILL
        assert files >= 2 and count == 1 + (files - 1) * SEGMENT_FRAMES, (count, files)
    else:
        assert proc.returncode == 128 + getattr(signal, sig), stderr
        processed = int(re.search(r'processed (\d+)', stdout).group(1))
        assert 0 < processed < 400 and count == processed, (count, processed)
        assert f'stopped after {processed} processed frames' in stderr
        assert not (out / '.segment').exists()
