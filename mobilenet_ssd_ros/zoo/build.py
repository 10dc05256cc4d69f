"""
Build a pretrained SSD MobileNetV1 for another input resolution by editing its graph.

MobileNet's resolution multiplier runs the *same* weights on a smaller or larger input.
SSD MobileNetV1 is fully convolutional up to its box predictors, so what depends on
the input size is only:
- the input shape,
- the RESHAPE ops that flatten each feature map's box predictions ([1, H*W*A, ...]),
- the anchors (one set per feature-map cell) held as a constant, and the number of
  anchors TFLite_Detection_PostProcess expects.
This builder edits exactly those in the flatbuffer: the input becomes [1, R, R, 3], the
reshapes take -1 for the anchor dimension, the anchors are regenerated for the new
feature maps (core/anchors.py: exact at the source's resolution, byte for byte; at other
sizes kept at their trained pixel size and centre offset, see anchors.for_resolution)
and quantized like the source's, and `--max-detections` rewrites the post-processing
op's options. Every weight and every quantization parameter stays the source's: the int8
weights do not depend on the input size, and the activation ranges were calibrated on
COCO images, which the new resolution sees too. So no TensorFlow, no retraining and no
re-quantization are needed, and the rebuild at the source's own size reproduces it exactly.

Any MobileNetV1-SSD flatbuffer with the same post-processing op can be the source
(`--source FILE`, or `--alpha A` for the zoo's release of that width). A built model
inherits the width measured from its source's graph, and its folder is named by that
width, the resolution and the cap, so sources of different widths never share a folder.
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

import hashlib
import math
from pathlib import Path
import shutil
import tempfile

import flatbuffers
from flatbuffers import flexbuffers
import numpy as np

from .graph import builtin_code, graph_stats, postprocess_options, schema
from .lookup import (
    Catalogue,
    format_pair,
    MANIFEST,
    ModelNotAvailableError,
    ResolvedModel,
    ZooEntry,
)
from .metadata import MetadataError, ModelMetadata
from ..core import anchors
from ..core.model import POSTPROCESS_OP_NAME
from ..core.runtime import make_interpreter
from ..places import cache_dir

MIN_RESOLUTION, MAX_RESOLUTION = 32, 1024
POSTPROCESS_OP = POSTPROCESS_OP_NAME.encode()


class BuildError(ValueError):
    """A build request that cannot be met, with the reason."""


def check_resolution(resolution: int) -> None:
    if not isinstance(resolution, int) or not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION:
        raise BuildError(
            f'resolution must be an integer from {MIN_RESOLUTION} to {MAX_RESOLUTION} pixels '
            '(SSD MobileNetV1 needs at least 32 for its stride-32 feature map), got '
            f'{resolution!r}'
        )


def edit_model(content: bytes, resolution: int, max_detections: int | None = None) -> bytes:
    """Edit the source model's flatbuffer for a resolution x resolution input."""
    fb = schema()
    check_resolution(resolution)
    model = fb.ModelT.InitFromPackedBuf(content, 0)
    graph = model.subgraphs[0]
    codes = model.operatorCodes
    post = [op for op in graph.operators if codes[op.opcodeIndex].customCode == POSTPROCESS_OP]
    if len(post) != 1 or len(graph.inputs) != 1:
        raise BuildError(
            'the source is not an SSD model with one image input and TFLite_Detection_PostProcess'
        )
    post = post[0]
    anchor_tensor = graph.tensors[post.inputs[2]]
    if model.buffers[anchor_tensor.buffer].data is None or len(anchor_tensor.shape) != 2:
        raise BuildError("the post-processing op's anchors are not a constant [N, 4] tensor")
    image = graph.tensors[graph.inputs[0]]
    trained_at = int(image.shape[1])
    if anchor_tensor.shape[0] != anchors.count(trained_at) or image.shape[1] != image.shape[2]:
        raise BuildError(
            "the source's anchors are not those of SSD MobileNetV1's six-map generator "
            'for its square input'
        )

    image.shape = np.array([1, resolution, resolution, image.shape[3]], np.int32)
    image.shapeSignature = None

    # Reshapes that flatten the box predictions: the anchor dimension becomes -1.
    for op in graph.operators:
        if builtin_code(codes[op.opcodeIndex]) != fb.BuiltinOperator.RESHAPE:
            continue
        new_shape = [int(v) for v in op.builtinOptions.newShape]
        if len(new_shape) >= 3:
            new_shape[1] = -1
            op.builtinOptions.newShape = new_shape
            if len(op.inputs) > 1 and op.inputs[1] >= 0:
                shape_tensor = graph.tensors[op.inputs[1]]
                model.buffers[shape_tensor.buffer].data = np.array(new_shape, np.int32).view(
                    np.uint8
                )

    # New anchors, quantized like the source's.
    q = anchor_tensor.quantization
    boxes = anchors.for_resolution(resolution, trained_at)
    dtype = {
        fb.TensorType.UINT8: np.uint8,
        fb.TensorType.INT8: np.int8,
        fb.TensorType.FLOAT32: np.float32,
    }[anchor_tensor.type]
    if dtype is np.float32:
        data = boxes
    else:
        info = np.iinfo(dtype)
        # Keep the source's step unless larger anchors (small inputs) would be clipped.
        scale = max(float(q.scale[0]), float(boxes.max()) / (info.max - int(q.zeroPoint[0])))
        q.scale = np.array([scale], np.float32)
        data = np.clip(np.round(boxes / scale) + q.zeroPoint[0], info.min, info.max).astype(dtype)
    model.buffers[anchor_tensor.buffer].data = (
        np.ascontiguousarray(data).view(np.uint8).reshape(-1)
    )
    anchor_tensor.shape = np.array(boxes.shape, np.int32)

    if max_detections is not None:
        if max_detections < 1:
            raise BuildError(f'max_detections must be at least 1, got {max_detections}')
        options = postprocess_options(model)
        options['max_detections'] = int(max_detections)
        post.customOptions = np.frombuffer(flexbuffers.Dumps(options), np.uint8)

    edited = pack(fb, model)
    return _with_static_shapes(fb, edited)


def pack(fb, model) -> bytes:
    """Serialize a ModelT (object API) as a .tflite flatbuffer."""
    builder = flatbuffers.Builder(0)
    builder.Finish(model.Pack(builder), file_identifier=b'TFL3')
    return bytes(builder.Output())


def _with_static_shapes(fb, content: bytes) -> bytes:
    """
    Let the runtime propagate the new shapes.

    Then store them in the file, so that every tool reading the graph (and graph_stats) sees the
    real tensor sizes.
    """
    interpreter = make_interpreter(
        content, num_threads=1, use_xnnpack=False
    )  # XNNPACK wants static shapes
    interpreter.allocate_tensors()
    shapes = {d['index']: d['shape'] for d in interpreter.get_tensor_details()}
    model = fb.ModelT.InitFromPackedBuf(content, 0)
    for index, tensor in enumerate(model.subgraphs[0].tensors):
        if index in shapes and len(shapes[index]):
            tensor.shape = np.array(shapes[index], np.int32)
            tensor.shapeSignature = None
    return pack(fb, model)


def model_name(alpha: float, resolution: int, max_detections: int | None = None) -> str:
    """Name a built model: width, resolution and (if changed) the cap."""
    return f'ssd_mobilenet_v1_{alpha:g}_{resolution}_quant_coco' + (
        f'_max{max_detections}' if max_detections else ''
    )


def source_for_alpha(alpha: float) -> ResolvedModel:
    """Return the release of width `alpha` (a manifest entry) that is on this machine."""
    catalogue = Catalogue()
    releases = [e for e in MANIFEST if math.isclose(e.alpha, alpha)]
    for entry in releases:
        found = catalogue.locate(entry)
        if found:
            return found
    have = (
        ', '.join(format_pair(e.alpha, e.resolution) for e in MANIFEST if catalogue.locate(e))
        or 'none'
    )
    if not releases:
        raise BuildError(f'no source of width {alpha:g}: no release has width {alpha:g}')
    raise ModelNotAvailableError(
        f'no source of width {alpha:g}: {releases[0].name} is not on this machine; releases '
        f'here: {have}',
        'get it',
        ('models', '--download'),
    )


def source_file(path: str | Path) -> ResolvedModel:
    """Use an explicit source flatbuffer; its labels are the label file beside it, if any."""
    path = Path(path)
    if not path.is_file():
        raise BuildError(f'{path}: no such source model')
    labels = next(
        (
            path.parent / n
            for n in ('labelmap.txt', 'labels.txt', 'coco_labels.txt')
            if (path.parent / n).is_file()
        ),
        None,
    )
    return ResolvedModel(
        ZooEntry(name=path.stem, alpha=math.nan, resolution=0, model_file=path.name), path, labels
    )


def build(
    resolution: int,
    *,
    max_detections: int | None = None,
    output: str | Path | None = None,
    source: ResolvedModel | None = None,
) -> ModelMetadata:
    """
    Build and install one model into `output` (default: the zoo cache directory).

    The source defaults to the default release.
    """
    check_resolution(resolution)
    source = source or source_for_alpha(MANIFEST[0].alpha)
    content = source.model_path.read_bytes()
    try:
        source_stats = graph_stats(source.model_path)
    except (ValueError, IndexError, TypeError) as exc:
        raise BuildError(f'{source.model_path}: not a TFLite model graph ({exc})') from exc
    edited = edit_model(content, resolution, max_detections)
    fb = schema()
    source_graph = fb.ModelT.InitFromPackedBuf(content, 0)
    cap = max_detections or postprocess_options(source_graph)['max_detections']
    alpha = source_stats.width_multiplier
    name = model_name(alpha, resolution, max_detections)
    folder = Path(output or cache_dir()) / name
    source_sha = hashlib.sha256(content).hexdigest()
    _refuse_other_source(folder, source_sha)
    with tempfile.TemporaryDirectory() as tmp:
        model_path = Path(tmp) / 'detect.tflite'
        model_path.write_bytes(edited)
        stats = graph_stats(model_path)
        info = ModelMetadata(
            name=name,
            alpha=alpha,
            resolution=resolution,
            sha256=hashlib.sha256(edited).hexdigest(),
            max_detections=int(cap),
            macs=stats.macs,
            params=stats.params,
            source=source.entry.name,
            details={
                'first_conv_channels': stats.first_conv_channels,  # alpha x 32, measured
                'anchors': anchors.count(resolution),
                'source_resolution': int(
                    source_graph.subgraphs[0].tensors[source_graph.subgraphs[0].inputs[0]].shape[1]
                ),
                'source_sha256': source_sha,
                'calibration': 'none: weights and quantization parameters of the source '
                '(COCO-calibrated) reused',
                'input_dtype': 'uint8',
            },
        )
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(model_path, folder / info.model_file)
    if source.labels_path is not None:
        shutil.copy(source.labels_path, folder / info.labels_file)
    info.write(folder)
    return info


def _refuse_other_source(folder: Path, source_sha256: str) -> None:
    """Refuse to overwrite silently a folder built from another source of the same width."""
    try:
        previous = ModelMetadata.read(folder).details.get('source_sha256')
    except MetadataError:
        return
    if previous and previous != source_sha256:
        raise BuildError(
            f'{folder} holds a model built from another source (sha256 {previous[:12]}...); '
            'remove it or build into another --output'
        )
