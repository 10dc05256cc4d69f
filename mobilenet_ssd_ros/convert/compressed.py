"""
Compressed frames: decode only what a camera sends (JPEG, PNG), and bound every decode.

A CompressedImage is decided by its content, never by its `format` string: its first
bytes must be a JPEG or PNG signature, the two formats image_transport's compressed
plugin publishes. Anything else (GIF, BMP, TIFF, WebP, PNM/PAM, Radiance HDR, JPEG 2000,
AVIF, Sun raster...) is rejected before any decoder sees it, with what the bytes look
like and what `format` claimed: OpenCV would decode most of them, some through a
temporary file (HDR), some of them run-length bombs (a 4 MB HDR file decodes to 64 MP).
WebP is not accepted: nothing a robot camera sends needs it, and its decoder's limits
are not bounded here.

The size is read from the header by this module, with the decoder's own rules (PNG: the
IHDR chunk, which must come first and whose CRC must hold; JPEG: the markers in order
up to the first frame header, a second frame header or a scan before one is an error, as
libjpeg has them); a header that cannot be read is rejected, never decoded. OpenCV
enforces a pixel limit of its own as well (OPENCV_IO_MAX_IMAGE_PIXELS, which the package's
__init__ sets before OpenCV loads), so that a disagreement between the two parsers cannot
let a bomb through; and a decoded image whose size is not the header's is rejected.
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

import struct
import zlib

JPEG_SIGNATURE = b'\xff\xd8\xff'
PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'
DECODED = ('jpeg', 'png')  # what is decoded; the rest is named and rejected
# (signature at offset 0, name) of what else a CompressedImage may hold
OTHER_SIGNATURES = (
    (b'GIF87a', 'GIF'),
    (b'GIF89a', 'GIF'),
    (b'BM', 'BMP'),
    (b'II*\x00', 'TIFF'),
    (b'MM\x00*', 'TIFF'),
    (b'#?RADIANCE', 'Radiance HDR'),
    (b'#?RGBE', 'Radiance HDR'),
    (b'P7', 'PAM'),
    (b'PF', 'PFM'),
    (b'Pf', 'PFM'),
    (b'\x00\x00\x00\x0cjP  \r\n\x87\n', 'JPEG 2000'),
    (b'\xffO\xffQ', 'JPEG 2000 codestream'),
    (b'\x59\xa6\x6a\x95', 'Sun raster'),
    (b'\x76\x2f\x31\x01', 'OpenEXR'),
    (b'\xff\x0a', 'JPEG XL'),
    (b'8BPS', 'Photoshop'),
)
# SOF markers that start a frame header (not DHT C4, JPG C8, DAC CC)
JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
JPEG_STANDALONE = frozenset(range(0xD0, 0xD8)) | {0x01}  # RSTn and TEM carry no length
JPEG_SOS, JPEG_EOI = 0xDA, 0xD9


class HeaderError(ValueError):
    """A header that cannot be read with the decoder's rules; the message says where."""


def content_kind(data: bytes) -> str:
    """
    Name what the bytes are by their signature: 'jpeg', 'png', or what else they look like.

    Unknown content is described by its first bytes.
    """
    head = bytes(data[:16])
    if head.startswith(JPEG_SIGNATURE):
        return 'jpeg'
    if head.startswith(PNG_SIGNATURE):
        return 'png'
    if head.startswith(b'RIFF') and head[8:12] == b'WEBP':
        return 'WebP'
    if head[4:8] == b'ftyp':
        return f'ISO media ({head[8:12].decode("latin-1")!r})'  # AVIF, HEIF
    if len(head) >= 2 and head[0:1] == b'P' and head[1:2] in b'123456':
        return 'PNM'
    for signature, name in OTHER_SIGNATURES:
        if head.startswith(signature):
            return name
    return f'unknown data (starts {head[:8].hex(" ")})' if head else 'no data'


def header_size(data: bytes, kind: str) -> tuple[int, int]:
    """Return (width, height) from a JPEG or PNG header, or raise HeaderError."""
    return _png_size(data) if kind == 'png' else _jpeg_size(data)


def _png_size(data: bytes) -> tuple[int, int]:
    """PNG: the first chunk must be a 13-byte IHDR with a CRC that holds (libpng's rules)."""
    chunk = bytes(data[8:33])
    if len(chunk) < 25:
        raise HeaderError('PNG data ends before its IHDR chunk')
    length, name = struct.unpack('>I4s', chunk[:8])
    if name != b'IHDR' or length != 13:
        raise HeaderError(f'PNG does not start with a 13-byte IHDR chunk (found {name!r})')
    (crc,) = struct.unpack('>I', chunk[21:25])
    if zlib.crc32(chunk[4:21]) != crc:
        raise HeaderError('PNG IHDR chunk fails its CRC')
    width, height = struct.unpack('>II', chunk[8:16])
    if not (0 < width < 2**31 and 0 < height < 2**31):
        raise HeaderError(f'PNG IHDR size {width}x{height} is out of range')
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """
    JPEG: walk the markers from SOI to the first frame header, as libjpeg does.

    Fill bytes (0xFF) may precede a marker; a scan (SOS) or the end (EOI) before a frame
    header is an error, and so is a second frame header before the first scan.
    """
    view = memoryview(data)
    size = None
    i = 2  # after SOI
    while True:
        while i < len(view) and view[i] == 0xFF and i + 1 < len(view) and view[i + 1] == 0xFF:
            i += 1  # fill bytes
        if i + 1 >= len(view):
            raise HeaderError('JPEG data ends before its frame header')
        if view[i] != 0xFF:
            raise HeaderError(f'JPEG marker expected at byte {i}')
        marker = view[i + 1]
        i += 2
        if marker in JPEG_STANDALONE:
            continue
        if marker in (JPEG_SOS, JPEG_EOI):
            if size is None:
                raise HeaderError('JPEG scan or end before any frame header')
            return size
        if i + 2 > len(view):
            raise HeaderError('JPEG data ends inside a marker')
        (length,) = struct.unpack_from('>H', view, i)
        if length < 2 or i + length > len(view):
            raise HeaderError(f'JPEG segment of length {length} does not fit the data')
        if marker in JPEG_FRAMES:
            if size is not None:
                raise HeaderError('JPEG has two frame headers')
            if length < 8:
                raise HeaderError('JPEG frame header too short')
            height, width = struct.unpack_from('>HH', view, i + 3)
            if width == 0 or height == 0:
                raise HeaderError(f'JPEG frame header gives {width}x{height}')
            size = (width, height)
        i += length
