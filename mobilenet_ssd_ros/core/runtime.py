"""
Choose the TensorFlow Lite interpreter that is installed.

Three packages ship the same `Interpreter` API: Google's current `ai-edge-litert`
(works with numpy 2 and new Pythons), the older `tflite-runtime` (still what many
Raspberry Pi images have), and full TensorFlow. They are tried in that order so that the
small runtime wins wherever it exists, and the error says what was tried when none loads.
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
import importlib
import os
from types import ModuleType
from typing import Any

# (runtime name, module that holds `Interpreter`), in order of preference.
RUNTIME_MODULES: tuple[tuple[str, str], ...] = (
    ('ai_edge_litert', 'ai_edge_litert.interpreter'),
    ('tflite_runtime', 'tflite_runtime.interpreter'),
    ('tensorflow', 'tensorflow.lite'),
)


class RuntimeNotFoundError(ImportError):
    """No TensorFlow Lite runtime could be imported."""


@dataclass(frozen=True)
class Runtime:
    """An importable TFLite runtime: its name and its interpreter module."""

    name: str
    module: ModuleType

    @property
    def interpreter_class(self) -> type:
        return self.module.Interpreter

    def op_resolver_without_delegates(self) -> Any:
        """
        Return the resolver that skips the default (XNNPACK) delegate.

        `tflite_runtime` and LiteRT expose `OpResolverType` on the interpreter module,
        TensorFlow under `tf.lite.experimental`.
        """
        holder = getattr(self.module, 'OpResolverType', None)
        if holder is None:
            holder = self.module.experimental.OpResolverType
        return holder.BUILTIN_WITHOUT_DEFAULT_DELEGATES


def find_runtime(preferred: str | None = None) -> Runtime:
    """Import the first available runtime (or exactly `preferred`, if given)."""
    names = [name for name, _ in RUNTIME_MODULES]
    if preferred is not None and preferred not in names:
        raise ValueError(f'unknown TFLite runtime {preferred!r}; known: {", ".join(names)}')
    failures = []
    for name, module_name in RUNTIME_MODULES:
        if preferred is not None and name != preferred:
            continue
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # noqa: BLE001 - a broken install (numpy ABI) is not fatal
            failures.append(f'{module_name}: {exc}')
            continue
        return Runtime(name, module)
    raise RuntimeNotFoundError(
        'no TensorFlow Lite runtime could be imported (tried '
        + '; '.join(failures)
        + '). Install one: pip install ai-edge-litert'
    )


def default_num_threads() -> int:
    """All cores: the interpreter defaults to one thread, which wastes a Pi 4's four."""
    return os.cpu_count() or 1


def make_interpreter(
    model_content: bytes,
    *,
    num_threads: int | None = None,
    use_xnnpack: bool = True,
    runtime: Runtime | None = None,
) -> Any:
    """Create an interpreter for a model held in memory (not yet allocated)."""
    runtime = runtime or find_runtime()
    kwargs: dict[str, Any] = {
        'model_content': model_content,
        'num_threads': num_threads or default_num_threads(),
    }
    if not use_xnnpack:
        kwargs['experimental_op_resolver_type'] = runtime.op_resolver_without_delegates()
    return runtime.interpreter_class(**kwargs)
