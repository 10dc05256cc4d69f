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

"""Image / CompressedImage messages -> numpy, and clear errors for bad ones (no ROS graph)."""

from __future__ import annotations

from conftest import SAMPLES
import cv2
from mobilenet_ssd_ros.convert.image_input import BadImageError, message_to_image
import numpy as np
import pytest
from sensor_msgs.msg import CompressedImage, Image


def raw(array: np.ndarray, encoding: str, step: int | None = None) -> Image:
    h, w = array.shape[:2]
    row = array.strides[0] if array.ndim > 1 else array.size
    msg = Image(height=h, width=w, encoding=encoding, is_bigendian=0, step=step or row)
    if step and step != row:  # pad every row up to `step` bytes
        padded = np.zeros((h, step), np.uint8)
        padded[:, :row] = array.reshape(h, row)
        msg.data = padded.tobytes()
    else:
        msg.data = np.ascontiguousarray(array).tobytes()
    return msg


@pytest.fixture(scope='module')
def rgb():
    rng = np.random.default_rng(3)
    return rng.integers(0, 256, size=(24, 32, 3), dtype=np.uint8)


def test_rgb8_is_a_view_of_the_message_buffer(rgb):
    msg = raw(rgb, 'rgb8')
    out = message_to_image(msg)
    assert np.array_equal(out, rgb)
    assert np.shares_memory(out, np.frombuffer(msg.data, np.uint8))  # zero-copy


@pytest.mark.parametrize(
    'encoding, make, expected',
    [
        ('bgr8', lambda x: cv2.cvtColor(x, cv2.COLOR_RGB2BGR), lambda x: x),
        (
            'mono8',
            lambda x: cv2.cvtColor(x, cv2.COLOR_RGB2GRAY),
            lambda x: cv2.cvtColor(x, cv2.COLOR_RGB2GRAY),
        ),
        (
            'rgba8',
            lambda x: cv2.cvtColor(x, cv2.COLOR_RGB2RGBA),
            lambda x: cv2.cvtColor(x, cv2.COLOR_RGB2RGBA),
        ),
        ('bgra8', lambda x: cv2.cvtColor(x, cv2.COLOR_RGB2BGRA), lambda x: x),
    ],
)
def test_color_encodings(rgb, encoding, make, expected):
    assert np.array_equal(message_to_image(raw(make(rgb), encoding)), expected(rgb))


# Four flat colours in the quadrants of a 640x480 frame: a swapped channel order, a
# misread plane or a shifted Bayer phase turns at least one quadrant into another colour.
QUADRANTS = ((220, 30, 30), (30, 200, 40), (40, 50, 210), (230, 220, 40))


@pytest.fixture(scope='module')
def quadrants():
    h, w = 480, 640
    rgb = np.empty((h, w, 3), np.uint8)
    for (ys, xs), colour in zip(
        [
            (slice(0, h // 2), slice(0, w // 2)),
            (slice(0, h // 2), slice(w // 2, w)),
            (slice(h // 2, h), slice(0, w // 2)),
            (slice(h // 2, h), slice(w // 2, w)),
        ],
        QUADRANTS,
    ):
        rgb[ys, xs] = colour
    return rgb


def assert_quadrant_colours(out: np.ndarray, tolerance: int):
    """Check that the centre of each quadrant has its colour (edges may blend)."""
    h, w = out.shape[:2]
    for (y, x), colour in zip(
        [(h // 4, w // 4), (h // 4, 3 * w // 4), (3 * h // 4, w // 4), (3 * h // 4, 3 * w // 4)],
        QUADRANTS,
    ):
        assert np.abs(out[y, x].astype(int) - colour).max() <= tolerance, (out[y, x], colour)


def i420_planes(rgb: np.ndarray):
    """Y (HxW), U and V (H/2 x W/2) of OpenCV's own RGB -> YUV 4:2:0 conversion."""
    h, w = rgb.shape[:2]
    i420 = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)
    y = i420[:h]
    v_start = h + h // 4
    u = i420[h:v_start].reshape(h // 2, w // 2)
    v = i420[v_start:].reshape(h // 2, w // 2)
    return y, u, v


@pytest.mark.parametrize(
    'encoding, opencv_code',
    [
        ('nv12', cv2.COLOR_YUV2RGB_NV12),
        ('nv21', cv2.COLOR_YUV2RGB_NV21),
    ],
)
def test_nv12_and_nv21_in_the_standard_layout(quadrants, encoding, opencv_code):
    """
    Encode as NV12/NV21: height = image rows, step = width, data = W*H*3/2.

    The Y plane, then interleaved chroma (UV for nv12, VU for nv21).
    """
    y, u, v = i420_planes(quadrants)
    first, second = (u, v) if encoding == 'nv12' else (v, u)
    chroma = np.stack([first, second], axis=2).reshape(240, 640)
    data = np.concatenate([y, chroma])  # 720 x 640
    msg = Image(height=480, width=640, encoding=encoding, is_bigendian=0, step=640)
    msg.data = data.tobytes()
    out = message_to_image(msg)
    assert out.shape == (480, 640, 3)
    assert np.array_equal(out, cv2.cvtColor(data, opencv_code))
    assert_quadrant_colours(out, tolerance=6)
    padded = raw(data, encoding, step=672)  # rows padded to 672 bytes
    padded.height = 480
    assert np.array_equal(message_to_image(padded), out)


def test_nv12_errors_are_clear(quadrants):
    msg = Image(height=480, width=640, encoding='nv12', is_bigendian=0, step=640)
    msg.data = bytes(640 * 480)  # the Y plane alone, as a reader of H x W bytes would expect
    with pytest.raises(
        BadImageError, match='data has 307200 bytes, nv12 needs step x height x 3/2 = 460800'
    ):
        message_to_image(msg)
    msg.width, msg.step = 639, 639
    with pytest.raises(BadImageError, match='nv12 needs an even width and height'):
        message_to_image(msg)


@pytest.mark.parametrize(
    'encoding, order',
    [
        ('yuv422', 'uyvy'),
        ('uyvy', 'uyvy'),
        ('yuv422_yuy2', 'yuyv'),
        ('yuyv', 'yuyv'),
    ],
)
def test_packed_yuv422(quadrants, encoding, order):
    y, u, v = i420_planes(quadrants)
    u, v = np.repeat(u, 2, axis=0), np.repeat(v, 2, axis=0)  # 4:2:0 chroma to every row: 4:2:2
    packed = np.empty((480, 640, 2), np.uint8)
    packed[..., 1 if order == 'uyvy' else 0] = y
    chroma = packed[..., 0 if order == 'uyvy' else 1]
    chroma[:, 0::2], chroma[:, 1::2] = u, v
    out = message_to_image(raw(packed, encoding))
    code = cv2.COLOR_YUV2RGB_UYVY if order == 'uyvy' else cv2.COLOR_YUV2RGB_YUYV
    assert np.array_equal(out, cv2.cvtColor(packed, code))
    assert_quadrant_colours(out, tolerance=6)


@pytest.mark.parametrize('encoding', ['bayer_rggb8', 'bayer_bggr8', 'bayer_gbrg8', 'bayer_grbg8'])
def test_bayer_mosaics_demosaic_to_the_right_colours(quadrants, encoding):
    """
    Each 2x2 cell holds the pattern's colours in the order the encoding names.

    Row-major from the top left: a demosaic with another phase swaps red and blue.
    """
    mosaic = np.empty((480, 640), np.uint8)
    channel = {'r': 0, 'g': 1, 'b': 2}
    for i, letter in enumerate(encoding[6:10]):
        dy, dx = divmod(i, 2)
        mosaic[dy::2, dx::2] = quadrants[dy::2, dx::2, channel[letter]]
    out = message_to_image(raw(mosaic, encoding))
    assert out.shape == (480, 640, 3)
    assert_quadrant_colours(out, tolerance=0)  # flat regions demosaic exactly


def test_padded_rows_are_read_by_step(rgb):
    assert np.array_equal(message_to_image(raw(rgb, 'rgb8', step=32 * 3 + 16)), rgb)


@pytest.mark.parametrize(
    'mutate, kind, text',
    [
        (
            lambda m: setattr(m, 'encoding', '16UC1'),
            'encoding',
            "unsupported encoding '16UC1'; supported: mono8, rgb8",
        ),
        (lambda m: setattr(m, 'encoding', 'mono16'), 'encoding', "unsupported encoding 'mono16'"),
        (lambda m: setattr(m, 'encoding', 'rgb16'), 'encoding', "unsupported encoding 'rgb16'"),
        (lambda m: setattr(m, 'encoding', '32FC2'), 'encoding', "unsupported encoding '32FC2'"),
        (lambda m: setattr(m, 'encoding', 'weird'), 'encoding', "unsupported encoding 'weird'"),
        (
            lambda m: setattr(m, 'data', bytes(m.data)[:100]),
            'truncated',
            'data has 100 bytes, step x height needs 2304',
        ),
        (
            lambda m: setattr(m, 'step', 10),
            'step',
            'step 10 is smaller than width x pixel size = 96',
        ),
        (lambda m: (setattr(m, 'width', 0), setattr(m, 'height', 0)), 'size', 'empty image'),
    ],
)
def test_bad_raw_images(rgb, mutate, kind, text):
    msg = raw(rgb, 'rgb8')
    mutate(msg)
    with pytest.raises(BadImageError, match=text) as info:
        message_to_image(msg)
    assert info.value.kind == kind


def _compressed(fmt: str, data: bytes) -> CompressedImage:
    msg = CompressedImage(format=fmt)
    msg.data = data
    return msg


def test_jpeg_and_png(rgb):
    smooth = cv2.resize(rgb, (4, 3), interpolation=cv2.INTER_AREA)
    smooth = cv2.resize(smooth, (32, 24), interpolation=cv2.INTER_LINEAR)  # JPEG-friendly content
    ok, png = cv2.imencode('.png', cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert np.array_equal(message_to_image(_compressed('png', png.tobytes())), rgb)
    ok, jpg = cv2.imencode(
        '.jpg', cv2.cvtColor(smooth, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95]
    )
    out = message_to_image(_compressed('jpeg', jpg.tobytes()))
    assert (
        out.shape == rgb.shape and np.abs(out.astype(int) - smooth).mean() < 4
    )  # RGB order, not BGR
    ok, gray = cv2.imencode('.png', rgb[..., 0])
    assert message_to_image(_compressed('png', gray.tobytes())).shape == (24, 32)


@pytest.mark.parametrize(
    'data, text',
    [
        (b'', 'empty compressed image'),
        (b'\xff\xd8\xff\xe0 not a jpeg at all', 'cannot read the jpeg header: '),
    ],
)
def test_bad_compressed_images(data, text):
    with pytest.raises(BadImageError, match=text) as info:
        message_to_image(_compressed('jpeg', data))
    assert info.value.kind == 'compressed'


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """
    Make a valid 1-bit PNG of width x height zeros.

    About 110 KB for 30000 x 30000, 2.6 GB once decoded to RGB. Written with zlib chunk by chunk,
    never whole in memory.
    """
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
        )

    row = bytes(1 + (width + 7) // 8)  # filter byte + packed bits
    z = zlib.compressobj(9)
    idat = b''.join(z.compress(row * 1000) for _ in range(height // 1000)) + z.flush()
    return (
        b'\x89PNG\r\n\x1a\n'
        + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 1, 0, 0, 0, 0))
        + chunk(b'IDAT', idat)
        + chunk(b'IEND', b'')
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    """Make a small real JPEG whose frame header (SOF0) claims width x height."""
    ok, jpg = cv2.imencode('.jpg', np.full((16, 16, 3), 128, np.uint8))
    data = bytearray(jpg.tobytes())
    sof = data.index(b'\xff\xc0')
    size, end = sof + 5, sof + 9
    data[size:end] = height.to_bytes(2, 'big') + width.to_bytes(2, 'big')
    return bytes(data)


def test_decompression_bombs_are_rejected_from_the_header(capfd):
    bomb = png_bomb()
    assert len(bomb) < 200_000
    with pytest.raises(
        BadImageError, match=r'30000x30000 = 900000000 pixels is over the limit of 50000000'
    ) as info:
        message_to_image(_compressed('png', bomb))
    assert info.value.kind == 'too_large'
    with pytest.raises(BadImageError, match='60000x60000') as info:
        message_to_image(_compressed('jpeg', jpeg_claiming(60000, 60000)))
    assert info.value.kind == 'too_large'
    ok, png = cv2.imencode('.png', np.zeros((300, 400, 3), np.uint8))
    with pytest.raises(BadImageError, match='400x300 = 120000 pixels is over the limit of 100000'):
        message_to_image(_compressed('png', png.tobytes()), max_pixels=100_000)
    assert message_to_image(_compressed('png', png.tobytes()), max_pixels=120_000).shape == (
        300,
        400,
        3,
    )
    assert capfd.readouterr().err == ''


def test_raw_frames_over_the_pixel_limit_are_rejected(rgb):
    with pytest.raises(BadImageError, match='32x24 = 768 pixels is over the limit of 700') as info:
        message_to_image(raw(rgb, 'rgb8'), max_pixels=700)
    assert info.value.kind == 'too_large'


def test_decoder_messages_become_the_reason_and_are_not_printed(capfd):
    ok, png = cv2.imencode('.png', np.zeros((64, 64, 3), np.uint8))
    with pytest.raises(
        BadImageError, match='cannot decode the png image: .*PNG input buffer is incomplete'
    ) as info:
        message_to_image(_compressed('png', png.tobytes()[:-40]))
    assert info.value.kind == 'compressed'
    pets = cv2.imread(str(SAMPLES / 'pets.jpg'))
    ok, jpg = cv2.imencode('.jpg', pets)
    damaged = jpg.tobytes()[:2000] + bytes(500) + jpg.tobytes()[2500:]
    warnings = []
    image = message_to_image(
        _compressed('jpeg', damaged), on_warning=lambda kind, text: warnings.append((kind, text))
    )
    assert image.shape == pets.shape
    assert (
        warnings
        and warnings[0][0] == 'compressed_warning'
        and 'Corrupt JPEG data' in warnings[0][1]
    )
    assert capfd.readouterr().err == ''  # nothing reached the process's stderr


@pytest.mark.parametrize(
    'encoding, width, text',
    [
        ('8UC3', 32, "encoding '8UC3' does not say the channel order; publish rgb8 or bgr8"),
        ('8UC4', 32, "encoding '8UC4' does not say the channel order; publish rgba8 or bgra8"),
        ('32FC3', 32, "unsupported encoding '32FC3'"),
        ('16UC3', 32, "unsupported encoding '16UC3'"),
        ('yuv422', 31, r'yuv422 needs an even width \(two pixels share their chroma\), got 31'),
    ],
)
def test_ambiguous_and_malformed_encodings_get_our_own_reason(encoding, width, text):
    channels = {'8UC3': 3, '8UC4': 4, '32FC3': 12, '16UC3': 6, 'yuv422': 2}[encoding]
    msg = Image(height=8, width=width, encoding=encoding, is_bigendian=0, step=width * channels)
    msg.data = np.full(8 * width * channels, 255, np.uint8).tobytes()
    with pytest.raises(BadImageError, match=text):
        message_to_image(msg)


def test_8uc1_is_mono8(rgb):
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    assert np.array_equal(message_to_image(raw(gray, '8UC1')), gray)


def test_decoder_capture_is_clean_frame_after_frame():
    pets = cv2.imread(str(SAMPLES / 'pets.jpg'))
    ok, jpg = cv2.imencode('.jpg', pets)
    damaged = _compressed('jpeg', jpg.tobytes()[:2000] + bytes(500) + jpg.tobytes()[2500:])
    for _ in range(3):
        warnings = []
        message_to_image(damaged, on_warning=lambda kind, text: warnings.append(text))
        assert warnings == [
            'jpeg image decoded with damage: Corrupt JPEG data: 586 extraneous bytes before '
            'marker 0xd9'
        ]
