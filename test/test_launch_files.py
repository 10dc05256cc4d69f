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
Launch and config files checked without the launch stack.

Everything they refer to exists, and every parameter in every YAML profile is one the node
declares.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO
from mobilenet_ssd_ros.ros.settings import PARAMETERS
import pytest
from rclpy.parameter import Parameter
import yaml

LAUNCH_FILES = sorted((REPO / 'launch').glob('*.launch.py'))
PARAM_FILES = sorted(p for p in (REPO / 'config').glob('*.yaml'))


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, 'id', getattr(n.func, 'attr', None)) == name
    ]


def _first_str(call: ast.Call) -> str | None:
    arg = call.args[0] if call.args else None
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def _declared(tree) -> set[str]:
    return {_first_str(c) for c in _calls(tree, 'DeclareLaunchArgument')}


def test_both_launch_files_exist():
    assert [p.name for p in LAUNCH_FILES] == ['detector.launch.py', 'rosbag_replay.launch.py']


@pytest.mark.parametrize('path', LAUNCH_FILES, ids=lambda p: p.name)
def test_launch_file_references_exist(path: Path):
    tree = ast.parse(path.read_text())
    strings = {
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }
    for call in _calls(tree, 'LifecycleNode') + _calls(tree, 'Node'):
        kwargs = {k.arg: k.value for k in call.keywords}
        package = kwargs.get('package')
        if isinstance(package, ast.Name):  # PACKAGE constant
            assert 'mobilenet_ssd_ros' in strings
            executable = kwargs['executable'].value
            assert (REPO / 'scripts' / executable).is_file(), executable
    for name in (s for s in strings if ' ' not in s):  # file names, not descriptions
        if name.endswith(('.yaml', '.rviz')):
            assert (REPO / 'config' / name).is_file(), name
        if name.endswith('.launch.py'):
            assert (REPO / 'launch' / name).is_file(), name
    used = {_first_str(c) for c in _calls(tree, 'LaunchConfiguration')}
    used |= {
        _first_str(c)
        for c in ast.walk(tree)
        if isinstance(c, ast.Call) and getattr(c.func, 'id', '') == 'arg'
    }
    used.discard(None)
    assert used <= _declared(tree), f'undeclared launch arguments: {used - _declared(tree)}'


def test_replay_passes_only_arguments_the_detector_declares():
    replay = ast.parse((REPO / 'launch' / 'rosbag_replay.launch.py').read_text())
    detector = ast.parse((REPO / 'launch' / 'detector.launch.py').read_text())
    (include,) = _calls(replay, 'IncludeLaunchDescription')
    passed = {k.value for k in ast.walk(include) if isinstance(k, ast.Dict) for k in k.keys}
    assert passed and passed <= _declared(detector)


def test_launch_overrides_are_node_parameters():
    tree = ast.parse((REPO / 'launch' / 'detector.launch.py').read_text())
    overrides = next(
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign) and getattr(n.targets[0], 'id', '') == 'OPTIONAL_OVERRIDES'
    )
    assert {v.value for v in overrides.values} <= set(PARAMETERS)


@pytest.mark.parametrize('path', PARAM_FILES, ids=lambda p: p.name)
def test_parameter_files_match_the_node(path: Path):
    values = yaml.safe_load(path.read_text())['/**']['ros__parameters']
    unknown = set(values) - set(PARAMETERS)
    assert not unknown, f'{path.name}: not parameters of the node: {unknown}'
    for name, value in values.items():
        default = PARAMETERS[name][0]
        expected = list if isinstance(default, Parameter.Type) else type(default)  # string arrays
        assert isinstance(value, expected), (
            f'{path.name}: {name}={value!r} is not {expected.__name__}'
        )


def test_rviz_config_shows_camera_and_debug_image():
    config = yaml.safe_load((REPO / 'config' / 'detector.rviz').read_text())
    topics = {d['Topic']['Value'] for d in config['Visualization Manager']['Displays']}
    assert topics == {'/camera/image_raw', '/mobilenet_ssd/debug_image'}


def _package_xml_deps(*tags: str) -> set[str]:
    from xml.etree import ElementTree as ET

    return {e.text for e in ET.parse(REPO / 'package.xml').getroot() if e.tag in tags}


def test_package_xml_declares_what_the_launch_files_use():
    """
    Derived from the launch files.

    The modules they import, the packages of the nodes they start, and `ros2 bag` (ros2bag with the
    mcap storage the bags use).
    """
    used = set()
    for path in LAUNCH_FILES:
        tree = ast.parse(path.read_text())
        used |= {
            n.module.split('.')[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.module
        }
        used |= {
            kw.value.value
            for call in _calls(tree, 'Node')
            for kw in call.keywords
            if kw.arg == 'package' and isinstance(kw.value, ast.Constant)
        }
        if 'bag' in {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}:
            used |= {'ros2bag', 'rosbag2_storage_mcap'}
    assert {'launch', 'launch_ros', 'rviz2', 'ros2bag'} <= used  # the scan sees them
    missing = sorted(used - _package_xml_deps('depend', 'exec_depend'))
    assert not missing, f'package.xml does not declare: {missing}'


def test_package_xml_declares_the_launch_test_stack():
    tree = ast.parse((REPO / 'test' / 'test_launch.py').read_text())
    imported = {n.args[0].value for n in _calls(tree, 'importorskip')}
    assert {'launch_pytest', 'launch_ros'} <= imported
    missing = sorted(imported - _package_xml_deps('depend', 'exec_depend', 'test_depend'))
    assert not missing, f'package.xml does not declare: {missing}'


def test_detector_input_default_follows_the_namespace():
    """namespace:=car1 must move the input with the outputs: the default topic is relative."""
    tree = ast.parse((REPO / 'launch' / 'detector.launch.py').read_text())
    image = next(c for c in _calls(tree, 'DeclareLaunchArgument') if _first_str(c) == 'image')
    default = next(kw.value.value for kw in image.keywords if kw.arg == 'default_value')
    assert default == 'camera/image_raw'
