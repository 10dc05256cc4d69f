"""Image / CompressedImage messages -> numpy, and clear errors for bad ones (no ROS graph)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from sensor_msgs.msg import CompressedImage, Image

from mobilenet_ssd_ros.ros.image_input import BadImageError, message_to_image


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


@pytest.fixture(scope="module")
def rgb():
    rng = np.random.default_rng(3)
    return rng.integers(0, 256, size=(24, 32, 3), dtype=np.uint8)


def test_rgb8_is_a_view_of_the_message_buffer(rgb):
    msg = raw(rgb, "rgb8")
    out = message_to_image(msg)
    assert np.array_equal(out, rgb)
    assert np.shares_memory(out, np.frombuffer(msg.data, np.uint8))  # zero-copy


@pytest.mark.parametrize("encoding, make, expected", [
    ("bgr8", lambda x: cv2.cvtColor(x, cv2.COLOR_RGB2BGR), lambda x: x),
    ("mono8", lambda x: cv2.cvtColor(x, cv2.COLOR_RGB2GRAY), lambda x: cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)),
    ("rgba8", lambda x: cv2.cvtColor(x, cv2.COLOR_RGB2RGBA), lambda x: cv2.cvtColor(x, cv2.COLOR_RGB2RGBA)),
    ("bgra8", lambda x: cv2.cvtColor(x, cv2.COLOR_RGB2BGRA), lambda x: x),
])
def test_color_encodings(rgb, encoding, make, expected):
    assert np.array_equal(message_to_image(raw(make(rgb), encoding)), expected(rgb))


# Four flat colours in the quadrants of a 640x480 frame: a swapped channel order, a
# misread plane or a shifted Bayer phase turns at least one quadrant into another colour.
QUADRANTS = ((220, 30, 30), (30, 200, 40), (40, 50, 210), (230, 220, 40))


@pytest.fixture(scope="module")
def quadrants():
    h, w = 480, 640
    rgb = np.empty((h, w, 3), np.uint8)
    for (ys, xs), colour in zip([(slice(0, h // 2), slice(0, w // 2)), (slice(0, h // 2), slice(w // 2, w)),
                                 (slice(h // 2, h), slice(0, w // 2)), (slice(h // 2, h), slice(w // 2, w))],
                                QUADRANTS):
        rgb[ys, xs] = colour
    return rgb


def assert_quadrant_colours(out: np.ndarray, tolerance: int):
    """The centre of each quadrant has its colour (edges may blend)."""
    h, w = out.shape[:2]
    for (y, x), colour in zip([(h // 4, w // 4), (h // 4, 3 * w // 4), (3 * h // 4, w // 4), (3 * h // 4, 3 * w // 4)],
                              QUADRANTS):
        assert np.abs(out[y, x].astype(int) - colour).max() <= tolerance, (out[y, x], colour)


def i420_planes(rgb: np.ndarray):
    """Y (HxW), U and V (H/2 x W/2) of OpenCV's own RGB -> YUV 4:2:0 conversion."""
    h, w = rgb.shape[:2]
    i420 = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)
    y = i420[:h]
    u = i420[h:h + h // 4].reshape(h // 2, w // 2)
    v = i420[h + h // 4:].reshape(h // 2, w // 2)
    return y, u, v


@pytest.mark.parametrize("encoding, opencv_code", [
    ("nv12", cv2.COLOR_YUV2RGB_NV12), ("nv21", cv2.COLOR_YUV2RGB_NV21),
])
def test_nv12_and_nv21_in_the_standard_layout(quadrants, encoding, opencv_code):
    """height = image rows, step = width, data = W*H*3/2: the Y plane, then interleaved
    chroma (UV for nv12, VU for nv21)."""
    y, u, v = i420_planes(quadrants)
    first, second = (u, v) if encoding == "nv12" else (v, u)
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
    msg = Image(height=480, width=640, encoding="nv12", is_bigendian=0, step=640)
    msg.data = bytes(640 * 480)  # the Y plane alone, as a reader of H x W bytes would expect
    with pytest.raises(BadImageError, match="data has 307200 bytes, nv12 needs step x height x 3/2 = 460800"):
        message_to_image(msg)
    msg.width, msg.step = 639, 639
    with pytest.raises(BadImageError, match="nv12 needs an even width and height"):
        message_to_image(msg)


@pytest.mark.parametrize("encoding, order", [
    ("yuv422", "uyvy"), ("uyvy", "uyvy"), ("yuv422_yuy2", "yuyv"), ("yuyv", "yuyv"),
])
def test_packed_yuv422(quadrants, encoding, order):
    y, u, v = i420_planes(quadrants)
    u, v = np.repeat(u, 2, axis=0), np.repeat(v, 2, axis=0)  # 4:2:0 chroma to every row: 4:2:2
    packed = np.empty((480, 640, 2), np.uint8)
    packed[..., 1 if order == "uyvy" else 0] = y
    chroma = packed[..., 0 if order == "uyvy" else 1]
    chroma[:, 0::2], chroma[:, 1::2] = u, v
    out = message_to_image(raw(packed, encoding))
    code = cv2.COLOR_YUV2RGB_UYVY if order == "uyvy" else cv2.COLOR_YUV2RGB_YUYV
    assert np.array_equal(out, cv2.cvtColor(packed, code))
    assert_quadrant_colours(out, tolerance=6)


@pytest.mark.parametrize("encoding", ["bayer_rggb8", "bayer_bggr8", "bayer_gbrg8", "bayer_grbg8"])
def test_bayer_mosaics_demosaic_to_the_right_colours(quadrants, encoding):
    """Each 2x2 cell holds the pattern's colours in the order the encoding names
    (row-major from the top left): a demosaic with another phase swaps red and blue."""
    mosaic = np.empty((480, 640), np.uint8)
    channel = {"r": 0, "g": 1, "b": 2}
    for i, letter in enumerate(encoding[6:10]):
        dy, dx = divmod(i, 2)
        mosaic[dy::2, dx::2] = quadrants[dy::2, dx::2, channel[letter]]
    out = message_to_image(raw(mosaic, encoding))
    assert out.shape == (480, 640, 3)
    assert_quadrant_colours(out, tolerance=0)  # flat regions demosaic exactly


def test_padded_rows_are_read_by_step(rgb):
    assert np.array_equal(message_to_image(raw(rgb, "rgb8", step=32 * 3 + 16)), rgb)


@pytest.mark.parametrize("mutate, kind, text", [
    (lambda m: setattr(m, "encoding", "16UC1"), "encoding", "unsupported encoding '16UC1'; supported: mono8, rgb8"),
    (lambda m: setattr(m, "encoding", "mono16"), "encoding", "unsupported encoding 'mono16'"),
    (lambda m: setattr(m, "encoding", "rgb16"), "encoding", "unsupported encoding 'rgb16'"),
    (lambda m: setattr(m, "encoding", "32FC2"), "encoding", "unsupported encoding '32FC2'"),
    (lambda m: setattr(m, "encoding", "weird"), "encoding", "unsupported encoding 'weird'"),
    (lambda m: setattr(m, "data", bytes(m.data)[:100]), "truncated", "data has 100 bytes, step x height needs 2304"),
    (lambda m: setattr(m, "step", 10), "step", "step 10 is smaller than width x pixel size = 96"),
    (lambda m: (setattr(m, "width", 0), setattr(m, "height", 0)), "size", "empty image"),
])
def test_bad_raw_images(rgb, mutate, kind, text):
    msg = raw(rgb, "rgb8")
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
    ok, png = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert np.array_equal(message_to_image(_compressed("png", png.tobytes())), rgb)
    ok, jpg = cv2.imencode(".jpg", cv2.cvtColor(smooth, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95])
    out = message_to_image(_compressed("jpeg", jpg.tobytes()))
    assert out.shape == rgb.shape and np.abs(out.astype(int) - smooth).mean() < 4  # RGB order, not BGR
    ok, gray = cv2.imencode(".png", rgb[..., 0])
    assert message_to_image(_compressed("png", gray.tobytes())).shape == (24, 32)


@pytest.mark.parametrize("data, text", [
    (b"", "empty compressed image"),
    (b"\xff\xd8\xff\xe0 not a jpeg at all", "cannot decode compressed image"),
])
def test_bad_compressed_images(data, text):
    with pytest.raises(BadImageError, match=text) as info:
        message_to_image(_compressed("jpeg", data))
    assert info.value.kind == "compressed"
