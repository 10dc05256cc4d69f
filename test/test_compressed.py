"""Compressed frames: only JPEG and PNG are decoded, by content, within the pixel limit."""

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

import ctypes
import json
import os
from pathlib import Path
import random
import struct
import subprocess
import sys

from conftest import REPO
import cv2
from mobilenet_ssd_ros.convert import compressed, image_input
from mobilenet_ssd_ros.convert.image_input import (
    BadImageError,
    DEFAULT_MAX_PIXELS,
    message_to_image,
)
import numpy as np
import pytest
from sensor_msgs.msg import CompressedImage

FRAME = np.random.default_rng(0).integers(0, 255, (48, 64, 3), np.uint8)
MAX_RSS_GROWTH_MB = 300


def message(fmt: str, data: bytes) -> CompressedImage:
    msg = CompressedImage(format=fmt)
    msg.data = data
    return msg


def encoded(ext: str) -> bytes:
    """FRAME as a file of the format OpenCV writes for `ext`."""
    bgr = cv2.cvtColor(FRAME, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(ext, bgr.astype(np.float32) / 255 if ext in ('.hdr', '.pfm') else bgr)
    assert ok, ext
    return buf.tobytes()


def hdr_rle_bomb(width: int, height: int) -> bytes:
    """
    Make a Radiance HDR of width x height: new-style run-length scanlines, a few MB.

    8000 x 8000 is about 4 MB on the wire and 64 megapixels decoded.
    """
    runs = bytearray()
    for _ in range(4):  # R, G, B, E planes: runs of up to 127 equal bytes
        left = width
        while left:
            n = min(127, left)
            runs += bytes((128 + n, 128))
            left -= n
    line = bytes((2, 2, width >> 8, width & 0xFF)) + bytes(runs)
    head = f'#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y {height} +X {width}\n'.encode()
    return head + line * height


def pam(width: int, height: int) -> bytes:
    head = f'P7\nWIDTH {width}\nHEIGHT {height}\nDEPTH 3\nMAXVAL 255\nTUPLTYPE RGB\nENDHDR\n'
    return head.encode() + bytes(64)  # a header over the limit is all it takes


OTHERS = {
    '.gif': 'GIF',
    '.bmp': 'BMP',
    '.tiff': 'TIFF',
    '.webp': 'WebP',
    '.pam': 'PAM',
    '.ppm': 'PNM',
    '.hdr': 'Radiance HDR',
    '.pfm': 'PFM',
    '.jp2': 'JPEG 2000',
    '.ras': 'Sun raster',
    '.avif': 'ISO media',
}


@pytest.mark.parametrize('ext', sorted(OTHERS))
def test_other_formats_are_named_and_refused_whatever_format_claims(ext):
    for claimed in ('jpeg', 'png', ext.strip('.')):
        with pytest.raises(BadImageError) as info:
            message_to_image(message(claimed, encoded(ext)))
        assert info.value.kind == 'compressed_format'
        text = str(info.value)
        assert text.startswith(f'the data is {OTHERS[ext]}') and 'not JPEG or PNG' in text
        assert f"format says '{claimed}'" in text


def test_a_mislabelled_png_or_jpeg_is_decoded_by_its_content_with_a_warning():
    heard = []
    out = message_to_image(message('jpeg', encoded('.png')), on_warning=lambda *w: heard.append(w))
    assert np.array_equal(out, FRAME)  # PNG is lossless: the very pixels
    assert heard == [('format_mismatch', "format says 'jpeg' but the data is png: decoded as png")]
    heard.clear()
    out = message_to_image(message('png', encoded('.jpg')), on_warning=lambda *w: heard.append(w))
    assert out.shape == FRAME.shape and [kind for kind, _ in heard] == ['format_mismatch']
    heard.clear()  # image_transport's format strings name the codec among other words
    message_to_image(
        message('rgb8; jpeg compressed bgr8', encoded('.jpg')),
        on_warning=lambda *w: heard.append(w),
    )
    assert heard == []


@pytest.mark.parametrize(
    'data, reason',
    [
        (encoded('.jpg')[:3], 'JPEG data ends before its frame header'),
        (b'\xff\xd8\xff\xda\x00\x02', 'JPEG scan or end before any frame header'),
        (encoded('.png')[:20], 'PNG data ends before its IHDR chunk'),
        (encoded('.png')[:16] + b'\x00' * 17, 'PNG IHDR chunk fails its CRC'),
    ],
)
def test_a_header_that_cannot_be_read_is_never_decoded(data, reason):
    with pytest.raises(BadImageError, match=reason) as info:
        message_to_image(message('jpeg', data))
    assert info.value.kind == 'compressed'


def test_two_frame_headers_are_refused_as_libjpeg_does():
    jpg = encoded('.jpg')
    sof = jpg.index(b'\xff\xc0')
    (length,) = struct.unpack_from('>H', jpg, sof + 2)
    end = sof + 2 + length
    frame_header = jpg[sof:end]
    twice = jpg[:end] + frame_header + jpg[end:]
    with pytest.raises(compressed.HeaderError, match='two frame headers'):
        compressed.header_size(twice, 'jpeg')
    assert compressed.header_size(jpg, 'jpeg') == (64, 48)


def test_nothing_is_decoded_when_the_header_gives_no_size(monkeypatch):
    """The regression: a header that cannot be read must not fall through to the decoder."""
    decoded = []
    monkeypatch.setattr(image_input.cv2, 'imdecode', lambda *a: decoded.append(a))

    def unreadable(data, kind):
        raise compressed.HeaderError('no size')

    monkeypatch.setattr(image_input, 'header_size', unreadable)
    for ext in ('.jpg', '.png'):
        with pytest.raises(BadImageError, match='no size'):
            message_to_image(message('jpeg', encoded(ext)))
    assert decoded == []


def test_a_decoded_size_other_than_the_header_is_refused(monkeypatch):
    monkeypatch.setattr(image_input, 'header_size', lambda data, kind: (32, 24))
    with pytest.raises(BadImageError, match='decoded to 64x48, its header says 32x24'):
        message_to_image(message('png', encoded('.png')))


def test_random_and_truncated_data_only_ever_raise_bad_image_errors():
    rng = random.Random(7)
    files = [encoded(ext) for ext in ('.jpg', '.png', *OTHERS)]
    for _ in range(400):
        data = bytearray(rng.choice(files))
        how = rng.choice(['truncate', 'flip', 'random'])
        if how == 'truncate':
            data = data[: rng.randrange(1, len(data))]
        elif how == 'flip':
            for _ in range(rng.randrange(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        else:
            data = bytearray(rng.randbytes(rng.randrange(1, 3000)))
        try:
            image = message_to_image(message(rng.choice(['jpeg', 'png', 'tiff']), bytes(data)))
        except BadImageError:
            continue
        assert image.dtype == np.uint8 and image.size > 0


def watch_for_new_files(directory: Path):
    """Start watching `directory` (inotify); the returned function lists what was created."""
    libc = ctypes.CDLL('libc.so.6', use_errno=True)
    fd = libc.inotify_init1(os.O_NONBLOCK)
    assert fd >= 0 and libc.inotify_add_watch(fd, str(directory).encode(), 0x100 | 0x80) >= 0

    def created() -> list[str]:
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            data = b''
        names, i = [], 0
        while i < len(data):
            _, _, _, length = struct.unpack_from('iIII', data, i)
            start, stop = i + 16, i + 16 + length
            names.append(data[start:stop].rstrip(b'\0').decode())
            i += 16 + length
        return names

    return created


def test_no_temporary_file_is_written_while_decoding(tmp_path, monkeypatch):
    monkeypatch.setenv('OPENCV_TEMP_PATH', str(tmp_path))
    files = [encoded(ext) for ext in ('.jpg', '.png', *OTHERS)]  # (some encoders write one)
    created = watch_for_new_files(tmp_path)
    cv2.imdecode(np.frombuffer(encoded('.hdr'), np.uint8), cv2.IMREAD_ANYCOLOR)
    assert created(), 'the watch sees OpenCV write its temporary file for an HDR image'
    for data in files:
        for fmt in ('jpeg', 'png'):
            try:
                message_to_image(message(fmt, data))
            except BadImageError:
                pass
    assert created() == []


BOMBS = r"""
import json, resource, sys
sys.path.insert(0, sys.argv[1])
from test_compressed import hdr_rle_bomb, message, pam
from test_image_input import png_bomb
from mobilenet_ssd_ros.convert.image_input import BadImageError, message_to_image
cases = {
    'hdr_rle_8000_as_jpeg': message('jpeg', hdr_rle_bomb(8000, 8000)),
    'pam_8000_as_jpeg': message('jpeg', pam(8000, 8000)),
    'png_bomb_30000': message('png', png_bomb()),
    'tiff_like': message('jpeg', b'II*\x00' + bytes(range(256)) * 40),
}
start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out = {}
for name, msg in cases.items():
    try:
        message_to_image(msg)
        out[name] = 'decoded'
    except BadImageError as exc:
        out[name] = exc.kind
out['peak_growth_mb'] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start) / 1024
print(json.dumps(out))
"""


def test_bombs_are_refused_within_bounded_memory():
    """Each of the issue's bombs is refused, in a process whose peak RSS grows < 300 MB."""
    result = subprocess.run(
        [sys.executable, '-c', BOMBS, str(REPO / 'test')],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout)
    assert out['hdr_rle_8000_as_jpeg'] == 'compressed_format'
    assert out['pam_8000_as_jpeg'] == 'compressed_format'
    assert out['png_bomb_30000'] == 'too_large'
    assert out['tiff_like'] == 'compressed_format'
    assert out['peak_growth_mb'] < MAX_RSS_GROWTH_MB, out


def test_opencv_itself_refuses_more_pixels_than_the_limit():
    """The package sets OpenCV's own limit before OpenCV loads: a second bound on decoders."""
    probe = (
        'import mobilenet_ssd_ros, cv2, numpy, os, sys\n'
        f'sys.path.insert(0, {str(REPO / "test")!r})\n'
        'from test_image_input import png_bomb\n'
        'print(os.environ["OPENCV_IO_MAX_IMAGE_PIXELS"])\n'
        'try:\n'
        '    cv2.imdecode(numpy.frombuffer(png_bomb(8000, 8000), numpy.uint8), 0)\n'
        '    print("decoded")\n'
        'except cv2.error as exc:\n'
        '    print("refused", "CV_IO_MAX_IMAGE_PIXELS" in str(exc))\n'
    )
    env = {k: v for k, v in os.environ.items() if k != 'OPENCV_IO_MAX_IMAGE_PIXELS'}
    result = subprocess.run(
        [sys.executable, '-c', probe], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.stdout.split() == [str(DEFAULT_MAX_PIXELS), 'refused', 'True'], result.stderr
