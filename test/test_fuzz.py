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

"""
A bounded, seeded fuzz suite against the real node process.

Every class of attack from the fuzzing run: malformed Image fields in every encoding,
corrupt and oversized compressed frames (a decompression bomb among them), parameter
abuse (the OSError paths included), a lifecycle storm under a stream. Afterwards the
node must be alive, answer its lifecycle service within 2 s, still detect two dogs in
pets.jpg, not have grown its memory without bound, and every rejection must have had a
reason. (Signals in each state: test_hardening.py.)

FUZZ_SCALE=N multiplies the message and request counts (default 1: 2,100 messages, 150
parameter sets, 60 transitions);
FUZZ_SEED=S changes the seed (default fixed, so a failure can be replayed).
"""

from __future__ import annotations

from collections import Counter
import math
import os
import random
import re
import threading
import time

from conftest import read_rgb, SAMPLES
import cv2
from diagnostic_msgs.msg import DiagnosticArray
from mobilenet_ssd_ros.convert.image_input import SUPPORTED_ENCODINGS
from mobilenet_ssd_ros.ros.node import LOG_THROTTLE_S
from mobilenet_ssd_ros.ros.settings import PARAMETERS
import numpy as np
from ros_harness import image_msg, jpeg_msg, NODE, wait_for
from sensor_msgs.msg import CompressedImage, Image
from test_hardening import DETECTIONS, diagnostics_value, two_dogs
from test_image_input import jpeg_claiming, png_bomb
from vision_msgs.msg import Detection2DArray

SCALE = int(os.environ.get('FUZZ_SCALE', '1'))
SEED = int(os.environ.get('FUZZ_SEED', '20261129'))
PETS = read_rgb(SAMPLES / 'pets.jpg')
OTHER_ENCODINGS = (
    'mono16',
    '16UC1',
    '32FC1',
    '32FC3',
    '16UC3',
    '8UC3',
    '8UC4',
    'rgb16',
    'bgra16',
    'bayer_rggb16',
    '64FC1',
    'weird',
    '',
    'jpeg',
    'nv24',
    '8UC9' * 20,
)
MAX_RSS_GROWTH_MB = 300  # a Pi 4 has 4 GB; the bomb alone would take 1.9 GB if decoded


def malformed_image(rng: random.Random, good: Image) -> Image:
    """
    Make an Image with random, mostly inconsistent fields.

    Every encoding, odd sizes and steps, short, long or random data.
    """
    encoding = rng.choice((*SUPPORTED_ENCODINGS, *OTHER_ENCODINGS))
    width = rng.choice([0, 1, 2, 3, 31, 64, 640, 1 << 16, rng.randrange(1, 400)])
    height = rng.choice([0, 1, 2, 5, 48, 480, 1 << 16, rng.randrange(1, 300)])
    channels = rng.choice([1, 2, 3, 4, 12])
    step = rng.choice(
        [0, width, width * channels, width * channels + rng.randrange(1, 64), 1 << 31]
    )
    size = min(
        rng.choice([0, 7, step * height // 2, step * height, step * height + 13, 300_000]),
        3_000_000,
    )
    msg = Image(
        header=good.header,
        height=height,
        width=width,
        encoding=encoding,
        is_bigendian=rng.choice([0, 1]),
        step=step % (1 << 32),
    )
    msg.data = rng.randbytes(size) if rng.random() < 0.3 else bytes(size)
    return msg


def malformed_compressed(rng: random.Random, jpeg: bytes, png: bytes) -> CompressedImage:
    kind = rng.choice(
        [
            'truncated_jpeg',
            'truncated_png',
            'garbage',
            'zeroed_middle',
            'header_only',
            'huge_header',
            'empty',
            'odd_format',
            'one_pixel',
        ]
    )
    fmt = 'jpeg'
    if kind == 'truncated_jpeg':
        data = jpeg[: rng.randrange(1, len(jpeg))]
    elif kind == 'truncated_png':
        data, fmt = png[: rng.randrange(1, len(png))], 'png'
    elif kind == 'garbage':
        data = rng.randbytes(rng.randrange(1, 5000))
    elif kind == 'zeroed_middle':
        start = rng.randrange(100, len(jpeg) - 600)
        end = start + 500
        data = jpeg[:start] + bytes(end - start) + jpeg[end:]
    elif kind == 'header_only':
        data = jpeg[:600]
    elif kind == 'huge_header':
        data = jpeg_claiming(rng.choice([20000, 65000]), rng.choice([20000, 65000]))
    elif kind == 'empty':
        data = b''
    elif kind == 'odd_format':
        data, fmt = jpeg, rng.choice(['', 'rgb8; jpeg compressed bgr8', 'x' * 500, 'png'])
    else:
        ok, buf = cv2.imencode('.png', np.zeros((1, 1, 3), np.uint8))
        data, fmt = buf.tobytes(), 'png'
    msg = CompressedImage(format=fmt)
    msg.data = data
    return msg


def abusive_parameters(rng: random.Random, tmp_path) -> dict:
    """One parameter set a user's worst day could send."""
    huge = tmp_path / 'huge.bin'
    if not huge.exists():
        with open(huge, 'wb') as f:
            f.truncate(1 << 30)
    paths = [
        '/nonexistent',
        str(tmp_path),
        '/proc/self/mem',
        '/dev/zero',
        '/dev/null',
        '/etc/passwd',
        str(huge),
        'a' * 5000,
        '/x/' + 'b' * 300 + '/m.tflite',
        '',
    ]
    name = rng.choice(sorted(PARAMETERS))
    value = rng.choice(
        {
            'alpha': [0.5, 1.0, math.nan, math.inf, -1.0, 0.75, 'wide'],
            'resolution': [0, 96, -300, 10**9, 300, 'big'],
            'variant': ['weather', 'fog', 'x' * 5000, '', 7],
            'model': paths,
            'labels': paths,
            'score_threshold': [-0.1, 1.5, math.nan, 0.5, 'high'],
            'enhance': ['auto', 'clahe', '', 'AUTO', 'x' * 5000, 1, True],
            'classes': [
                [f'unicorn{i}' for i in range(10_000)],
                ['', ' '],
                ['person', 'persn'],
                ['🐕'] * 50,
            ],
            'max_detections': [-1, 10**6, 0, 'many'],
            'num_threads': [-3, 10**4, 0, 1.5],
            'use_xnnpack': ['yes', 2],
            'input_compressed': ['no', 5],
            'raw_subscriptions': ['no', 2, False],
            'executor': ['threads', '', 5],
            'qos_reliability': ['sometimes', '', 'reliable' * 100, 3],
            'qos_depth': [0, -1, 10**6],
            'publish_debug_image': ['sure', 0.5],
            'max_image_pixels': [0, -5, 10**12, 'lots'],
            'cameras': [['a', 'a'], ['bad name!'], []],
            'autostart': [False, True],
            'tracking': ['yes', 2, True, False],
            'tracking_lost_seconds': [-1.0, math.nan, math.inf, 1e9, 2.0, 'long'],
            'tracking_start_score': [-0.1, 1.5, math.nan, 0.6, 'x'],
        }[name]
    )
    return {name: value}


DEFAULTS = {
    'alpha': 0.75,
    'resolution': 300,
    'variant': '',
    'model': '',
    'labels': '',
    'score_threshold': 0.5,
    'classes': [],
    'max_detections': 0,
    'publish_debug_image': True,
    'max_image_pixels': PARAMETERS['max_image_pixels'][0],
    'input_compressed': False,
    'raw_subscriptions': True,
    'qos_reliability': 'reliable',
    'qos_depth': 10,
    'tracking': False,
    'tracking_lost_seconds': PARAMETERS['tracking_lost_seconds'][0],
    'tracking_start_score': PARAMETERS['tracking_start_score'][0],
}


def assert_healthy(node, client, pub, received, baseline_mb: float, probe=None) -> None:
    assert node.alive()
    start = time.monotonic()
    client.state()
    assert time.monotonic() - start < 2.0, 'the lifecycle service took more than 2 s to answer'
    two_dogs(client, pub, received, probe)
    assert node.rss_mb() - baseline_mb < MAX_RSS_GROWTH_MB, (node.rss_mb(), baseline_mb)


def test_fuzz_raw_images_parameters_and_a_lifecycle_storm(start_node, client, tmp_path):
    rng = random.Random(SEED)
    node = start_node(autostart=True, qos_reliability='reliable', qos_depth=10)
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image', reliable=True)
    received = client.collect(f'/{NODE}/detections', Detection2DArray)
    diagnostics = client.collect('/diagnostics', DiagnosticArray)
    two_dogs(client, pub, received)
    baseline = node.rss_mb()
    good = image_msg(cv2.resize(PETS, (160, 120)))
    for _ in range(1500 * SCALE):
        pub.publish(good if rng.random() < 0.1 else malformed_image(rng, good))
    for _ in range(150 * SCALE):
        for result in client.set_params(**abusive_parameters(rng, tmp_path)):
            assert result.successful or result.reason.strip(), 'a rejection without a reason'
    assert all(r.successful for r in client.set_params(**DEFAULTS)), (
        'the defaults are accepted again'
    )
    streaming = True

    def stream():
        while streaming:
            pub.publish(image_msg(PETS, stamp_ns=time.time_ns()))
            time.sleep(0.01)

    streamer = threading.Thread(target=stream)
    streamer.start()
    try:
        state = client.state()
        for _ in range(60 * SCALE):  # a storm of legal transitions, chosen at random
            step = rng.choice(
                {
                    'active': ['deactivate'],
                    'inactive': ['activate', 'cleanup'],
                    'unconfigured': ['configure'],
                }[state]
            )
            assert client.transition(step), (state, step)
            state = client.state()
        for step in {'inactive': ['activate'], 'unconfigured': ['configure', 'activate']}.get(
            state, []
        ):
            assert client.transition(step)
    finally:
        streaming = False
        streamer.join()
    assert_healthy(node, client, pub, received, baseline)
    errors = sum(
        diagnostics_value(diagnostics, key)
        for key in {
            kv.key
            for a in diagnostics
            for s in a.status
            for kv in s.values
            if kv.key.startswith('errors_')
        }
    )
    assert (
        errors > 0
    )  # the malformed frames were seen and counted (before the storm reset the counters)


def compressed_node(start_node, client):
    """
    Start a node on compressed frames, reliable, and check it detects: the fuzz's target.

    Returns (node, publisher, detections, diagnostics, the probe frame, the node's RSS).
    """
    node = start_node(
        autostart=True, input_compressed=True, qos_reliability='reliable', qos_depth=10
    )
    client.wait_for_node()
    pub = client.wait_for_subscriber('/image/compressed', CompressedImage, reliable=True)
    received = client.collect(f'/{NODE}/detections', Detection2DArray)
    diagnostics = client.collect('/diagnostics', DiagnosticArray)
    probe = jpeg_msg(PETS)
    two_dogs(client, pub, received, probe)
    return node, pub, received, diagnostics, probe, node.rss_mb()


def test_fuzz_compressed_frames_with_a_bomb(start_node, client):
    rng = random.Random(SEED + 1)
    node, pub, received, diagnostics, probe, baseline = compressed_node(start_node, client)
    jpeg, png = bytes(jpeg_msg(PETS).data), cv2.imencode('.png', PETS)[1].tobytes()
    bomb = CompressedImage(format='png')
    bomb.data = png_bomb()
    # The bomb first, on its own, until it is counted (in a flood the mailbox may drop it).
    wait_for(
        lambda: pub.publish(bomb) or diagnostics_value(diagnostics, 'errors_too_large') >= 1,
        30,
        'the bomb counted as too_large',
    )
    for i in range(600 * SCALE):
        pub.publish(bomb if i % 100 == 50 else malformed_compressed(rng, jpeg, png))
    assert_healthy(node, client, pub, received, baseline, probe)
    log = node.log()
    assert 'Traceback' not in log
    assert sum(1 for line in log.splitlines() if line and not line.startswith('[')) == 0, (
        'a line that is not a ROS log line (native decoder output?) reached the log'
    )


def test_bad_frames_log_one_line_per_kind_and_period(start_node, client):
    """
    A burst of malformed frames among good ones: the node keeps detecting.

    Each kind of bad frame is logged at most once per LOG_THROTTLE_S (plus the first),
    however many arrive, and /diagnostics counts every kind the log names.
    """
    node = start_node(autostart=True, qos_reliability='reliable', qos_depth=10)
    client.wait_for_node()
    started = time.monotonic()
    pub = client.wait_for_subscriber('/image', reliable=True)
    diagnostics = client.collect('/diagnostics', DiagnosticArray)
    rng = random.Random(SEED)
    good = image_msg(cv2.resize(PETS, (160, 120)))
    for _ in range(3000 * SCALE):
        pub.publish(good if rng.random() < 0.2 else malformed_image(rng, good))
    assert node.alive() and client.state() == 'active'
    received = client.collect(DETECTIONS, Detection2DArray)
    two_dogs(client, pub, received, timeout=60)  # frames of the burst may still be arriving
    logged = Counter(re.findall(r'bad image \((\w+)\)', node.log()))
    elapsed = time.monotonic() - started
    assert logged and max(logged.values()) <= elapsed / LOG_THROTTLE_S + 1, (logged, elapsed)

    def counted() -> set[str]:
        return {
            kv.key.removeprefix('errors_')
            for a in diagnostics
            for s in a.status
            for kv in s.values
            if kv.key.startswith('errors_') and int(kv.value) > 0
        }

    wait_for(lambda: set(logged) <= counted(), 30, f'error counters for {sorted(logged)}')


DECODABLE = (
    '.jpg',
    '.png',
    '.bmp',
    '.tiff',
    '.webp',
    '.pam',
    '.ppm',
    '.hdr',
    '.pfm',
    '.jp2',
    '.ras',
    '.gif',
    '.avif',
)


def _size_lie(ext: str, data: bytes) -> bytes:
    """Return the file with a header that claims a huge size, where the format keeps it."""
    if ext == '.jpg':
        return jpeg_claiming(65000, 65000)
    if ext == '.png':
        return png_bomb(40000, 40000)
    if ext in ('.pam', '.ppm', '.pfm', '.hdr'):
        return re.sub(rb'\b(\d{2,3})\b', b'90000', data[:80], count=2) + data[80:]
    if ext == '.bmp':
        return data[:18] + (90000).to_bytes(4, 'little') * 2 + data[26:]
    return data[:8] + bytes([0xFF] * 8) + data[16:]  # somewhere in the first header bytes


def decoder_corpus(rng: random.Random) -> list[CompressedImage]:
    """For every format OpenCV decodes: a valid file, truncated ones, a header-size lie."""
    small = cv2.cvtColor(cv2.resize(PETS, (96, 72)), cv2.COLOR_RGB2BGR)
    corpus = []
    for ext in DECODABLE:
        image = small.astype(np.float32) / 255 if ext in ('.hdr', '.pfm') else small
        data = cv2.imencode(ext, image)[1].tobytes()
        variants = [data, _size_lie(ext, data)]
        variants += [data[: rng.randrange(1, len(data))] for _ in range(3)]
        for variant in variants:
            msg = CompressedImage(format=rng.choice(['jpeg', 'png', ext.strip('.')]))
            msg.data = variant
            corpus.append(msg)
    return corpus


def test_decoder_corpus_through_the_node(start_node, client, tmp_path, monkeypatch):
    """
    Every format OpenCV can decode, valid, truncated and lying about its size.

    The node stays alive and answers its lifecycle service within 2 s, its memory stays
    bounded, only JPEG and PNG are decoded, and no decoder writes a temporary file.
    """
    from test_compressed import watch_for_new_files

    rng = random.Random(SEED + 2)
    corpus = decoder_corpus(rng)  # (before the watch: some of OpenCV's encoders write a file)
    scratch = tmp_path / 'tmp'
    scratch.mkdir()
    monkeypatch.setenv('TMPDIR', str(scratch))  # the node process's temporary files
    monkeypatch.setenv('OPENCV_TEMP_PATH', str(scratch))  # and OpenCV's
    node, pub, received, diagnostics, probe, baseline = compressed_node(start_node, client)
    created = watch_for_new_files(scratch)
    for _ in range(SCALE):
        for msg in corpus:
            pub.publish(msg)
            time.sleep(0.005)  # pacing, so that most frames reach the worker
    assert_healthy(node, client, pub, received, baseline, probe)
    wait_for(
        lambda: diagnostics_value(diagnostics, 'errors_compressed_format') > 0,
        10,
        'other formats refused as compressed_format',
    )
    assert created() == [], 'a decoder wrote a temporary file'
    assert 'Traceback' not in node.log()
