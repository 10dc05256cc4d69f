"""sensor_msgs Image / CompressedImage -> numpy image the detector accepts.

Works on any object with the message's fields (rclpy messages, rosbags messages), so it
needs no rclpy. Conversion goes through rosbags-image (the real cv_bridge needs a ROS
install; the PyPI port is broken with numpy 2). The detector takes RGB, grayscale and
RGBA directly, so rgb8, mono8 and rgba8 are zero-copy views of the message buffer;
the other supported encodings are converted to rgb8 once (see SUPPORTED_ENCODINGS).

- nv12/nv21 are read here, not by rosbags-image: in the standard layout `height` counts
  image rows and the data holds the Y plane plus a half-height interleaved chroma plane
  (W x H x 3/2 bytes); rosbags-image reads only the first W x H bytes as the whole frame.
- 16-bit, float and generic (`16UC1`, `32FC1`, ...) encodings are rejected: they are
  depth or raw sensor data, and any 8-bit mapping of them would be a guess.

rosbags-image trusts the message: it ignores `step` and fails with a bare TypeError on
short data. Both are checked here first, so a bad message gets a clear reason.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import cv2
import numpy as np
from rosbags.image import ImageError, compressed_image_to_cvimage, image_to_cvimage
from rosbags.image.image import to_cvtype

# Encodings the detector takes as they are (no colour conversion, no copy).
PASSTHROUGH = {"rgb8", "mono8", "rgba8"}
# Two-plane 4:2:0 encodings and their OpenCV conversions to RGB.
SEMI_PLANAR = {"nv12": cv2.COLOR_YUV2RGB_NV12, "nv21": cv2.COLOR_YUV2RGB_NV21}
SUPPORTED_ENCODINGS = (*sorted(PASSTHROUGH), "bgr8", "bgra8", "yuv422", "uyvy", "yuv422_yuy2", "yuyv",
                       *sorted(SEMI_PLANAR), "bayer_rggb8", "bayer_bggr8", "bayer_gbrg8", "bayer_grbg8")


class BadImageError(ValueError):
    """A message that cannot be turned into an image; `kind` names the problem class
    (for per-kind error counters), the message says what exactly is wrong."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _semi_planar_to_rgb(msg: Any) -> np.ndarray:
    """nv12 / nv21: `height` rows of Y, then height/2 rows of interleaved chroma."""
    if msg.width % 2 or msg.height % 2:
        raise BadImageError("size", f"{msg.encoding} needs an even width and height, got {msg.width}x{msg.height}")
    if msg.step < msg.width:
        raise BadImageError("step", f"step {msg.step} is smaller than the width {msg.width} ({msg.encoding})")
    rows = msg.height * 3 // 2
    if len(msg.data) < msg.step * rows:
        raise BadImageError("truncated", f"data has {len(msg.data)} bytes, {msg.encoding} needs step x height x 3/2 "
                            f"= {msg.step * rows}")
    planes = np.frombuffer(msg.data, np.uint8, count=msg.step * rows).reshape(rows, msg.step)[:, : msg.width]
    return cv2.cvtColor(planes, SEMI_PLANAR[msg.encoding])


def _raw_to_array(msg: Any) -> np.ndarray:
    if msg.encoding not in SUPPORTED_ENCODINGS:
        raise BadImageError("encoding", f"unsupported encoding {msg.encoding!r}; supported: "
                            + ", ".join(SUPPORTED_ENCODINGS))
    if msg.width == 0 or msg.height == 0:
        raise BadImageError("size", f"empty image ({msg.width}x{msg.height})")
    if msg.encoding in SEMI_PLANAR:
        return _semi_planar_to_rgb(msg)
    bits, _, _, channels = to_cvtype(msg.encoding)
    row = msg.width * channels * bits // 8
    if msg.step < row:
        raise BadImageError("step", f"step {msg.step} is smaller than width x pixel size = {row} ({msg.encoding})")
    if len(msg.data) < msg.step * msg.height:
        raise BadImageError(
            "truncated", f"data has {len(msg.data)} bytes, step x height needs {msg.step * msg.height}"
        )
    if msg.step != row:  # padded rows: pack them (one copy) so rosbags-image can read them
        rows = np.frombuffer(msg.data, np.uint8, count=msg.step * msg.height).reshape(msg.height, msg.step)
        msg = SimpleNamespace(encoding=msg.encoding, width=msg.width, height=msg.height,
                              is_bigendian=msg.is_bigendian, data=np.ascontiguousarray(rows[:, :row]).data)
    try:
        if msg.encoding in PASSTHROUGH:
            return image_to_cvimage(msg)
        return image_to_cvimage(msg, "rgb8")
    except (ImageError, cv2.error) as exc:
        raise BadImageError("encoding", f"cannot convert {msg.encoding!r} to rgb8: {exc}") from exc


def _compressed_to_array(msg: Any) -> np.ndarray:
    if len(msg.data) == 0:
        raise BadImageError("compressed", f"empty compressed image (format {msg.format!r})")
    try:
        image = compressed_image_to_cvimage(msg)
    except (AssertionError, cv2.error) as exc:
        raise BadImageError("compressed", f"cannot decode compressed image (format {msg.format!r})") from exc
    if image.ndim == 2:
        return image
    code = cv2.COLOR_BGRA2RGBA if image.shape[2] == 4 else cv2.COLOR_BGR2RGB
    return cv2.cvtColor(image, code)


def message_to_image(msg: Any) -> np.ndarray:
    """RGB (HxWx3), RGBA (HxWx4) or grayscale (HxW) uint8 array of an Image or
    CompressedImage message; raises BadImageError with the reason otherwise."""
    if hasattr(msg, "format"):
        return _compressed_to_array(msg)
    return _raw_to_array(msg)
