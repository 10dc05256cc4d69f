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

"""Model inspection: what the model says it needs, and clear errors for what it is not."""

from __future__ import annotations

from conftest import read_rgb, SAMPLES
from mobilenet_ssd_ros.core.detector import Detector, FrameSettings
from mobilenet_ssd_ros.core.model import Model, ModelError
from mobilenet_ssd_ros.core.postprocess import DetectionFilter
import numpy as np
import pytest
import tflite_builder as tb


def test_inspects_the_pretrained_model(model_path):
    info = Model(model_path).info
    assert (info.input.height, info.input.width, info.input.channels) == (300, 300, 3)
    assert info.input.dtype == np.uint8
    assert info.input.scale == pytest.approx(0.0078125) and info.input.zero_point == 128
    assert info.outputs.convention == 'postprocess_op'
    assert info.max_detections == 10
    assert info.sha256 == 'e4b118e5e4531945de2e659742c7c590f7536f8d0ed26d135abcfe83b4779d13'


def test_tf2_signature_outputs_are_found_by_name(tmp_path, model_path, model_bytes):
    """
    Outputs renamed and reordered as the TF2 export does.

    Only the signature tells which is which, and detections must not change.
    """
    tf2 = tmp_path / 'tf2.tflite'
    tf2.write_bytes(tb.as_tf2_signature_model(model_bytes))
    labels = model_path.parent / 'labelmap.txt'
    info = Model(tf2).info
    assert info.outputs.convention == 'tf2_signature'
    rgb = read_rgb(SAMPLES / 'pets.jpg')
    keep = FrameSettings(DetectionFilter(score_threshold=0.0))
    assert (
        Detector(tf2, labels=labels).detect(rgb, keep).detections
        == Detector(model_path).detect(rgb, keep).detections
    )


def _write(tmp_path, name, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    'make, message',
    [
        (lambda t, m: t / 'absent.tflite', 'model file not found'),
        (lambda t, m: t, 'not a file'),
        (lambda t, m: _write(t, 'empty.tflite', b''), "no 'TFL3' flatbuffer identifier.*empty"),
        (
            lambda t, m: _write(t, 'text.tflite', b'<html>404 not found</html>'),
            'not a TensorFlow Lite model',
        ),
        (lambda t, m: _write(t, 'model.zip', b'PK\x03\x04' + b'\0' * 64), 'zip archive'),
        (lambda t, m: _write(t, 'truncated.tflite', m[:100_000]), 'cannot load it'),
        (lambda t, m: _write(t, 'edgetpu.tflite', tb.with_edgetpu_op(m)), 'Edge TPU'),
        (
            lambda t, m: _write(t, 'classifier.tflite', tb.reshape_model()),
            r'image classifier.*\[1, 192\]',
        ),
        (
            lambda t, m: _write(t, 'other.tflite', tb.reshape_model(output_shape=[1, 8, 24])),
            'not an SSD detection model.*found: output \\[1, 8, 24\\]',
        ),
    ],
)
def test_bad_models_name_the_file_and_the_reason(tmp_path, model_bytes, make, message):
    path = make(tmp_path, model_bytes)
    with pytest.raises(ModelError, match=message) as info:
        Model(path)
    assert str(path) in str(info.value)


def _sparse(path, size: int, head: bytes = b''):
    """Make a file of `size` bytes that takes no disk space (a hole after `head`)."""
    with open(path, 'wb') as f:
        f.write(head)
        f.truncate(size)
    return path


def test_huge_and_special_files_are_rejected_before_they_are_read(tmp_path):
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(
        ModelError, match=r'not a model this package loads \(1024 MB; the limit is 256 MB\)'
    ):
        Model(_sparse(tmp_path / 'huge.log', 1 << 30))
    with pytest.raises(ModelError, match='not a TensorFlow Lite model'):
        Model(_sparse(tmp_path / 'big.log', 100 << 20))
    with pytest.raises(ModelError, match='300 MB; the limit is 256 MB'):
        Model(_sparse(tmp_path / 'huge.tflite', 300 << 20, b'\0\0\0\0TFL3'))
    assert (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000
    )  # kB: nothing large was read
    with pytest.raises(ModelError, match='cannot read the model file: Input/output error'):
        Model('/proc/self/mem')
    with pytest.raises(
        ModelError, match=r'cannot open the model file: File name too long'
    ) as info:
        Model('a' * 5000)
    assert len(str(info.value)) < 300  # the path is shortened in the message
