"""
Multiply-accumulates and parameters of a .tflite model, counted from its graph.

MobileNet's cost model: nearly all work is in (depthwise) convolutions, so MACs are
summed over CONV_2D (out_h * out_w * out_c * k_h * k_w * in_c), DEPTHWISE_CONV_2D
(out_h * out_w * out_c * k_h * k_w) and FULLY_CONNECTED (out * in) operators, and
parameters are the elements of their constant weight and bias tensors. The graph is read
with the flatbuffer schema that LiteRT ships (`ai_edge_litert.schema_py_generated`), which
the zoo builder and the trainer use too.

The width multiplier alpha is read from the same graph: MobileNetV1's first convolution
has 32 x alpha output channels. This is what keys a model in the zoo, whatever name its
release was published under.
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
import math
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class GraphStats:
    macs: int
    params: int
    conv_ops: int
    first_conv_channels: int  # MobileNetV1 starts with 32 x alpha channels

    @property
    def width_multiplier(self) -> float:
        """Alpha as the graph shows it (the first convolution has 32 * alpha channels)."""
        return self.first_conv_channels / 32


class SchemaNotFoundError(ImportError):
    """The TFLite flatbuffer schema is not installed (tflite_runtime does not ship it)."""


def schema():
    """Return LiteRT's generated flatbuffer schema module (object API, read and write)."""
    try:
        from ai_edge_litert import schema_py_generated
    except ImportError as exc:
        raise SchemaNotFoundError(
            "reading or editing a model's graph needs the ai-edge-litert package "
            '(its flatbuffer schema): pip install ai-edge-litert'
        ) from exc
    return schema_py_generated


def builtin_code(operator_code) -> int:
    """Return the op of an OperatorCodeT (files before 2.3 keep it in the deprecated field)."""
    return max(operator_code.builtinCode, operator_code.deprecatedBuiltinCode)


def graph_stats(path: str | Path) -> GraphStats:
    fb = schema()
    model = fb.ModelT.InitFromPackedBuf(Path(path).read_bytes(), 0)
    graph = model.subgraphs[0]
    codes = [builtin_code(c) for c in model.operatorCodes]
    op = fb.BuiltinOperator
    macs = params = convs = first = 0
    counted: set[int] = set()
    for operator in graph.operators:
        code = codes[operator.opcodeIndex]
        if code not in (op.CONV_2D, op.DEPTHWISE_CONV_2D, op.FULLY_CONNECTED):
            continue
        convs += 1
        weights = graph.tensors[operator.inputs[1]].shape
        out = graph.tensors[operator.outputs[0]].shape
        if code == op.CONV_2D:
            first = first or int(out[-1])
            macs += int(np.prod(out[1:])) * int(np.prod(weights[1:]))  # oh*ow*oc * kh*kw*ic
        elif code == op.DEPTHWISE_CONV_2D:
            macs += int(np.prod(out[1:])) * int(weights[1] * weights[2])  # oh*ow*oc * kh*kw
        else:
            macs += int(np.prod(weights)) * int(np.prod(out[:-1]))
        for index in operator.inputs[1:]:
            tensor = graph.tensors[index] if index >= 0 else None
            if (
                tensor is not None
                and index not in counted
                and model.buffers[tensor.buffer].data is not None
            ):
                counted.add(index)
                params += int(np.prod(tensor.shape))
    return GraphStats(macs=macs, params=params, conv_ops=convs, first_conv_channels=first)


def postprocess_options(model) -> dict:
    """
    Return the options of the TFLite_Detection_PostProcess op of a ModelT (object API).

    The one place they are decoded (a flexbuffer map: max_detections, num_classes, the box
    scales, nms_iou_threshold...), for the builder and the trainer's replica alike.
    """
    from flatbuffers import flexbuffers

    ops = [op for op in model.subgraphs[0].operators if op.customOptions is not None]
    if len(ops) != 1:
        raise ValueError(f'expected one post-processing op with options, found {len(ops)}')
    return flexbuffers.Loads(bytes(ops[0].customOptions))


def measured_width(path: str | Path) -> float:
    """
    Measure the alpha of the model file at `path`.

    Returns nan where its graph cannot be read (a missing file, another architecture, no
    schema): the loader reports those with their reason.
    """
    try:
        return graph_stats(path).width_multiplier
    except Exception:  # noqa: BLE001 - a width that cannot be measured is unknown, not fatal
        return math.nan
