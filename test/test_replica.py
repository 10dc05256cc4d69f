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

"""The float replica of the detector graph against the uint8 interpreter (needs PyTorch)."""

from __future__ import annotations

from conftest import read_rgb, SHARED
import cv2
from mobilenet_ssd_ros import zoo
from mobilenet_ssd_ros.core.detection import BBox
import numpy as np
import pytest

torch = pytest.importorskip('torch', reason='PyTorch is not installed (requirements/train.txt)')
from mobilenet_ssd_ros.training.replica import detections, Replica  # noqa: E402, I100

IMAGES = sorted(
    p for p in (SHARED / 'data' / 'samples').iterdir() if p.suffix in ('.jpg', '.png', '.bmp')
)


@pytest.fixture(scope='module')
def pair():
    path = zoo.find().model_path
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path), experimental_preserve_all_tensors=True)
    interpreter.allocate_tensors()
    return Replica(path).eval(), interpreter


def _dequantized(interpreter, index: int) -> np.ndarray:
    scale, zero = interpreter.get_tensor_details()[index]['quantization']
    return (interpreter.get_tensor(index).astype(np.float32) - zero) * scale


@pytest.mark.parametrize('path', IMAGES, ids=lambda p: p.name)
def test_raw_outputs_within_quantization_error(pair, path):
    """Box encodings and logits before the post-processing op: off by under a step on average."""
    replica, interpreter = pair
    image = cv2.resize(read_rgb(path), replica.input_size[::-1])
    interpreter.set_tensor(interpreter.get_input_details()[0]['index'], image[None])
    interpreter.invoke()
    with torch.no_grad():
        boxes, logits = replica(torch.from_numpy(image[None]))
    for index, mine in ((replica.boxes_index, boxes), (replica.logits_index, logits)):
        reference = _dequantized(interpreter, index).reshape(mine.shape[1:])
        step = interpreter.get_tensor_details()[index]['quantization'][0]
        error = np.abs(mine[0].numpy() - reference)
        assert error.mean() < 1.0 * step, (path.name, error.mean() / step)
        assert np.percentile(error, 99) < 6 * step


@pytest.mark.parametrize('path', IMAGES, ids=lambda p: p.name)
def test_decoded_detections_agree_with_the_detector(pair, path):
    """
    Above 0.5, the same objects: same labels, scores within 0.05, boxes close.

    Every box edge is within 2 pixels plus 5% of the box's size.

    (IoU would be unfair to small boxes: a box encoding off by a quantization step moves an
    18x11-pixel kite by a pixel, IoU 0.80.)
    """
    replica, _ = pair
    detector = zoo.open_detector(score_threshold=0.5)
    rgb = read_rgb(path)
    expected = detector.detect(rgb).detections
    image = cv2.resize(rgb, replica.input_size[::-1])
    with torch.no_grad():
        boxes, logits = replica(torch.from_numpy(image[None]))
    found = [d for d in detections(replica, boxes[0], logits[0]) if d[1] >= 0.45]
    h, w = rgb.shape[:2]
    for det in expected:
        matches = [
            (detector.labels.name(c), s, BBox(b[1] * w, b[0] * h, b[3] * w, b[2] * h))
            for c, s, b in found
        ]
        best = max(matches, key=lambda m: m[2].iou(det.bbox), default=None)
        assert best is not None and best[0] == det.label, (path.name, det.label)
        a, b = best[2], det.bbox
        edge = max(
            abs(a.xmin - b.xmin), abs(a.ymin - b.ymin), abs(a.xmax - b.xmax), abs(a.ymax - b.ymax)
        )
        assert edge <= 2.0 + 0.05 * max(b.width, b.height), (path.name, det.label, edge)
        assert abs(best[1] - det.score) < 0.05


def test_untrained_export_reproduces_the_source(tmp_path, pair):
    """
    Replica -> uint8 flatbuffer (calibrated on 64 pool images) -> Detector: the source again.

    COCO128 mAP within 0.003 of the source's; on the sample images the same detections above
    0.5 with scores within 0.02 (a clipped predictor range would cap the scores of large
    objects, which mAP hardly sees).
    """
    from mobilenet_ssd_ros.core.detector import Detector
    from mobilenet_ssd_ros.offline.datasets import load_dataset
    from mobilenet_ssd_ros.offline.evaluate import evaluate
    from mobilenet_ssd_ros.training.export import export

    replica, _ = pair
    pool = sorted((SHARED / 'data' / 'train_pool').glob('*/images/*.jpg'))[::28][:64]
    calibration = [cv2.resize(read_rgb(p), replica.input_size[::-1]) for p in pool]
    path = export(replica, calibration, tmp_path / 'detect.tflite')
    source = zoo.find()
    exported = Detector(path, labels=source.labels_path, score_threshold=0.0)
    original = Detector(source.model_path, score_threshold=0.0)
    samples = load_dataset(SHARED / 'data' / 'coco128_val2017', 'coco128')
    images = [read_rgb(s.image_path) for s in samples]
    maps = [
        evaluate(
            samples, {s.image_path.name: d.detect(i).detections for s, i in zip(samples, images)}
        ).map
        for d in (original, exported)
    ]
    assert abs(maps[1] - maps[0]) <= 0.003, maps
    for image in IMAGES:
        rgb = read_rgb(image)
        want = [(d.label, d.score) for d in original.detect(rgb).detections if d.score >= 0.5]
        got = [(d.label, d.score) for d in exported.detect(rgb).detections][: len(want)]
        assert [label for label, _ in got] == [label for label, _ in want], image.name
        assert all(abs(a[1] - b[1]) <= 0.02 for a, b in zip(got, want)), image.name
    assert path.stat().st_size == pytest.approx(source.model_path.stat().st_size, rel=0.01)


def _export_and_run(replica, tmp_path):
    """
    Export `replica` (calibrated on 16 pool images and the test image) and run the export.

    Returns the test image and the interpreter holding every tensor of that run.
    """
    from ai_edge_litert.interpreter import Interpreter
    from mobilenet_ssd_ros.training.export import export

    image = cv2.resize(read_rgb(IMAGES[0]), replica.input_size[::-1])
    pool = sorted((SHARED / 'data' / 'train_pool').glob('*/images/*.jpg'))[::60][:16]
    calibration = [cv2.resize(read_rgb(p), replica.input_size[::-1]) for p in pool] + [image]
    path = export(replica, calibration, tmp_path / 'detect.tflite')
    interpreter = Interpreter(model_path=str(path), experimental_preserve_all_tensors=True)
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]['index'], image[None])
    interpreter.invoke()
    return image, interpreter


def _exported_outputs(interpreter, replica, outputs):
    """Pair each raw output (boxes, logits) of a replica run with the export's, and its step."""
    for index, mine in zip((replica.boxes_index, replica.logits_index), outputs, strict=True):
        exported = _dequantized(interpreter, index).reshape(mine.shape[1:])
        yield mine[0].numpy(), exported, interpreter.get_tensor_details()[index]['quantization'][0]


def test_export_writes_changed_weights(tmp_path, pair):
    """
    A replica whose weights changed exports a model that computes what the replica does.

    The first convolution and one class predictor are rescaled; the exported model's raw
    outputs follow the changed replica within quantization error, not the source.
    """
    import copy

    replica = copy.deepcopy(pair[0])
    with torch.no_grad():
        first = replica.convs['conv0']
        first.weight.mul_(0.8)
        first.bias.add_(0.1)
        predictor = replica.convs[replica_name_of(replica, replica.logits_index)]
        predictor.weight.mul_(1.5)
    image, interpreter = _export_and_run(replica, tmp_path)
    with torch.no_grad():
        changed = replica(torch.from_numpy(image[None]))
        original = pair[0](torch.from_numpy(image[None]))
    compared = _exported_outputs(interpreter, replica, changed)
    for (mine, exported, step), before in zip(compared, original, strict=True):
        error = np.abs(mine - exported).mean()
        assert error < 1.0 * step, error / step
        assert np.abs(before[0].numpy() - mine).mean() > 2 * error  # a real change


def test_fake_quantized_replica_computes_what_the_export_writes(tmp_path, pair):
    """
    Weights moved off the uint8 grid (as fine-tuning moves them) are rounded by the export.

    The fake-quantized replica computes the exported model; the plain one does not. Every
    weight gets noise of up to 0.45 of its tensor's step: the export rounds it all away.
    """
    import copy

    replica = copy.deepcopy(pair[0])
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for conv in replica.convs.values():
            step = conv.grid[0]
            noise = torch.rand(conv.weight.shape, generator=generator) * 0.9 - 0.45
            conv.weight.add_(noise * step)
    image, interpreter = _export_and_run(replica.fake_quantize(), tmp_path)
    with torch.no_grad():
        rounded = replica(torch.from_numpy(image[None]))
        plain = replica.fake_quantize(False)(torch.from_numpy(image[None]))
    compared = _exported_outputs(interpreter, replica, rounded)
    for (mine, exported, step), noisy in zip(compared, plain, strict=True):
        error = np.abs(mine - exported).mean()
        assert error < 1.0 * step, error / step
        assert np.abs(noisy[0].numpy() - exported).mean() > 2 * error


@pytest.mark.parametrize('path', IMAGES[:4], ids=lambda p: p.name)
def test_uint8_teacher_reads_the_interpreters_raw_outputs(pair, path):
    """The uint8 teacher gives the post-processing op's inputs, in the replica's layout."""
    from mobilenet_ssd_ros.training.teacher import Uint8Teacher

    replica, interpreter = pair
    teacher = Uint8Teacher(replica.source, replica.boxes_index, replica.logits_index)
    image = cv2.resize(read_rgb(path), replica.input_size[::-1])
    boxes, logits = teacher(np.stack([image, image[:, ::-1]]))
    with torch.no_grad():
        mine = replica(torch.from_numpy(np.stack([image, np.ascontiguousarray(image[:, ::-1])])))
    for index, theirs, ours in (
        (replica.boxes_index, boxes, mine[0]),
        (replica.logits_index, logits, mine[1]),
    ):
        assert theirs.shape == ours.shape
        step = interpreter.get_tensor_details()[index]['quantization'][0]
        assert float((theirs - ours).abs().mean()) < 1.0 * step
    assert not torch.equal(boxes[0], boxes[1])  # each image its own outputs


def replica_name_of(replica, concat_index: int) -> str:
    """Name the convolution of the first class predictor (an input of the logits concat)."""
    concat = next(s for s in replica.steps if s.output == concat_index)
    reshape = next(s for s in replica.steps if s.output == concat.inputs[0])
    return next(n for n, t in replica.conv_tensors.items() if t[3] == reshape.inputs[0])
