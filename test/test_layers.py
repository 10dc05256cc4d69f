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

Imports only point down (siblings of one rank, ros/ and offline/, never import each
other), modules import each other in no circle, and rclpy stays in ros/ (and the node
benchmarks).
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO
import pytest

PACKAGE = REPO / 'mobilenet_ssd_ros'
# Each layer's rank: a module may import its own layer and those of a lower rank. ros/ (the
# rclpy node) and offline/ (tools without a ROS graph) are siblings: neither imports the other.
RANKS = {
    'places': 0,
    'core': 1,
    'zoo': 2,
    'convert': 3,
    'ros': 4,
    'offline': 4,
    'training': 5,
    'bench': 5,
    'cli': 6,
}
LAYERS = tuple(RANKS)
RCLPY_USERS = {'bench/node.py', 'bench/dds.py'}  # and every module of ros/


def _layer(relative: str) -> str:
    first = relative.split('/')[0].removesuffix('.py')
    return first if first in RANKS else 'cli'  # __main__.py and __init__.py sit on top


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
    mine = _layer(module)
    wrong = sorted(
        layer
        for layer in layers
        if RANKS[layer] > RANKS[mine] or (RANKS[layer] == RANKS[mine] and layer != mine)
    )
    assert not wrong, f'{module} ({mine}) imports from layers above or beside it: {wrong}'


def test_ros_and_offline_are_siblings():
    """The node and the offline tools share what lies below them, never each other."""
    assert RANKS['ros'] == RANKS['offline']
    for module in MODULES:
        layers, _ = _package_imports(PACKAGE / module)
        if _layer(module) in ('offline', 'bench'):
            assert 'ros' not in layers, module
        if _layer(module) == 'ros':
            assert not layers & {'offline', 'bench', 'training', 'cli'}, module


@pytest.mark.parametrize('module', MODULES)
def test_only_the_node_uses_rclpy(module):
    _, external = _package_imports(PACKAGE / module)
    if module not in RCLPY_USERS and _layer(module) != 'ros':
        assert 'rclpy' not in external


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix('').parts)
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def _imported_modules(path: Path, known: set[str]) -> set[str]:
    """Return the package's modules that `path` imports (a name from a package counts)."""
    name = _module_name(path)
    package = name if path.name == '__init__.py' else name.rsplit('.', 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')[: len(package.split('.')) - node.level + 1]
                target = '.'.join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                full = f'{target}.{alias.name}'
                found.add(full if full in known else target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m in known and m != name}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one circle of imports in `graph`, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                first = stack.index(nxt)
                return [*stack[first:], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_module_imports_itself_through_others():
    """No circle of imports between modules (a package's __init__ counts as a module)."""
    paths = sorted(PACKAGE.rglob('*.py'))
    known = {_module_name(p) for p in paths}
    graph = {_module_name(p): _imported_modules(p, known) for p in paths}
    assert _cycle(graph) is None, f'import circle: {" -> ".join(_cycle(graph))}'
    assert _cycle({'a': {'b'}, 'b': {'a'}}) == ['a', 'b', 'a']  # the search finds one


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
    assert {'zoo', 'convert', 'ros'} <= layers and 'rclpy' in external


@pytest.mark.parametrize('module', MODULES)
def test_every_module_opens_with_its_own_purpose(module):
    """The docstring's first line (what pydoc and editors show) says what the module is for."""
    doc = ast.get_docstring(ast.parse((PACKAGE / module).read_text()))
    assert doc, f'{module} has no docstring'
    first = doc.strip().splitlines()[0]
    assert len(first) <= 99 and first.endswith(('.', ':')), first


@pytest.mark.parametrize('layer', [name for name in RANKS if (PACKAGE / name).is_dir()])
def test_every_package_names_its_layer(layer):
    doc = ast.get_docstring(ast.parse((PACKAGE / layer / '__init__.py').read_text()))
    assert doc.startswith(f'Layer {RANKS[layer]}, '), doc.splitlines()[0]
    assert 'import' in doc  # and says what it may import
