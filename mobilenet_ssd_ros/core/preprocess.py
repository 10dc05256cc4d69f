"""
Image -> model input tensor, written in place.

The SSD models were trained on images stretched (not letterboxed) to the input size, so
that is what we do, with one OpenCV resize that writes straight into the interpreter's
input buffer: no intermediate resized copy, no expand_dims, no set_tensor copy.

Input conventions by tensor dtype:
- uint8 (the quantized models): plain RGB bytes 0..255; the model's input quantization
  (e.g. scale 1/128, zero point 128) already maps them to the range it was trained on.
- int8: the same bytes shifted by -128 (what the converter does when it turns a uint8
  input into int8: zero point minus 128).
- float32: (pixel - mean) / std, by default mean = std = 127.5 -> [-1, 1], as in the
  TensorFlow Lite examples for floating-point SSD models.
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

from typing import Any

import cv2
import numpy as np

from .enhance import Enhancer, ImageQuality, measure
from .model import InputSpec

# cvtColor codes that turn a resized image of N channels into RGB.
_TO_RGB = {1: cv2.COLOR_GRAY2RGB, 4: cv2.COLOR_RGBA2RGB}


def check_image(image: np.ndarray) -> None:
    """Reject what the detector cannot interpret, with a message that says why."""
    if not isinstance(image, np.ndarray):
        raise TypeError(f'expected a numpy array, got {type(image).__name__}')
    if image.dtype != np.uint8:
        raise ValueError(f'expected a uint8 image, got dtype {image.dtype}')
    if image.ndim == 3 and image.shape[2] in (1, 3, 4):
        pass
    elif image.ndim != 2:
        raise ValueError(
            'expected an image of shape HxW, HxWx1, HxWx3 (RGB) or HxWx4 (RGBA), got '
            f'{image.shape}'
        )
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f'empty image of shape {image.shape}')


class Preprocessor:
    """
    Resizes RGB, grayscale or RGBA uint8 images into one interpreter's input tensor.

    Reuses one scratch buffer for the cases that need a second step (non-RGB images,
    int8 or float inputs), so nothing large is allocated per frame.
    """

    def __init__(self, interpreter: Any, spec: InputSpec, mean: float = 127.5, std: float = 127.5):
        self._tensor = interpreter.tensor(spec.index)  # call it per frame; never hold the view
        self._spec = spec
        self._size = (spec.width, spec.height)  # OpenCV's (width, height) order
        self._mean = mean
        self._std = std
        self._scratch: dict[int, np.ndarray] = {}

    def _buffer(self, channels: int) -> np.ndarray:
        buf = self._scratch.get(channels)
        if buf is None:
            shape = (self._spec.height, self._spec.width) + ((channels,) if channels > 1 else ())
            buf = np.empty(shape, np.uint8)
            self._scratch[channels] = buf
        return buf

    def _resize_rgb(self, image: np.ndarray, out: np.ndarray) -> None:
        """Stretch `image` (any supported channel count) into the HxWx3 uint8 `out`."""
        channels = 1 if image.ndim == 2 else image.shape[2]
        if channels == 3:
            if image.shape[:2] == out.shape[:2]:
                np.copyto(out, image)
            else:
                cv2.resize(image, self._size, dst=out, interpolation=cv2.INTER_LINEAR)
            return
        small = self._buffer(channels)
        cv2.resize(image, self._size, dst=small, interpolation=cv2.INTER_LINEAR)
        cv2.cvtColor(small, _TO_RGB[channels], dst=out)

    def quality(self, image: np.ndarray) -> ImageQuality:
        """
        Measure `image` as the model would see it, without touching the input tensor.

        So that an image judged alone (no camera stream) is judged on the same model-sized
        RGB pixels that a frame's quality comes from.
        """
        check_image(image)
        rgb = self._buffer(3)
        self._resize_rgb(image, rgb)
        return measure(rgb)

    def __call__(
        self, image: np.ndarray, enhancer: Enhancer = Enhancer()
    ) -> tuple[ImageQuality, bool]:
        """
        Write `image` into the input tensor. The caller invokes the interpreter next.

        The model-sized RGB image is measured and, if `enhancer` says so, enhanced before
        it becomes the input; returns its quality and whether it was enhanced.
        """
        check_image(image)
        target = self._tensor()[0]
        try:
            if self._spec.dtype == np.uint8:
                self._resize_rgb(image, target)
                return enhancer(target)
            rgb = self._buffer(3)
            self._resize_rgb(image, rgb)
            result = enhancer(rgb)
            if self._spec.dtype == np.int8:
                np.bitwise_xor(rgb, 0x80, out=target.view(np.uint8))
            else:
                np.multiply(rgb, 1.0 / self._std, out=target, dtype=np.float32)
                target -= self._mean / self._std
            return result
        finally:
            del target  # the interpreter refuses to invoke while a view of its buffers lives
