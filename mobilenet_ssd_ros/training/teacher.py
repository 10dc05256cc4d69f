"""
The uint8 teacher: the source model itself, its raw outputs read before its NMS.

The float replica of the source matches the uint8 interpreter within a quantization step
on clear images, but not everywhere: on the first 64 DAWN fog images the float replica
scores mAP 0.079 where the uint8 model scores 0.103 (docs/TRAINING.md). The uint8 model
is the detector users run, so it is the teacher to imitate. LiteRT keeps the inputs of
the post-processing op (the raw box encodings and class logits) readable with
`experimental_preserve_all_tensors`; they are dequantized into the replica's layout.
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

from pathlib import Path

import numpy as np
import torch

from ..core.runtime import find_runtime


class Uint8Teacher:
    """Return (box encodings [N, A, 4], class logits [N, A, C + 1]) of uint8 images."""

    def __init__(self, path: str | Path, boxes_index: int, logits_index: int):
        runtime = find_runtime()
        self._interpreter = runtime.interpreter_class(
            model_path=str(path), experimental_preserve_all_tensors=True
        )
        self._interpreter.allocate_tensors()
        self._input = self._interpreter.get_input_details()[0]['index']
        details = self._interpreter.get_tensor_details()
        self._outputs = [
            (index, *details[index]['quantization']) for index in (boxes_index, logits_index)
        ]

    def __call__(self, images: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        boxes, logits = [], []
        for image in images:
            self._interpreter.set_tensor(self._input, np.ascontiguousarray(image)[None])
            self._interpreter.invoke()
            (b_index, b_scale, b_zero), (l_index, l_scale, l_zero) = self._outputs
            raw_boxes = self._interpreter.get_tensor(b_index).astype(np.float32)
            raw_logits = self._interpreter.get_tensor(l_index).astype(np.float32)
            boxes.append((raw_boxes - b_zero).reshape(-1, 4) * b_scale)
            logits.append((raw_logits - l_zero).reshape(raw_logits.shape[-2:]) * l_scale)
        return torch.from_numpy(np.stack(boxes)), torch.from_numpy(np.stack(logits))
