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


def test_bayer_and_yuv_become_rgb():
    # A uniform grey Bayer mosaic and a grey UYVY frame (Y=U=V=128) demosaic to grey RGB.
    for encoding, shape in (("bayer_rggb8", (24, 32)), ("yuv422", (24, 32, 2))):
        out = message_to_image(raw(np.full(shape, 128, np.uint8), encoding))
        assert out.shape == (24, 32, 3) and out.dtype == np.uint8
        assert np.abs(out.astype(int) - 128).max() <= 2, encoding


def test_padded_rows_are_read_by_step(rgb):
    assert np.array_equal(message_to_image(raw(rgb, "rgb8", step=32 * 3 + 16)), rgb)


@pytest.mark.parametrize("mutate, kind, text", [
    (lambda m: setattr(m, "encoding", "16UC1"), "encoding", "cannot convert '16UC1' to rgb8"),
    (lambda m: setattr(m, "encoding", "32FC2"), "step", r"step 96 is smaller than width x pixel size = 256 \(32FC2\)"),
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
