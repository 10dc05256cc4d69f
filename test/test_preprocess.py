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

"""Preprocessing writes the resized image into the input tensor for each input dtype."""

from __future__ import annotations

from ai_edge_litert.interpreter import Interpreter
import cv2
from mobilenet_ssd_ros.core.model import input_spec, Model
from mobilenet_ssd_ros.core.preprocess import Preprocessor
import numpy as np
import pytest
import tflite_builder as tb


def _model(tmp_path, dtype, **quant):
    path = tmp_path / f'{np.dtype(dtype).name}.tflite'
    path.write_bytes(tb.reshape_model(height=6, width=10, dtype=dtype, **quant))
    # The reshape model is not a detector, so Model() would reject it; inspect its input
    # the way Model does and hand it to the Preprocessor directly.
    interpreter = Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    return interpreter, input_spec(path, interpreter)


@pytest.fixture
def image():
    rng = np.random.default_rng(7)
    return rng.integers(0, 256, size=(37, 53, 3), dtype=np.uint8)


def test_uint8_input_is_the_stretched_rgb(tmp_path, image):
    interpreter, spec = _model(tmp_path, np.uint8, scale=1 / 128, zero_point=128)
    Preprocessor(interpreter, spec)(image)
    got = interpreter.get_tensor(spec.index)[0]
    assert np.array_equal(got, cv2.resize(image, (10, 6), interpolation=cv2.INTER_LINEAR))


def test_int8_input_is_shifted_by_128(tmp_path, image):
    interpreter, spec = _model(tmp_path, np.int8, scale=1 / 128, zero_point=0)
    Preprocessor(interpreter, spec)(image)
    got = interpreter.get_tensor(spec.index)[0]
    expected = cv2.resize(image, (10, 6)).astype(np.int16) - 128
    assert got.dtype == np.int8 and np.array_equal(got, expected)


def test_float_input_is_normalized(tmp_path, image):
    interpreter, spec = _model(tmp_path, np.float32)
    Preprocessor(interpreter, spec)(image)
    got = interpreter.get_tensor(spec.index)[0]
    expected = (cv2.resize(image, (10, 6)).astype(np.float32) - 127.5) / 127.5
    assert got.dtype == np.float32 and np.allclose(got, expected, atol=1e-6)
    assert got.min() >= -1.0 and got.max() <= 1.0


def test_same_size_is_copied_without_resizing(model_path):
    model = Model(model_path)
    image = np.random.default_rng(1).integers(0, 256, size=(300, 300, 3), dtype=np.uint8)
    Preprocessor(model.interpreter, model.info.input)(image)
    assert np.array_equal(model.interpreter.get_tensor(model.info.input.index)[0], image)


def test_invoke_works_after_preprocessing(model_path):
    """No view of the input buffer may survive the call, or invoke() refuses to run."""
    model = Model(model_path)
    pre = Preprocessor(model.interpreter, model.info.input)
    for value in (0, 128, 255):
        pre(np.full((480, 640, 3), value, np.uint8))
        model.interpreter.invoke()  # raises if a view of the input tensor is still alive
        count = model.interpreter.get_tensor(model.info.outputs.count)
        assert count.size == 1 and 0 <= count.reshape(-1)[0] <= model.info.max_detections


@pytest.mark.parametrize('channels', [1, 3, 4])
def test_quality_alone_is_what_the_input_is_measured_as(model_path, channels):
    """An image judged without detecting (eval's per-image fog choice) sees the model input."""
    model = Model(model_path)
    pre = Preprocessor(model.interpreter, model.info.input)
    rng = np.random.default_rng(3)
    shape = (240, 320) + ((channels,) if channels > 1 else ())
    image = cv2.GaussianBlur(rng.integers(0, 256, size=shape, dtype=np.uint8), (0, 0), 4)
    before = model.interpreter.get_tensor(model.info.input.index).copy()
    alone = pre.quality(image)
    assert np.array_equal(model.interpreter.get_tensor(model.info.input.index), before)
    measured, _ = pre(image)  # what a detection measures (enhance off)
    assert alone == measured
