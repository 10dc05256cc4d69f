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

"""
Build and edit real .tflite flatbuffers for tests, with the schema LiteRT ships.

Tests need models that the shared folder does not have (a classifier, an Edge TPU build,
a TF2-signature detector, float and int8 inputs). They are made here from the schema's
object API, so the runtime loads them exactly as it would load a converter's output.
"""

from __future__ import annotations

from ai_edge_litert import schema_py_generated as fb
import flatbuffers
import numpy as np

_TYPES = {
    np.uint8: fb.TensorType.UINT8,
    np.int8: fb.TensorType.INT8,
    np.float32: fb.TensorType.FLOAT32,
    np.int32: fb.TensorType.INT32,
}


def pack(model: fb.ModelT) -> bytes:
    builder = flatbuffers.Builder(0)
    builder.Finish(model.Pack(builder), file_identifier=b'TFL3')
    return bytes(builder.Output())


def unpack(content: bytes) -> fb.ModelT:
    return fb.ModelT.InitFromPackedBuf(content, 0)


def _tensor(
    name: str, shape: list[int], dtype, buffer: int, scale=None, zero_point=None
) -> fb.TensorT:
    t = fb.TensorT()
    t.name, t.shape, t.type, t.buffer = name.encode(), shape, _TYPES[dtype], buffer
    if scale is not None:
        q = fb.QuantizationParametersT()
        q.scale, q.zeroPoint = [scale], [zero_point]
        t.quantization = q
    return t


def reshape_model(
    height: int = 8, width: int = 8, dtype=np.uint8, output_shape=None, scale=None, zero_point=None
) -> bytes:
    """Build input [1, H, W, 3] -> RESHAPE -> output (default [1, H*W*3], a classifier's shape)."""
    output_shape = output_shape or [1, height * width * 3]
    code = fb.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = fb.BuiltinOperator.RESHAPE
    code.version = 1
    options = fb.ReshapeOptionsT()
    options.newShape = output_shape
    shape_buffer = fb.BufferT()
    shape_buffer.data = np.array(output_shape, np.int32).tobytes()
    op = fb.OperatorT()
    op.opcodeIndex, op.inputs, op.outputs = 0, [0, 2], [1]
    op.builtinOptionsType, op.builtinOptions = fb.BuiltinOptions.ReshapeOptions, options
    sub = fb.SubGraphT()
    sub.tensors = [
        _tensor('input', [1, height, width, 3], dtype, 0, scale, zero_point),
        _tensor('output', output_shape, dtype, 0, scale, zero_point),
        _tensor('shape', [len(output_shape)], np.int32, 1),
    ]
    sub.inputs, sub.outputs, sub.operators = [0], [1], [op]
    model = fb.ModelT()
    model.version, model.operatorCodes, model.subgraphs = 3, [code], [sub]
    model.buffers = [fb.BufferT(), shape_buffer]
    model.description = b'test reshape model'
    return pack(model)


def with_edgetpu_op(content: bytes) -> bytes:
    """Add the custom op code every Edge TPU compiled model carries."""
    model = unpack(content)
    code = fb.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = fb.BuiltinOperator.CUSTOM
    code.customCode = b'edgetpu-custom-op'
    code.version = 1
    model.operatorCodes.append(code)
    return pack(model)


def as_tf2_signature_model(content: bytes) -> bytes:
    """
    Re-export the postprocess-op detector the way the TF2 object detection API does.

    Outputs named StatefulPartitionedCall:N in another order, identified only by the
    `serving_default` signature's output names.
    """
    model = unpack(content)
    sub = model.subgraphs[0]
    boxes, classes, scores, count = sub.outputs
    order = [scores, boxes, count, classes]
    for n, index in enumerate(order):
        sub.tensors[index].name = f'StatefulPartitionedCall:{n}'.encode()
    sub.outputs = order
    sig = fb.SignatureDefT()
    sig.signatureKey = b'serving_default'
    sig.subgraphIndex = 0
    inp = fb.TensorMapT()
    inp.name, inp.tensorIndex = b'input', sub.inputs[0]
    sig.inputs = [inp]
    sig.outputs = []
    for name, index in (
        ('detection_boxes', boxes),
        ('detection_classes', classes),
        ('detection_scores', scores),
        ('num_detections', count),
    ):
        m = fb.TensorMapT()
        m.name, m.tensorIndex = name.encode(), index
        sig.outputs.append(m)
    model.signatureDefs = [sig]
    return pack(model)
