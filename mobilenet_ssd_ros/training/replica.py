"""
A trainable float PyTorch replica of a uint8 MobileNetV1-SSD flatbuffer.

The student of the distillation trainer is the teacher's own graph, read op by op from the
.tflite file: CONV_2D, DEPTHWISE_CONV_2D, RESHAPE, CONCATENATION and LOGISTIC up to the
TFLite_Detection_PostProcess op, whose inputs (raw box encodings and class logits, before
the sigmoid) are the replica's outputs. Weights and biases start as the dequantized uint8
values (scale * (q - zero_point), per tensor or per channel).

Two details make it match the interpreter:
- TensorFlow's SAME padding puts the odd extra pixel at the bottom and right, PyTorch pads
  symmetrically: each convolution pads explicitly.
- The quantized graph has no ReLU6 ops: the converter folded them into the output
  quantization ranges (a layer whose output range is [0, 6] clips there). The replica puts
  ReLU6 back wherever the range says so, which is what the float network was trained with.
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
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from ..zoo.graph import builtin_code, postprocess_options, schema


@dataclass(frozen=True)
class Quantization:
    scale: np.ndarray
    zero_point: np.ndarray

    def dequantize(self, values: np.ndarray, axis: int) -> np.ndarray:
        """Per tensor, or per channel along `axis` where there are several scales."""
        shape = [1] * values.ndim
        if self.scale.size > 1:
            shape[axis] = -1
        scale = self.scale.reshape(shape)
        zero = self.zero_point.reshape(shape)
        return ((values.astype(np.float64) - zero) * scale).astype(np.float32)

    def float_range(self) -> tuple[float, float]:
        """Return the float range that the uint8 values 0..255 stand for."""
        scale, zero = float(self.scale.ravel()[0]), float(self.zero_point.ravel()[0])
        return (0 - zero) * scale, (255 - zero) * scale


def _quantization(tensor) -> Quantization | None:
    q = tensor.quantization
    if q is None or q.scale is None or len(q.scale) == 0:
        return None
    return Quantization(np.asarray(q.scale, np.float64), np.asarray(q.zeroPoint, np.float64))


def _is_relu6(q: Quantization | None) -> bool:
    if q is None:
        return False
    low, high = q.float_range()
    return abs(low) < 1e-3 and abs(high - 6.0) < 0.05


def _same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """Split TensorFlow's SAME padding: the odd extra pixel goes after (bottom/right)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def adapted_key(tap: int) -> int:
    """Where forward(keep=) holds the adapted copy of feature map `tap` (width.py)."""
    return -1 - tap


def uint8_grid(low: float, high: float) -> tuple[float, int]:
    """Return (scale, zero point) of per-tensor uint8 values covering [low, high] and 0."""
    low, high = min(low, 0.0), max(high, 0.0)
    scale = (high - low) / 255.0 or 1e-8
    return scale, int(np.clip(round(-low / scale), 0, 255))


class _Conv(nn.Module):
    """A TFLite (depthwise) convolution with explicit TF padding and its activation."""

    def __init__(self, weight, bias, stride, same, depthwise, relu6, in_size, grid=None):
        super().__init__()
        self.weight = nn.Parameter(torch.from_numpy(weight))
        # (scale, zero point) of the source's per-tensor uint8 weights, for fake quantization;
        # None: the grid follows the weights' own range (a layer that has no source grid)
        self.grid = grid
        self.fake_quant = False
        self.bias = nn.Parameter(torch.from_numpy(bias))
        self.stride = stride
        self.groups = weight.shape[0] if depthwise else 1
        kh, kw = weight.shape[2:]
        self.pad = (
            (*_same_padding(in_size[1], kw, stride[1]), *_same_padding(in_size[0], kh, stride[0]))
            if same
            else (0, 0, 0, 0)
        )
        self.relu6 = relu6

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if any(self.pad):
            x = F.pad(x, self.pad)
        weight = self.weight
        if self.fake_quant:
            # rounded to the uint8 grid the export writes; the gradient passes straight through
            grid = self.grid or uint8_grid(
                float(weight.detach().min()), float(weight.detach().max())
            )
            weight = torch.fake_quantize_per_tensor_affine(weight, *grid, 0, 255)
        x = F.conv2d(x, weight, self.bias, self.stride, groups=self.groups)
        return F.relu6(x) if self.relu6 else x


@dataclass(frozen=True)
class _Step:
    kind: str  # conv, reshape, concat, logistic
    inputs: tuple[int, ...]
    output: int
    module: str = ''  # name of the conv module
    shape: tuple[int, ...] = ()  # reshape target (NHWC-ordered, batch free)
    axis: int = 0  # concatenation axis (NHWC)


def _constants(fb, model, graph):
    """Return a reader of the graph's constant tensors as numpy arrays of their shapes."""
    dtypes = {
        fb.TensorType.UINT8: np.uint8,
        fb.TensorType.INT32: np.int32,
        fb.TensorType.FLOAT32: np.float32,
        fb.TensorType.INT8: np.int8,
    }

    def constant(index: int) -> np.ndarray:
        tensor = graph.tensors[index]
        data = model.buffers[tensor.buffer].data
        shape = tuple(int(v) for v in tensor.shape)
        return np.frombuffer(bytes(data), dtypes[tensor.type]).reshape(shape)

    return constant


def _conv(fb, graph, op, depthwise: bool, constant) -> _Conv:
    """Make the float module of one CONV_2D or DEPTHWISE_CONV_2D op, weights dequantized."""
    w_t, b_t = graph.tensors[op.inputs[1]], graph.tensors[op.inputs[2]]
    weight = constant(op.inputs[1])
    w_q, b_q = _quantization(w_t), _quantization(b_t)
    # TFLite: conv OHWI (per-channel axis 0), depthwise 1HWC (axis 3)
    weight = w_q.dequantize(weight, 3 if depthwise else 0) if w_q else weight
    weight = (
        np.transpose(weight, (3, 0, 1, 2)) if depthwise else np.transpose(weight, (0, 3, 1, 2))
    )
    bias = constant(op.inputs[2])
    bias = b_q.dequantize(bias, 0) if b_q else bias.astype(np.float32)
    options = op.builtinOptions
    relu6 = options.fusedActivationFunction == fb.ActivationFunctionType.RELU6 or (
        _is_relu6(_quantization(graph.tensors[op.outputs[0]]))
    )
    per_tensor = w_q is not None and w_q.scale.size == 1
    return _Conv(
        np.ascontiguousarray(weight),
        np.ascontiguousarray(bias),
        (options.strideH, options.strideW),
        options.padding == fb.Padding.SAME,
        depthwise,
        relu6,
        tuple(int(v) for v in graph.tensors[op.inputs[0]].shape[1:3]),
        (float(w_q.scale[0]), int(w_q.zero_point[0])) if per_tensor else None,
    )


def read_convs(path: str | Path) -> list[_Conv]:
    """
    Read the convolutions of a MobileNetV1 flatbuffer in graph order.

    Up to its first op of another kind: a classifier's backbone (before its pooling), or a
    detector's backbone and first heads.
    """
    fb = schema()
    model = fb.ModelT.InitFromPackedBuf(Path(path).read_bytes(), 0)
    graph = model.subgraphs[0]
    constant = _constants(fb, model, graph)
    convs = []
    for op in graph.operators:
        code = builtin_code(model.operatorCodes[op.opcodeIndex])
        if code not in (fb.BuiltinOperator.CONV_2D, fb.BuiltinOperator.DEPTHWISE_CONV_2D):
            break
        convs.append(_conv(fb, graph, op, code == fb.BuiltinOperator.DEPTHWISE_CONV_2D, constant))
    return convs


class Replica(nn.Module):
    """
    The graph before its post-processing op, in float, NCHW inside, NHWC at the edges.

    forward(images) takes uint8-valued RGB images [N, H, W, 3] (0..255, any float or int
    dtype) and returns (box_encodings [N, anchors, 4], class_logits [N, anchors, classes+1]).
    `anchors` ([anchors, 4] as y_center, x_center, h, w) and `post` (the post-processing
    op's options: scales, NMS threshold, cap) decode them as that op does (`decode`).
    """

    def __init__(self, path: str | Path):
        super().__init__()
        fb = schema()
        model = fb.ModelT.InitFromPackedBuf(Path(path).read_bytes(), 0)
        graph = model.subgraphs[0]
        ops = fb.BuiltinOperator
        self.input_index = graph.inputs[0]
        input_tensor = graph.tensors[self.input_index]
        self.input_size = (int(input_tensor.shape[1]), int(input_tensor.shape[2]))
        q_in = _quantization(input_tensor)
        # uint8 value v stands for (v - zero_point) * scale
        self.input_zero = float(q_in.zero_point[0]) if q_in else 0.0
        self.input_scale = float(q_in.scale[0]) if q_in else 1.0
        self.source = Path(path)
        self.convs = nn.ModuleDict()
        # conv name -> (input, weights, bias, output) tensor indices in the source graph
        self.conv_tensors: dict[str, tuple[int, int, int, int]] = {}
        self.steps: list[_Step] = []
        # a student of another width (width.py) reaches the teacher's heads through 1x1
        # linear adapters until they are folded in: feature map index (str) -> adapter, and
        # conv name -> the feature map it reads through its adapter
        self.adapters = nn.ModuleDict()
        self.adapter_of: dict[str, int] = {}
        shapes = {i: tuple(int(v) for v in t.shape) for i, t in enumerate(graph.tensors)}

        constant = _constants(fb, model, graph)
        for op in graph.operators:
            code = builtin_code(model.operatorCodes[op.opcodeIndex])
            out = op.outputs[0]
            if code in (ops.CONV_2D, ops.DEPTHWISE_CONV_2D):
                name = f'conv{len(self.convs)}'
                self.convs[name] = _conv(fb, graph, op, code == ops.DEPTHWISE_CONV_2D, constant)
                self.steps.append(_Step('conv', (op.inputs[0],), out, module=name))
                self.conv_tensors[name] = (op.inputs[0], op.inputs[1], op.inputs[2], out)
            elif code == ops.RESHAPE:
                self.steps.append(_Step('reshape', (op.inputs[0],), out, shape=shapes[out][1:]))
            elif code == ops.CONCATENATION:
                self.steps.append(
                    _Step('concat', tuple(op.inputs), out, axis=op.builtinOptions.axis)
                )
            elif code == ops.LOGISTIC:
                self.logits_index = op.inputs[0]
            elif code == ops.CUSTOM:
                self.boxes_index = op.inputs[0]
                anchors = constant(op.inputs[2])
                a_q = _quantization(graph.tensors[op.inputs[2]])
                anchors = a_q.dequantize(anchors, 0) if a_q else anchors.astype(np.float32)
                self.register_buffer('anchors', torch.from_numpy(anchors.copy()))
                self.post = postprocess_options(model)
                self.num_classes = int(self.post['num_classes'])  # without background
                self.scales = tuple(
                    float(self.post[k]) for k in ('y_scale', 'x_scale', 'h_scale', 'w_scale')
                )
            else:
                raise ValueError(f'{path}: op {code} is not part of a MobileNetV1-SSD graph')

    def fake_quantize(self, enabled: bool = True) -> Replica:
        """
        Round weights to the source's uint8 grid in the forward pass (straight-through).

        The source network was trained for its per-tensor uint8 weights; float fine-tuning
        moves weights off that grid, and rounding them at export then costs what training
        gained (a 224 student: COCO128 mAP 0.221 in float, 0.198 exported, on 64 images).
        Trained through the rounding, the student keeps what the export writes.
        """
        for conv in self.convs.values():
            conv.fake_quant = enabled
        return self

    def forward(
        self, images: torch.Tensor, keep: dict[int, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Run the graph; `keep`, if given, receives every intermediate tensor by index."""
        values = self._run(images)
        if keep is not None:
            keep.update(values)
        boxes = values[self.boxes_index]
        logits = values[self.logits_index]
        return boxes.reshape(boxes.shape[0], -1, 4), logits

    def front(self, images: torch.Tensor, count: int) -> torch.Tensor:
        """Run only the first `count` convolutions; return the last one's output (NCHW)."""
        last = [s for s in self.steps if s.kind == 'conv'][count - 1]
        return self._run(images, stop=last.module)[last.output]

    def _run(self, images: torch.Tensor, stop: str = '') -> dict[int, torch.Tensor]:
        """Every tensor of the graph by index, up to the convolution `stop` if named."""
        x = (images.float() - self.input_zero) * self.input_scale
        values: dict[int, torch.Tensor] = {self.input_index: x.permute(0, 3, 1, 2)}
        nchw = {self.input_index}
        for step in self.steps:
            if step.kind == 'conv':
                source = values[step.inputs[0]]
                if step.inputs[0] not in nchw:
                    source = source.permute(0, 3, 1, 2)
                tap = self.adapter_of.get(step.module)
                if tap is not None:  # adapted once, under a key no tensor of the graph has
                    if adapted_key(tap) not in values:
                        values[adapted_key(tap)] = self.adapters[str(tap)](source)
                    source = values[adapted_key(tap)]
                values[step.output] = self.convs[step.module](source)
                nchw.add(step.output)
                if step.module == stop:
                    break
            elif step.kind == 'reshape':
                source = values[step.inputs[0]]
                if step.inputs[0] in nchw:
                    source = source.permute(0, 2, 3, 1)  # TFLite reshapes NHWC memory order
                values[step.output] = source.reshape(source.shape[0], *step.shape)
            else:  # concat, on NHWC tensors (the predictors' reshaped outputs)
                parts = [values[i] for i in step.inputs]
                values[step.output] = torch.cat(parts, dim=step.axis)
        return values


def decode(
    replica: Replica, boxes: torch.Tensor, logits: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """
    Decode one image's raw outputs as TFLite_Detection_PostProcess does, before its NMS.

    Returns boxes [anchors, 4] (ymin, xmin, ymax, xmax, normalized) and class scores
    [anchors, classes] (sigmoid, background column dropped).
    """
    post, anchors = replica.post, replica.anchors
    ty, tx, th, tw = boxes.unbind(-1)
    yc = ty / post['y_scale'] * anchors[:, 2] + anchors[:, 0]
    xc = tx / post['x_scale'] * anchors[:, 3] + anchors[:, 1]
    h = torch.exp(th / post['h_scale']) * anchors[:, 2]
    w = torch.exp(tw / post['w_scale']) * anchors[:, 3]
    corners = torch.stack([yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2], dim=-1)
    return corners, torch.sigmoid(logits)[:, 1:]


def detections(
    replica: Replica, boxes: torch.Tensor, logits: torch.Tensor, score_threshold: float = 1e-8
) -> list[tuple[int, float, np.ndarray]]:
    """
    Run the op's fast NMS (best class per anchor, class-agnostic) with OpenCV.

    Returns (class index, score, box ymin/xmin/ymax/xmax normalized), best first, at most
    the model's cap: what the interpreter's four output tensors hold.
    """
    corners, scores = decode(replica, boxes, logits)
    best, classes = scores.max(dim=-1)
    corners, best, classes = (t.detach().cpu().numpy() for t in (corners, best, classes))
    xywh = np.stack(
        [
            corners[:, 1],
            corners[:, 0],
            corners[:, 3] - corners[:, 1],
            corners[:, 2] - corners[:, 0],
        ],
        axis=-1,
    )
    keep = cv2.dnn.NMSBoxes(
        xywh.tolist(),
        best.tolist(),
        score_threshold,
        float(replica.post['nms_iou_threshold']),
    )  # (OpenCV's top_k would cut the candidates before the suppression, not after)
    order = sorted(np.asarray(keep).ravel().tolist(), key=lambda i: -best[i])
    order = order[: int(replica.post['max_detections'])]
    return [(int(classes[i]), float(best[i]), corners[i]) for i in order]
