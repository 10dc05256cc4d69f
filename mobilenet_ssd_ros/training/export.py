"""
Write a replica's float weights back into its source flatbuffer as a uint8 model.

The graph, its ops and the TFLite_Detection_PostProcess op stay those of the source (the
zoo builder's flatbuffer tools); only constants and quantization parameters change, so
the result loads wherever the source does:
- weights: per-tensor asymmetric uint8, as the source's are, over the weights' range joined
  with the source tensor's range (so unchanged weights get back their exact uint8 values);
  a layer without a source grid (a student of another width, width.py) is quantized over
  its own range and written with its own shape;
- biases: int32 at scale input_scale * weight_scale, zero point 0 (what the kernels expect);
- activations: a convolution followed by ReLU6 keeps [0, 6], what the float network
  computes; every other convolution's output gets the range its values take on calibration
  images (robust over images, see activation_ranges; widened to hold 0); a RESHAPE output
  keeps its input's parameters, a CONCATENATION output covers all its inputs;
- the class predictors' ranges also keep the source's: calibrated on six pool images with
  few confident objects, their upper bound fell near 0 and every exported score stuck at
  sigmoid(0) = 0.5; scores must be able to reach the teacher's confidence.

Exporting the untrained replica at 300, calibrated on 128 pool images, moved mAP by
+0.0007 (COCO128), -0.0010 (DAWN fog dev) and -0.0000 (Penn-Fudan dev) from the source's.
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

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import torch

from .replica import Replica, uint8_grid
from ..zoo.build import pack
from ..zoo.graph import builtin_code, schema


def _set(tensor, scale: float, zero: int) -> None:
    tensor.quantization.scale = np.array([scale], np.float32)
    tensor.quantization.zeroPoint = np.array([zero], np.int64)


def activation_ranges(
    replica: Replica, images: Iterable[np.ndarray], percentile: float = 1.0
) -> dict[int, tuple[float, float]]:
    """
    Return the range of every intermediate tensor over `images` (HxWx3 uint8, model-sized).

    Each image's minimum and maximum, then the `percentile` of the minima and the
    100 - `percentile` of the maxima over the images: one odd image does not stretch the
    grid of every other (pool images stretched the box predictors' ranges by 4%, which moved
    the fog dev mAP of the unchanged model by 0.02).
    """
    lows: dict[int, list[float]] = {}
    highs: dict[int, list[float]] = {}
    with torch.no_grad():
        for image in images:
            seen: dict[int, torch.Tensor] = {}
            replica(torch.from_numpy(np.ascontiguousarray(image)[None]), keep=seen)
            for index, value in seen.items():
                lows.setdefault(index, []).append(float(value.min()))
                highs.setdefault(index, []).append(float(value.max()))
    return {
        index: (
            float(np.percentile(lows[index], percentile)),
            float(np.percentile(highs[index], 100 - percentile)),
        )
        for index in lows
    }


def class_predictor_outputs(replica: Replica) -> list[int]:
    """Find the convolution outputs that the class logits concatenate (through reshapes)."""
    concat = next(s for s in replica.steps if s.output == replica.logits_index)
    reshapes = {s.output: s.inputs[0] for s in replica.steps if s.kind == 'reshape'}
    return [reshapes.get(i, i) for i in concat.inputs]


def export(replica: Replica, calibration: Iterable[np.ndarray], output: str | Path) -> Path:
    """Write the replica as a uint8 .tflite at `output`, calibrated on `calibration`."""
    if len(replica.adapters):
        raise ValueError('the replica still has adapters: fold them first (width.fold_adapters)')
    fb = schema()
    model = fb.ModelT.InitFromPackedBuf(replica.source.read_bytes(), 0)
    graph = model.subgraphs[0]
    ranges = activation_ranges(replica, calibration)
    for name, conv in replica.convs.items():
        if conv.relu6:  # the activation fixes the range: what the float network computes
            ranges[replica.conv_tensors[name][3]] = (0.0, 6.0)
    for index in class_predictor_outputs(replica):
        q = graph.tensors[index].quantization
        scale, zero = float(q.scale[0]), int(q.zeroPoint[0])
        low, high = ranges[index]
        ranges[index] = (min(low, -zero * scale), max(high, (255 - zero) * scale))
    conv_of_output = {tensors[3]: name for name, tensors in replica.conv_tensors.items()}
    for op in graph.operators:  # topological: an op's input parameters are final before it
        code = builtin_code(model.operatorCodes[op.opcodeIndex])
        out = graph.tensors[op.outputs[0]]
        if op.outputs[0] in conv_of_output:
            name = conv_of_output[op.outputs[0]]
            _write_conv(model, graph, replica, name, ranges)
        elif code == fb.BuiltinOperator.RESHAPE:
            source = graph.tensors[op.inputs[0]].quantization
            _set(out, float(source.scale[0]), int(source.zeroPoint[0]))
        elif code == fb.BuiltinOperator.CONCATENATION:
            lows, highs = [], []
            for index in op.inputs:
                q = graph.tensors[index].quantization
                scale, zero = float(q.scale[0]), int(q.zeroPoint[0])
                lows.append(-zero * scale)
                highs.append((255 - zero) * scale)
            _set(out, *uint8_grid(min(lows), max(highs)))
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pack(fb, model))
    return path


def _write_conv(model, graph, replica: Replica, name: str, ranges) -> None:
    """Quantize one convolution's weights, bias and output into the graph."""
    conv = replica.convs[name]
    input_index, weight_index, bias_index, output_index = replica.conv_tensors[name]
    weight = conv.weight.detach().numpy().astype(np.float64)
    depthwise = conv.groups > 1
    # back to TFLite's layouts: conv OHWI, depthwise 1HWC
    weight = (
        np.transpose(weight, (1, 2, 3, 0)) if depthwise else np.transpose(weight, (0, 2, 3, 1))
    )
    low, high = float(weight.min()), float(weight.max())
    if conv.grid is None:  # no source grid (another width): the weights' own range
        w_scale, w_zero = uint8_grid(low, high)
    else:  # the source's grid: unchanged weights keep their uint8 values
        s_scale, s_zero = conv.grid
        s_low, s_high = -s_zero * s_scale, (255 - s_zero) * s_scale
        # the grid itself where the weights fit in it (recomputing its scale can move the
        # last bit), else the grid widened to hold them
        slack = 1e-3 * s_scale  # the weights are float32 copies of the grid's values
        fits = s_low - slack <= low and high <= s_high + slack
        w_scale, w_zero = conv.grid if fits else uint8_grid(min(low, s_low), max(high, s_high))
    q_weight = np.clip(np.round(weight / w_scale + w_zero), 0, 255).astype(np.uint8)
    in_q = graph.tensors[input_index].quantization
    b_scale = float(in_q.scale[0]) * w_scale
    bias = conv.bias.detach().numpy().astype(np.float64)
    q_bias = np.round(bias / b_scale).astype(np.int32)
    for index, values, scale, zero in (
        (weight_index, q_weight, w_scale, w_zero),
        (bias_index, q_bias, b_scale, 0),
    ):
        tensor = graph.tensors[index]
        _set(tensor, scale, zero)
        tensor.shape = np.array(values.shape, np.int32)  # a student may be narrower
        model.buffers[tensor.buffer].data = np.frombuffer(values.tobytes(), np.uint8)
    output = graph.tensors[output_index]
    output.shape = np.array([*output.shape[:-1], q_weight.shape[-1 if depthwise else 0]], np.int32)
    _set(output, *uint8_grid(*ranges[output_index]))
