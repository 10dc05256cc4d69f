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
The package's layers, read from the code.

Imports only point down, and rclpy stays in the node (and the node benchmarks).
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO
import pytest

PACKAGE = REPO / 'mobilenet_ssd_ros'
# Lower layers first; a module may import its own layer and those before it.
LAYERS = ('core', 'zoo', 'ros', 'offline', 'training', 'bench', 'cli')
RCLPY_USERS = {'ros/node.py', 'bench/node.py'}


def _layer(relative: str) -> str:
    first = relative.split('/')[0]
    return first if first in LAYERS else 'cli'  # cli.py, __main__.py and __init__.py sit on top


def _package_imports(path: Path) -> tuple[set[str], set[str]]:
    """(layers of the package this module imports, top-level external modules)."""
    parts = path.relative_to(REPO).with_suffix('').parts  # ("mobilenet_ssd_ros", "ros", "node")
    layers, external = set(), set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(parts[: len(parts) - node.level])
            target = base + (node.module.split('.') if node.module else [])
            names = [target + [a.name] for a in node.names] if len(target) == 1 else [target]
            for name in names:
                if len(name) > 1 and name[1] != 'msg':  # the generated messages belong to no layer
                    layers.add(_layer(name[1]))
        elif isinstance(node, ast.ImportFrom):
            external.add(node.module.split('.')[0])
            if node.module.startswith('mobilenet_ssd_ros.'):
                layers.add(_layer(node.module.split('.')[1]))
        elif isinstance(node, ast.Import):
            external.update(a.name.split('.')[0] for a in node.names)
    return layers, external


MODULES = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob('*.py'))


@pytest.mark.parametrize('module', MODULES)
def test_imports_point_down(module):
    layers, _ = _package_imports(PACKAGE / module)
    own = LAYERS.index(_layer(module))
    above = sorted(layer for layer in layers if LAYERS.index(layer) > own)
    assert not above, f'{module} ({_layer(module)}) imports from the layers above it: {above}'


@pytest.mark.parametrize('module', MODULES)
def test_only_the_node_uses_rclpy(module):
    _, external = _package_imports(PACKAGE / module)
    if module not in RCLPY_USERS:
        assert 'rclpy' not in external


def test_the_core_needs_no_ros_and_no_network():
    for path in sorted((PACKAGE / 'core').glob('*.py')):
        layers, external = _package_imports(path)
        assert layers <= {'core'}, path.name
        assert not external & {
            'rclpy',
            'rosbags',
            'urllib',
            'sensor_msgs',
            'vision_msgs',
            'std_msgs',
        }, path.name


def test_the_scan_sees_real_imports():
    """The checks above would pass on a scanner that finds nothing."""
    layers, external = _package_imports(PACKAGE / 'ros' / 'node.py')
    assert layers == {'core', 'zoo', 'ros'} and 'rclpy' in external
