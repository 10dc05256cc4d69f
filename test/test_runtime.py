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

"""Runtime selection order: LiteRT, then tflite_runtime, then TensorFlow."""

from __future__ import annotations

import sys
import types

from ai_edge_litert import interpreter as litert
from mobilenet_ssd_ros.core.model import Model
from mobilenet_ssd_ros.core.runtime import find_runtime, RuntimeNotFoundError
import pytest


def _installed(monkeypatch, module_name: str):
    """Make `module_name` importable as a runtime backed by LiteRT's real Interpreter."""
    module = types.ModuleType(module_name)
    module.Interpreter = litert.Interpreter
    module.OpResolverType = litert.OpResolverType
    monkeypatch.setitem(sys.modules, module_name, module)
    parent = module_name.split('.')[0]
    if parent != module_name:
        monkeypatch.setitem(sys.modules, parent, types.ModuleType(parent))


def _missing(monkeypatch, *module_names: str):
    for name in module_names:
        monkeypatch.setitem(sys.modules, name, None)  # import raises ImportError


def test_litert_is_preferred(monkeypatch):
    _installed(monkeypatch, 'tflite_runtime.interpreter')
    assert find_runtime().name == 'ai_edge_litert'


def test_falls_back_to_tflite_runtime(monkeypatch, model_path):
    _missing(monkeypatch, 'ai_edge_litert.interpreter')
    _installed(monkeypatch, 'tflite_runtime.interpreter')
    runtime = find_runtime()
    assert runtime.name == 'tflite_runtime'
    assert Model(model_path, runtime=runtime).info.runtime == 'tflite_runtime'


def test_falls_back_to_tensorflow(monkeypatch):
    _missing(monkeypatch, 'ai_edge_litert.interpreter', 'tflite_runtime.interpreter')
    _installed(monkeypatch, 'tensorflow.lite')
    assert find_runtime().name == 'tensorflow'


def test_none_installed_says_what_was_tried(monkeypatch):
    _missing(
        monkeypatch, 'ai_edge_litert.interpreter', 'tflite_runtime.interpreter', 'tensorflow.lite'
    )
    with pytest.raises(
        RuntimeNotFoundError,
        match='tried ai_edge_litert.interpreter.*tflite_runtime.*tensorflow.lite'
        '.*pip install ai-edge-litert',
    ):
        find_runtime()


def test_explicit_choice(monkeypatch):
    with pytest.raises(ValueError, match='unknown TFLite runtime'):
        find_runtime('onnx')
    _missing(monkeypatch, 'tflite_runtime.interpreter')
    with pytest.raises(RuntimeNotFoundError):
        find_runtime('tflite_runtime')
