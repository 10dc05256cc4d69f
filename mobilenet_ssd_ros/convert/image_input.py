"""
sensor_msgs Image / CompressedImage -> numpy image the detector accepts.

Works on any object with the message's fields (rclpy messages, rosbags messages), so it
needs no rclpy. Conversion goes through rosbags-image (the real cv_bridge needs a ROS
install; the PyPI port is broken with numpy 2). The detector takes RGB, grayscale and
RGBA directly, so rgb8, mono8 and rgba8 are zero-copy views of the message buffer;
the other supported encodings are converted to rgb8 once (see SUPPORTED_ENCODINGS).

- nv12/nv21 are read here, not by rosbags-image: in the standard layout `height` counts
  image rows and the data holds the Y plane plus a half-height interleaved chroma plane
  (W x H x 3/2 bytes); rosbags-image reads only the first W x H bytes as the whole frame.
- 16-bit, float and generic (`16UC1`, `32FC1`, ...) encodings are rejected: they are
  depth or raw sensor data, and any 8-bit mapping of them would be a guess. `8UC1` is
  one 8-bit channel and is read as mono8; `8UC3`/`8UC4` say nothing of the channel
  order, so they are rejected with that reason rather than guessed.
- Frames larger than `max_pixels` are rejected before any work. A CompressedImage is
  decoded only when its bytes are JPEG or PNG, whatever its `format` says, and only after
  its header gave a size within the limit (compressed.py), so a decompression bomb (a
  small file of 30000x30000 pixels, or another format OpenCV would also decode) is never
  decoded. Whatever a decoder raises becomes a BadImageError with a reason.
- What the native decoders print is captured (core/native_output.py) and becomes the reason
  of a failed decode, or a warning for a frame they could still decode.
- Reasons are this module's own sentences, never a library's raw assertion text.

rosbags-image trusts the message: it ignores `step` and fails with a bare TypeError on
short data. Both are checked here first, so a bad message gets a clear reason.
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

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import cv2
import numpy as np
from rosbags.image import image_to_cvimage, ImageError
from rosbags.image.image import to_cvtype

from .compressed import content_kind, DECODED, header_size, HeaderError
from ..core import native_output

# Encodings the detector takes as they are (no colour conversion, no copy).
PASSTHROUGH = {'rgb8', 'mono8', 'rgba8'}
# Two-plane 4:2:0 encodings and their OpenCV conversions to RGB.
SEMI_PLANAR = {'nv12': cv2.COLOR_YUV2RGB_NV12, 'nv21': cv2.COLOR_YUV2RGB_NV21}
PACKED_422 = {'yuv422', 'uyvy', 'yuv422_yuy2', 'yuyv'}
ALIASES = {'8UC1': 'mono8'}  # the same bytes under a generic name
SUPPORTED_ENCODINGS = (
    *sorted(PASSTHROUGH),
    'bgr8',
    'bgra8',
    *sorted(PACKED_422),
    *sorted(SEMI_PLANAR),
    'bayer_rggb8',
    'bayer_bggr8',
    'bayer_gbrg8',
    'bayer_grbg8',
    *sorted(ALIASES),
)
NO_CHANNEL_ORDER = {'8UC3': 'rgb8 or bgr8', '8UC4': 'rgba8 or bgra8'}
# 50 megapixels: more than any camera a robot carries (an 8000x6000 still is 48), and a
# decoded RGB frame of 150 MB still fits a 4 GB Raspberry Pi 4 next to everything else.
DEFAULT_MAX_PIXELS = 50_000_000
WarningCallback = Callable[[str, str], None]  # (kind, reason) of a frame that was still usable


class BadImageError(ValueError):
    """
    A message that cannot be turned into an image.

    `kind` names the problem class (for per-kind error counters), the message says what exactly is
    wrong.
    """

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _semi_planar_to_rgb(msg: Any) -> np.ndarray:
    """nv12 / nv21: `height` rows of Y, then height/2 rows of interleaved chroma."""
    if msg.width % 2 or msg.height % 2:
        raise BadImageError(
            'size', f'{msg.encoding} needs an even width and height, got {msg.width}x{msg.height}'
        )
    if msg.step < msg.width:
        raise BadImageError(
            'step', f'step {msg.step} is smaller than the width {msg.width} ({msg.encoding})'
        )
    rows = msg.height * 3 // 2
    if len(msg.data) < msg.step * rows:
        raise BadImageError(
            'truncated',
            f'data has {len(msg.data)} bytes, {msg.encoding} needs step x height x 3/2 '
            f'= {msg.step * rows}',
        )
    planes = np.frombuffer(msg.data, np.uint8, count=msg.step * rows).reshape(rows, msg.step)[
        :, : msg.width
    ]
    return cv2.cvtColor(planes, SEMI_PLANAR[msg.encoding])


def _check_pixels(width: int, height: int, max_pixels: int | None, what: str) -> None:
    if max_pixels is not None and width * height > max_pixels:
        raise BadImageError(
            'too_large',
            f'{what} of {width}x{height} = {width * height} pixels is over the limit '
            f'of {max_pixels} (parameter max_image_pixels)',
        )


def _raw_to_array(msg: Any, max_pixels: int | None) -> np.ndarray:
    encoding = str(msg.encoding)
    if encoding in NO_CHANNEL_ORDER:
        raise BadImageError(
            'encoding',
            f'encoding {encoding!r} does not say the channel order; publish '
            f'{NO_CHANNEL_ORDER[encoding]}',
        )
    if encoding not in SUPPORTED_ENCODINGS:
        raise BadImageError(
            'encoding',
            f'unsupported encoding {encoding[:40]!r}; supported: '
            + ', '.join(SUPPORTED_ENCODINGS),
        )
    if encoding in ALIASES:
        msg = SimpleNamespace(
            encoding=ALIASES[encoding],
            width=msg.width,
            height=msg.height,
            is_bigendian=msg.is_bigendian,
            step=msg.step,
            data=msg.data,
        )
    if msg.width == 0 or msg.height == 0:
        raise BadImageError('size', f'empty image ({msg.width}x{msg.height})')
    _check_pixels(msg.width, msg.height, max_pixels, 'an image')
    if msg.encoding in PACKED_422 and msg.width % 2:
        raise BadImageError(
            'size',
            f'{msg.encoding} needs an even width (two pixels share their chroma), got {msg.width}',
        )
    if msg.encoding in SEMI_PLANAR:
        return _semi_planar_to_rgb(msg)
    bits, _, _, channels = to_cvtype(msg.encoding)
    row = msg.width * channels * bits // 8
    if msg.step < row:
        raise BadImageError(
            'step', f'step {msg.step} is smaller than width x pixel size = {row} ({msg.encoding})'
        )
    if len(msg.data) < msg.step * msg.height:
        raise BadImageError(
            'truncated',
            f'data has {len(msg.data)} bytes, step x height needs {msg.step * msg.height}',
        )
    if msg.step != row:  # padded rows: pack them (one copy) so rosbags-image can read them
        rows = np.frombuffer(msg.data, np.uint8, count=msg.step * msg.height).reshape(
            msg.height, msg.step
        )
        msg = SimpleNamespace(
            encoding=msg.encoding,
            width=msg.width,
            height=msg.height,
            is_bigendian=msg.is_bigendian,
            data=np.ascontiguousarray(rows[:, :row]).data,
        )
    try:
        if msg.encoding in PASSTHROUGH:
            return image_to_cvimage(msg)
        return image_to_cvimage(msg, 'rgb8')
    except (ImageError, cv2.error) as exc:
        raise BadImageError(
            'encoding', f'cannot convert a {msg.width}x{msg.height} {msg.encoding} image to rgb8'
        ) from exc


def _claims(fmt: str, kind: str) -> bool:
    """Whether a `format` string (e.g. 'jpeg', 'rgb8; jpeg compressed bgr8') names `kind`."""
    names = {'jpeg': ('jpeg', 'jpg'), 'png': ('png',)}[kind]
    return any(name in fmt.lower() for name in names)


def _compressed_to_array(
    msg: Any, max_pixels: int | None, on_warning: WarningCallback | None
) -> np.ndarray:
    fmt = str(msg.format)
    shown = repr(fmt[:40])
    if len(msg.data) == 0:
        raise BadImageError('compressed', f'empty compressed image (format {shown})')
    data = np.frombuffer(msg.data, np.uint8)
    kind = content_kind(data)
    if kind not in DECODED:
        depth = ' (compressedDepth is not supported)' if 'compresseddepth' in fmt.lower() else ''
        raise BadImageError(
            'compressed_format',
            f'the data is {kind}, not JPEG or PNG (format says {shown}){depth}; only JPEG and '
            'PNG are decoded',
        )
    if not _claims(fmt, kind) and on_warning is not None:
        on_warning(
            'format_mismatch', f'format says {shown} but the data is {kind}: decoded as {kind}'
        )
    try:
        width, height = header_size(data, kind)
    except HeaderError as exc:
        raise BadImageError('compressed', f'cannot read the {kind} header: {exc}') from exc
    _check_pixels(width, height, max_pixels, f'a compressed {kind} image')
    try:
        with native_output.captured() as printed:
            # BGR or grayscale (OpenCV 4.5 has no RGB flag)
            image = cv2.imdecode(data, cv2.IMREAD_ANYCOLOR)
    except (cv2.error, MemoryError, ValueError, OverflowError) as exc:
        raise BadImageError('compressed', f'cannot decode the {kind} image: {exc}') from exc
    if image is None:
        reason = printed.text or 'the data is not an image OpenCV can decode'
        raise BadImageError('compressed', f'cannot decode the {kind} image: {reason}')
    if image.shape[:2] != (height, width):
        raise BadImageError(
            'compressed',
            f'the {kind} image decoded to {image.shape[1]}x{image.shape[0]}, its header says '
            f'{width}x{height}',
        )
    if printed.text and on_warning is not None:
        on_warning('compressed_warning', f'{kind} image decoded with damage: {printed.text}')
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def message_to_image(
    msg: Any,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    on_warning: WarningCallback | None = None,
) -> np.ndarray:
    """
    Return the RGB, RGBA or grayscale uint8 array of an Image or CompressedImage message.

    Raises BadImageError with the reason where there is none.

    Frames over `max_pixels` are rejected before they are decoded or converted; `on_warning` hears
    of frames a decoder could only partly read (they are still returned).
    """
    if hasattr(msg, 'format'):
        return _compressed_to_array(msg, max_pixels, on_warning)
    return _raw_to_array(msg, max_pixels)
