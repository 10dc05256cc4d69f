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

"""The detector core against the real model and the shared sample images."""

from __future__ import annotations

import time

from ai_edge_litert.interpreter import Interpreter
from conftest import read_rgb, SAMPLES, SHARED
import cv2
from mobilenet_ssd_ros import zoo
from mobilenet_ssd_ros.core.detection import BBox
from mobilenet_ssd_ros.core.detector import Detector, FrameSettings
from mobilenet_ssd_ros.core.postprocess import DetectionFilter
from mobilenet_ssd_ros.core.runtime import default_num_threads
from mobilenet_ssd_ros.offline.datasets import load_dataset
import numpy as np
import pytest

SAMPLE_IMAGES = sorted(p for p in SAMPLES.rglob('*') if p.suffix in ('.bmp', '.jpg', '.png'))

# Boxes drawn around the objects by eye (pixels of the original image: xmin, ymin, xmax, ymax).
# (Grace Hopper fills her whole portrait, so a box for her would check nothing.)
EXPECTED = {
    'pets.jpg': [('dog', BBox(112, 15, 255, 296)), ('dog', BBox(345, 160, 497, 372))],
    'automl_video_ondevice_traffic_frames_0001.bmp': [('car', BBox(50, 148, 128, 202))],
    'automl_video_ondevice_traffic_frames_0002.bmp': [('car', BBox(40, 148, 121, 202))],
    'automl_video_ondevice_traffic_frames_0003.bmp': [('car', BBox(27, 147, 110, 201))],
}


def naive_detect(model_path, rgb):
    """
    Detect with the textbook interpreter call.

    Resize, expand_dims, set_tensor, invoke, get_tensor, then a Python loop that scales each box by
    the image size.
    """
    interpreter = Interpreter(model_path=str(model_path), num_threads=default_num_threads())
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]
    h, w = rgb.shape[:2]
    resized = cv2.resize(rgb, (int(inp['shape'][2]), int(inp['shape'][1])))
    interpreter.set_tensor(inp['index'], np.expand_dims(resized, 0))
    interpreter.invoke()
    out = {d['name']: interpreter.get_tensor(d['index']) for d in interpreter.get_output_details()}
    boxes = out['TFLite_Detection_PostProcess'][0]
    classes = out['TFLite_Detection_PostProcess:1'][0]
    scores = out['TFLite_Detection_PostProcess:2'][0]
    count = int(out['TFLite_Detection_PostProcess:3'][0])
    results = []
    for i in range(count):
        ymin, xmin, ymax, xmax = boxes[i]
        results.append(
            (
                int(classes[i]),
                float(scores[i]),
                (max(0.0, xmin) * w, max(0.0, ymin) * h, min(1.0, xmax) * w, min(1.0, ymax) * h),
            )
        )
    return sorted(results, key=lambda r: -r[1])


def assert_same(ours, naive):
    assert len(ours) == len(naive)
    for d, (cls, score, box) in zip(ours, naive):
        assert d.class_id == cls
        assert d.score == pytest.approx(score, abs=1e-6)
        assert np.allclose([d.bbox.xmin, d.bbox.ymin, d.bbox.xmax, d.bbox.ymax], box, atol=0.5)


@pytest.mark.parametrize('path', SAMPLE_IMAGES, ids=lambda p: p.name)
def test_parity_with_naive_interpreter_call(detector, model_path, path):
    rgb = read_rgb(path)
    ours = detector.detect(rgb, FrameSettings(DetectionFilter(score_threshold=0.0))).detections
    assert len(ours) > 0
    assert_same(ours, naive_detect(model_path, rgb))


def pedestrian(name: str):
    """Load a Penn-Fudan image with one annotated pedestrian: (RGB, the annotated box)."""
    sample = next(
        s
        for s in load_dataset(SHARED / 'data' / 'pennfudan_dev', 'pennfudan')
        if s.image_path.name == name
    )
    (truth,) = sample.objects
    return read_rgb(sample.image_path), truth.bbox


@pytest.mark.parametrize('size', [(640, 480), (1280, 675), (300, 300), (480, 640), (333, 1000)])
def test_box_mapping_on_other_sizes(detector, model_path, size):
    """
    Same content stretched to other sizes.

    Boxes follow the image's own width and height (a swapped axis or a letterbox would move them
    off the annotated pedestrian, who stands in the right third of the frame), and match the naive
    call.
    """
    original, truth = pedestrian('FudanPed00010.png')
    rgb = cv2.resize(original, size)
    ours = detector.detect(rgb, FrameSettings(DetectionFilter(score_threshold=0.0))).detections
    assert_same(ours, naive_detect(model_path, rgb))
    person = next(d for d in ours if d.label == 'person')
    sx, sy = size[0] / original.shape[1], size[1] / original.shape[0]
    expected = BBox(truth.xmin * sx, truth.ymin * sy, truth.xmax * sx, truth.ymax * sy)
    assert person.bbox.iou(expected) > 0.8
    for d in ours:
        assert 0 <= d.bbox.xmin <= d.bbox.xmax <= size[0]
        assert 0 <= d.bbox.ymin <= d.bbox.ymax <= size[1]


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_known_content(detector, name):
    detections = detector.detect(
        read_rgb(SAMPLES / name), FrameSettings(DetectionFilter(score_threshold=0.5))
    ).detections
    for label, box in EXPECTED[name]:
        best = max((d.bbox.iou(box) for d in detections if d.label == label), default=0.0)
        assert best > 0.5, f'no {label} near {box} in {name}: {detections}'


def test_grayscale_and_rgba_inputs_give_the_rgb_result(detector):
    rgb = read_rgb(SAMPLES / 'pets.jpg')
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    keep = FrameSettings(DetectionFilter(score_threshold=0.3))
    from_gray = detector.detect(gray, keep).detections
    assert detector.detect(gray[..., None], keep).detections == from_gray
    expected_gray = detector.detect(cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB), keep).detections
    assert [(d.class_id, d.score) for d in from_gray] == [
        (d.class_id, d.score) for d in expected_gray
    ]
    rgba = cv2.cvtColor(rgb, cv2.COLOR_RGB2RGBA)
    assert detector.detect(rgba, keep).detections == detector.detect(rgb, keep).detections


def test_filter_threshold_classes_and_max(detector):
    rgb = read_rgb(SAMPLES / 'grace_hopper.bmp')
    everything = detector.detect(
        rgb, FrameSettings(DetectionFilter(score_threshold=0.0))
    ).detections
    assert len(everything) == 10  # the model's cap
    high = detector.detect(rgb, FrameSettings(DetectionFilter(score_threshold=0.6))).detections
    assert high and all(d.score >= 0.6 for d in high) and len(high) < len(everything)
    ties = detector.detect(rgb, detector.settings(0.0, classes=['tie'])).detections
    assert ties and {d.label for d in ties} == {'tie'}
    assert (
        len(detector.detect(rgb, FrameSettings(DetectionFilter(0.0, max_detections=3))).detections)
        == 3
    )
    scores = [d.score for d in everything]
    assert scores == sorted(scores, reverse=True)


def test_unknown_class_names_are_rejected_with_the_valid_ones(detector):
    with pytest.raises(KeyError, match="unknown label.*'persn'.*valid labels:.*person"):
        detector.settings(0.5, classes=['persn'])


def test_invalid_filter_values():
    with pytest.raises(ValueError, match=r'score_threshold must be in \[0, 1\]'):
        DetectionFilter(score_threshold=1.5)
    with pytest.raises(ValueError, match='max_detections'):
        DetectionFilter(max_detections=-1)


@pytest.mark.parametrize(
    'bad, message',
    [
        (np.zeros((0, 10, 3), np.uint8), 'empty image'),
        (np.zeros((10, 10, 2), np.uint8), 'expected an image of shape'),
        (np.zeros((10, 10, 3), np.float32), 'expected a uint8 image'),
        (np.zeros((4, 10, 10, 3), np.uint8), 'expected an image of shape'),
    ],
)
def test_bad_images_are_rejected_clearly(detector, bad, message):
    with pytest.raises(ValueError, match=message):
        detector.detect(bad)


def test_timings_account_for_the_call(detector):
    """
    The stages are timed inside detect().

    Together they fit in the wall time of the call seen from outside, and invoke() is the bulk of
    it (a stage timed around the wrong code, or in the wrong unit, breaks one of the two).
    """
    rgb = read_rgb(SAMPLES / 'cat.bmp')
    detector.detect(rgb)
    invoke_dominates = 0
    for _ in range(5):  # a majority, so that one preempted stage on a busy machine does not decide
        start = time.perf_counter()
        t = detector.detect(rgb).timings
        wall_ms = (time.perf_counter() - start) * 1e3
        assert t.inference_ms > 0 and t.preprocess_ms > 0 and t.postprocess_ms > 0
        assert t.total_ms <= wall_ms
        invoke_dominates += t.inference_ms > t.preprocess_ms + t.postprocess_ms
    assert invoke_dominates >= 3


def test_default_detector_comes_from_the_zoo(monkeypatch, tmp_path):
    monkeypatch.setenv('MOBILENET_SSD_MODEL_DIR', str(tmp_path / 'empty-cache'))
    default = zoo.open_detector()
    assert (default.model_id, default.alpha) == ('ssd_mobilenet_v1_1.0_quant_coco', 0.75)
    assert default.input_size == (300, 300)
    assert default.labels.name(0) == 'person'


def test_xnnpack_off_gives_the_same_detections(model_path):
    rgb = read_rgb(SAMPLES / 'pets.jpg')
    keep = FrameSettings(DetectionFilter(score_threshold=0.3))
    with_xnn = Detector(model_path).detect(rgb, keep).detections
    without = Detector(model_path, use_xnnpack=False, num_threads=1).detect(rgb, keep).detections
    assert [d.label for d in with_xnn] == [d.label for d in without]
    for a, b in zip(with_xnn, without):
        assert a.bbox.iou(b.bbox) > 0.95
