"""
Load a detection model and find out what it is, instead of assuming it.

A `.tflite` file says what it needs: input size, dtype and quantization, and which
output tensor is which. Two output conventions of SSD detectors are recognised:
- the classic in-graph `TFLite_Detection_PostProcess` op (TF1 object detection export,
  the hosted `detect.tflite`): outputs `TFLite_Detection_PostProcess` (boxes),
  `:1` (classes), `:2` (scores), `:3` (count);
- the TF2 object detection export, identified by its signature outputs
  `detection_boxes`, `detection_classes`, `detection_scores`, `num_detections`.
Anything else (a classifier, an Edge TPU build, a file that is not a model) is rejected
with an error that names the file and says what was found.
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

from dataclasses import dataclass
import hashlib
import io
import os
from pathlib import Path
import stat
from typing import Any
import zipfile

import numpy as np

from . import native_output
from .labels import LabelMap, short_path
from .runtime import find_runtime, make_interpreter, Runtime

TFLITE_IDENTIFIER = b'TFL3'  # flatbuffer file identifier at byte offset 4
EDGETPU_OP = b'edgetpu-custom-op'
POSTPROCESS_OP_NAME = 'TFLite_Detection_PostProcess'
TF2_SIGNATURE_OUTPUTS = {
    'boxes': 'detection_boxes',
    'classes': 'detection_classes',
    'scores': 'detection_scores',
    'count': 'num_detections',
}
SUPPORTED_INPUT_DTYPES = (np.uint8, np.int8, np.float32)
MAX_MODEL_BYTES = 256 << 20  # SSD MobileNets are 4-30 MB; a larger file is not one of them


class ModelError(ValueError):
    """A model file that cannot be used, with the file and the reason in the message."""

    def __init__(self, path: str | Path, reason: str):
        super().__init__(f'{short_path(Path(path))}: {reason}')
        self.path = str(path)
        self.reason = reason


@dataclass(frozen=True)
class InputSpec:
    """The model's image input: tensor index, size, dtype and quantization."""

    index: int
    height: int
    width: int
    channels: int
    dtype: type
    scale: float
    zero_point: int


@dataclass(frozen=True)
class OutputSpec:
    """Tensor indices of the four detection outputs and the convention they came from."""

    convention: str  # "postprocess_op" | "tf2_signature"
    boxes: int
    classes: int
    scores: int
    count: int


@dataclass(frozen=True)
class ModelInfo:
    """What inspecting a model found; enough to report and to reload it."""

    path: str
    sha256: str
    runtime: str
    input: InputSpec  # noqa: A003 (TFLite's name for the tensor)
    outputs: OutputSpec
    max_detections: int
    num_classes: (
        int | None
    )  # classes the model scores (background excluded), where the graph shows it
    embedded_labels: str | None


class Model:
    """
    A loaded, allocated interpreter plus the ModelInfo of its file.

    Not thread-safe: one interpreter runs one `invoke()` at a time.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        num_threads: int | None = None,
        use_xnnpack: bool = True,
        runtime: Runtime | None = None,
    ):
        path = Path(path)
        content = _read_model_bytes(path)
        runtime = runtime or find_runtime()
        try:
            with (
                native_output.captured() as printed
            ):  # "INFO: Created TensorFlow Lite XNNPACK delegate..."
                interpreter = make_interpreter(
                    content, num_threads=num_threads, use_xnnpack=use_xnnpack, runtime=runtime
                )
                interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            said = f' ({printed.text})' if printed.text else ''
            raise ModelError(
                path, f'the {runtime.name} runtime cannot load it: {exc}{said}'
            ) from exc
        self.runtime_messages = (
            printed.text
        )  # what the runtime printed while loading (callers may log it)
        outputs = _output_spec(path, interpreter)
        self.interpreter = interpreter
        self.info = ModelInfo(
            path=str(path),
            sha256=hashlib.sha256(content).hexdigest(),
            runtime=runtime.name,
            input=input_spec(path, interpreter),
            outputs=outputs,
            max_detections=_max_detections(interpreter, outputs),
            num_classes=_num_classes(interpreter, outputs),
            embedded_labels=_embedded_labels(content),
        )

    def labels(self, labels_path: str | Path | None = None) -> LabelMap:
        """
        Return the label map: an explicit file wins.

        Then metadata packed in the model, then a `labelmap.txt`/`labels.txt` next to the model
        file. Each is checked against the model's class ids (LabelMapError says why it does not
        fit).
        """
        classes = self.info.num_classes
        if labels_path is not None:
            return LabelMap.from_file(labels_path).validate(
                short_path(Path(labels_path)), num_classes=classes
            )
        if self.info.embedded_labels is not None:
            return LabelMap.parse(self.info.embedded_labels).validate(
                f'{short_path(Path(self.info.path))} (embedded labels)',
                self.info.embedded_labels,
                classes,
            )
        folder = Path(self.info.path).parent
        for name in ('labelmap.txt', 'labels.txt'):
            if (folder / name).is_file():
                return LabelMap.from_file(folder / name).validate(
                    str(folder / name), num_classes=classes
                )
        raise ModelError(
            self.info.path,
            'no label map: the model has no embedded labels and no labelmap.txt or '
            'labels.txt lies next to it; pass a labels file',
        )


def _read_model_bytes(path: Path) -> bytes:
    """
    Read the file's bytes, after the checks that need none of them.

    It is a regular file of a plausible size that starts like a TFLite flatbuffer. A huge or
    special file (a 1 GB log, /proc/self/mem) is rejected before anything large is read.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ModelError(path, 'model file not found') from None
    except OSError as exc:
        raise ModelError(path, f'cannot open the model file: {exc.strerror or exc}') from exc
    if not stat.S_ISREG(info.st_mode):
        raise ModelError(path, 'not a file')
    if info.st_size > MAX_MODEL_BYTES:
        raise ModelError(
            path,
            f'not a model this package loads ({info.st_size >> 20} MB; the limit is '
            f'{MAX_MODEL_BYTES >> 20} MB)',
        )
    try:
        with open(path, 'rb') as f:
            head = f.read(8)
            if head[4:8] != TFLITE_IDENTIFIER:
                hint = ''
                if head[:4] == b'PK\x03\x04':
                    hint = ' (it is a zip archive: extract the .tflite file from it)'
                elif not head:
                    hint = ' (the file is empty)'
                raise ModelError(
                    path, "not a TensorFlow Lite model: no 'TFL3' flatbuffer identifier" + hint
                )
            content = head + f.read(MAX_MODEL_BYTES)
    except OSError as exc:
        raise ModelError(path, f'cannot read the model file: {exc.strerror or exc}') from exc
    if EDGETPU_OP in content:
        raise ModelError(
            path,
            'compiled for the Coral Edge TPU (it contains edgetpu-custom-op, which only '
            'the Edge TPU delegate runs); use the CPU model it was compiled from',
        )
    return content


def input_spec(path: Path, interpreter: Any) -> InputSpec:
    """Return the single [1, H, W, 3] image input of an allocated interpreter."""
    inputs = interpreter.get_input_details()
    if len(inputs) != 1:
        raise ModelError(path, f'expected one image input, found {len(inputs)} inputs')
    d = inputs[0]
    shape = tuple(int(s) for s in d['shape'])
    if len(shape) != 4 or shape[0] != 1 or shape[3] != 3:
        raise ModelError(path, f'expected an input of shape [1, H, W, 3], found {list(shape)}')
    if d['dtype'] not in SUPPORTED_INPUT_DTYPES:
        raise ModelError(path, f'unsupported input dtype {np.dtype(d["dtype"]).name}')
    scale, zero_point = d['quantization']
    return InputSpec(
        index=int(d['index']),
        height=shape[1],
        width=shape[2],
        channels=shape[3],
        dtype=d['dtype'],
        scale=float(scale),
        zero_point=int(zero_point),
    )


def _describe_outputs(details: list[dict]) -> str:
    return ', '.join(f'{d["name"]} {list(map(int, d["shape"]))}' for d in details)


def _output_spec(path: Path, interpreter: Any) -> OutputSpec:
    details = interpreter.get_output_details()
    by_name = {d['name']: int(d['index']) for d in details}
    names = [POSTPROCESS_OP_NAME + suffix for suffix in ('', ':1', ':2', ':3')]
    if all(n in by_name for n in names):
        return OutputSpec('postprocess_op', *(by_name[n] for n in names))

    for signature in interpreter.get_signature_list():
        runner_outputs = interpreter.get_signature_runner(signature).get_output_details()
        if all(key in runner_outputs for key in TF2_SIGNATURE_OUTPUTS.values()):
            return OutputSpec(
                'tf2_signature',
                *(
                    int(runner_outputs[TF2_SIGNATURE_OUTPUTS[k]]['index'])
                    for k in ('boxes', 'classes', 'scores', 'count')
                ),
            )

    if len(details) == 1 and len(details[0]['shape']) == 2:
        raise ModelError(
            path,
            'looks like an image classifier (one output of shape '
            f'{list(map(int, details[0]["shape"]))}); a detection model has boxes, classes, '
            'scores and count outputs',
        )
    raise ModelError(
        path,
        'not an SSD detection model this package knows: expected the outputs of '
        f'{POSTPROCESS_OP_NAME} or a TF2 detection signature '
        f'({", ".join(TF2_SIGNATURE_OUTPUTS.values())}), found: {_describe_outputs(details)}',
    )


def _max_detections(interpreter: Any, outputs: OutputSpec) -> int:
    for d in interpreter.get_output_details():
        if int(d['index']) == outputs.scores:
            return int(d['shape'][-1])
    raise AssertionError('scores tensor is one of the outputs')


def _num_classes(interpreter: Any, outputs: OutputSpec) -> int | None:
    """
    For the post-processing op.

    The raw class scores are a [1, anchors, classes + 1] tensor next to the [1, anchors, 4] box
    encodings. None where the graph shows no such pair (the labels are then only checked for being
    a label map).
    """
    if outputs.convention != 'postprocess_op':
        return None
    shapes = [tuple(int(v) for v in d['shape']) for d in interpreter.get_tensor_details()]
    boxes = {shape[1] for shape in shapes if len(shape) == 3 and shape[0] == 1 and shape[2] == 4}
    scores = [
        shape[2]
        for shape in shapes
        if len(shape) == 3 and shape[0] == 1 and shape[1] in boxes and shape[2] > 4
    ]
    return max(scores) - 1 if scores else None


def _embedded_labels(content: bytes) -> str | None:
    """
    Return the label file packed into the model by the TFLite metadata writer, if any.

    The writer appends it as a zip archive to the flatbuffer.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            texts = [n for n in archive.namelist() if n.lower().endswith('.txt')]
            if not texts:
                return None
            texts.sort(key=lambda n: 'label' not in n.lower())
            return archive.read(texts[0]).decode('utf-8')
    except zipfile.BadZipFile:
        return None
