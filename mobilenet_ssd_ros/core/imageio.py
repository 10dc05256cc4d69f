"""Image files <-> the RGB arrays the detector takes (OpenCV reads and writes BGR)."""

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

from pathlib import Path

import cv2
import numpy as np

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp')


def image_files(path: Path) -> list[Path]:
    """Image files in a folder (recursively, sorted), or the file itself."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob('*') if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def read_rgb(path: str | Path) -> np.ndarray | None:
    """
    Read an image file as HxWx3 RGB uint8, or None if OpenCV cannot decode it.

    OpenCV's own pixel limit bounds what it decodes (the package sets it before OpenCV
    loads): a larger file, however small, is not readable here.
    """
    try:
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    except cv2.error:  # over the pixel limit, or a decoder's own failure
        return None
    return None if bgr is None else cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def write_rgb(path: str | Path, rgb: np.ndarray) -> None:
    """Write an RGB array as an image file (format from the suffix)."""
    if not cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)):
        raise OSError(f'{path}: could not write the image')
