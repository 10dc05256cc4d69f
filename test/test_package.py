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

"""The package builds and installs the way colcon would lay it out for ros2 run/launch."""

from __future__ import annotations

import ast
from importlib.metadata import packages_distributions, requires
import json
import os
from pathlib import Path
import re
import shutil
import subprocess
import sys
from xml.etree import ElementTree as ET

from ament_index_python.packages import get_packages_with_prefixes
from conftest import available_here, REPO
from package_build import build_package, checkout_copy, DEV_PREFIX
import pytest


def test_cmake_install_layout(tmp_path):
    prefix = build_package(tmp_path)
    exe = prefix / 'lib' / 'mobilenet_ssd_ros' / 'mobilenet_ssd_node'
    assert exe.is_file() and os.access(exe, os.X_OK)
    assert (
        prefix / 'share' / 'ament_index' / 'resource_index' / 'packages' / 'mobilenet_ssd_ros'
    ).is_file()
    assert (prefix / 'share' / 'mobilenet_ssd_ros' / 'config' / 'params.yaml').is_file()
    assert (
        prefix / 'share' / 'mobilenet_ssd_ros' / 'config' / 'fastdds_large_images.xml'
    ).is_file()
    for launch_file in ('detector.launch.py', 'rosbag_replay.launch.py'):
        assert (prefix / 'share' / 'mobilenet_ssd_ros' / 'launch' / launch_file).is_file()
    site = next(prefix.glob('lib/python3*/site-packages/mobilenet_ssd_ros'))
    for module in (
        '__init__.py',
        'cli/__init__.py',
        'ros/node.py',
        'core/detector.py',
        'zoo/lookup.py',
        'offline/replay.py',
        'bench/node.py',
        'msg/_detection_stats.py',
    ):
        assert (site / module).is_file(), module
    # The installed package imports on its own, generated message included.
    probe = subprocess.run(
        [
            sys.executable,
            '-c',
            'import mobilenet_ssd_ros.msg as m, mobilenet_ssd_ros.ros.node as n; '
            'print(m.__file__); print(n.__file__)',
        ],
        env=dict(
            os.environ,
            # the install first; what the environment has (a distro's vision_msgs) after it
            PYTHONPATH=f'{site.parent}:{DEV_PREFIX}/lib/python3.11/site-packages:'
            f'{os.environ.get("PYTHONPATH", "")}',
            LD_LIBRARY_PATH=f'{prefix / "lib"}:{os.environ.get("LD_LIBRARY_PATH", "")}',
        ),
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert probe.returncode == 0, probe.stderr
    assert all(str(site) in line for line in probe.stdout.splitlines())
    # `ros2 run mobilenet_ssd_ros mobilenet-ssd ...`: the CLI, installed where ros2 run looks.
    cli = prefix / 'lib' / 'mobilenet_ssd_ros' / 'mobilenet-ssd'
    models = subprocess.run(
        [sys.executable, str(cli), 'models'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=dict(
            os.environ,
            PYTHONPATH=f'{site.parent}:{DEV_PREFIX}/lib/python3.11/site-packages:'
            f'{os.environ.get("PYTHONPATH", "")}',
            PATH='/usr/bin:/bin',
            MOBILENET_SSD_MODEL_DIR=str(tmp_path / 'cache'),
        ),
    )
    assert models.returncode == 0, models.stderr
    assert (
        'ros2 run mobilenet_ssd_ros mobilenet-ssd models --download' in models.stdout
    )  # Coral's line
    assert f'available here: {available_here()}' in models.stdout  # the shipped ones too


@pytest.mark.skipif(
    shutil.which('colcon') is None,
    reason='colcon is not installed here (pip install colcon-common-extensions, or a ROS install)',
)
def test_colcon_build_and_test(tmp_path):
    """
    `colcon build` and `colcon test` in a workspace, as a ROS user runs them.

    CTest has the four ament linters (label `linter`, as ament_lint_auto labels them) and the
    pytest suite; the linters pass (one that is not installed here skips itself), and the
    suite's own run leaves them out instead of running them twice.
    """
    workspace = tmp_path / 'ws'
    checkout_copy(workspace / 'src' / 'mobilenet_ssd_ros')

    # A clean environment of its own: nothing of this suite's run (the linters left out,
    # a user's MOBILENET_SSD_* settings) reaches the nested colcon.
    clean = {k: v for k, v in os.environ.items() if not k.startswith('MOBILENET_SSD_')}
    clean.pop('PYTEST_ADDOPTS', None)

    def colcon(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ['colcon', *args],
            cwd=workspace,
            capture_output=True,
            text=True,
            timeout=600,
            env=clean,
        )

    built = colcon('build', '--event-handlers', 'console_direct-')
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert (workspace / 'install' / 'mobilenet_ssd_ros' / 'lib' / 'mobilenet_ssd_ros').is_dir()
    shown = subprocess.run(
        ['ctest', '--show-only=json-v1'],
        cwd=workspace / 'build' / 'mobilenet_ssd_ros',
        capture_output=True,
        text=True,
    )
    assert shown.returncode == 0, shown.stderr
    tests = {t['name']: t for t in json.loads(shown.stdout)['tests']}
    assert set(tests) == {'copyright', 'flake8', 'pep257', 'xmllint', 'pytest'}
    for linter in ('copyright', 'flake8', 'pep257', 'xmllint'):
        labels = next(p['value'] for p in tests[linter]['properties'] if p['name'] == 'LABELS')
        assert set(labels) == {linter, 'linter'}

    # The whole `colcon test` in a fresh workspace without the shared data (none beside this
    # copy, none in the environment): the linters and the data-free tests pass, every module
    # that needs the data is one skip naming the variable to set.
    tested = colcon('test')
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-3000:]
    results = colcon('test-result', '--all')
    assert results.returncode == 0, results.stdout
    summary = re.search(
        r'Summary: (\d+) tests, (\d+) errors, (\d+) failures, (\d+) skipped', results.stdout
    )
    assert summary and summary.groups()[1:3] == ('0', '0'), results.stdout
    report = ET.parse(
        workspace
        / 'build'
        / 'mobilenet_ssd_ros'
        / 'test_results'
        / 'mobilenet_ssd_ros'
        / 'pytest.xunit.xml'
    )
    reasons = [s.get('message', '') for s in report.iter('skipped')]
    assert sum('set MOBILENET_SSD_SHARED_DIR' in r for r in reasons) >= 20, reasons[:5]
    ran = [c for c in report.iter('testcase') if c.find('skipped') is None]
    assert len(ran) > 100  # the data-free modules ran (the layers, the assertion scan, ...)

    # The suite's own CTest command (its environment included), only collecting: no linter.
    suite = tests['pytest']
    directory = next(p['value'] for p in suite['properties'] if p['name'] == 'WORKING_DIRECTORY')
    collected = subprocess.run(
        [*suite['command'], '--collect-only', '-q'], cwd=directory, capture_output=True, text=True
    )
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-3000:]
    assert 'test/test_node_lifecycle.py::' in collected.stdout
    for linter in ('copyright', 'flake8', 'pep257', 'xmllint'):
        assert f'test_{linter}.py::test_{linter}' not in collected.stdout


def _sources() -> list[Path]:
    return [
        *sorted((REPO / 'mobilenet_ssd_ros').rglob('*.py')),
        *sorted((REPO / 'scripts').iterdir()),
    ]


def _imports_and_message_packages() -> tuple[set[str], set[str]]:
    """
    List the top-level modules the package's code imports.

    Also the packages of the ROS message types it names in strings ("geometry_msgs/msg/Pose",
    resolved at run time).
    """
    modules, message_packages = set(), set()
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split('.')[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules.add(node.module.split('.')[0])
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if m := re.fullmatch(r'([a-z_]+)/msg/[A-Z]\w*', node.value):
                    message_packages.add(m.group(1))
    return modules, message_packages


def _declared() -> set[str]:
    root = ET.parse(REPO / 'package.xml').getroot()
    return {e.text for e in root if e.tag in ('depend', 'exec_depend')}


# The rosdep keys of the Python distributions that have one; the others come from
# requirements/ros.txt (pip), directly or as a dependency of what is listed there.
ROSDEP_KEYS = {
    'numpy': 'python3-numpy',
    'opencv-python-headless': 'python3-opencv',
    'PyYAML': 'python3-yaml',
    'matplotlib': 'python3-matplotlib',
    'pillow': 'python3-pil',
}


def test_package_xml_declares_every_ros_package_the_code_uses():
    """
    Derived from the code.

    Every import (and every message type named in a string) that resolves to a ROS package in the
    ament index must be a run dependency.
    """
    modules, message_packages = _imports_and_message_packages()
    ros_packages = set(get_packages_with_prefixes()) - {'mobilenet_ssd_ros'}
    used = ((modules | message_packages) & ros_packages) | (
        message_packages - {'mobilenet_ssd_ros'}
    )
    assert {
        'rclpy',
        'sensor_msgs',
        'vision_msgs',
        'geometry_msgs',
    } <= used  # the scan sees the node and adapters
    missing = sorted(used - _declared())
    assert not missing, f'package.xml does not declare: {missing}'


def test_every_python_dependency_has_a_rosdep_key_or_a_pip_requirement():
    modules, _ = _imports_and_message_packages()
    ros_packages = set(get_packages_with_prefixes())
    third_party = {
        m
        for m in modules
        if m not in sys.stdlib_module_names and m not in ros_packages and m != 'mobilenet_ssd_ros'
    }
    distributions = packages_distributions()
    pip_listed = {  # ros.txt: what the node needs; train.txt: making models; tracking*.txt
        re.split(r'[<>=!~ ;\[]', line.strip())[0].lower()
        for name in ('ros.txt', 'train.txt', 'tracking.txt', 'tracking-no-deps.txt')
        for line in (REPO / 'requirements' / name).read_text().splitlines()
        if line.strip() and not line.startswith('#')
    }
    pip_covered = set(pip_listed)
    for name in pip_listed:  # what pip brings along with them
        pip_covered |= {
            re.split(r'[<>=!~ ;\[]', r)[0].lower()
            for r in (requires(name) or [])
            if 'extra ==' not in r
        }
    declared = _declared()
    problems = []
    for module in sorted(third_party):
        dists = [d for d in distributions.get(module, []) if not d.startswith('ros-')]
        assert dists, f'{module}: imported but not installed here'
        if not any(ROSDEP_KEYS.get(d) in declared or d.lower() in pip_covered for d in dists):
            problems.append(f'{module} ({", ".join(dists)})')
    assert not problems, (
        'neither a rosdep key in package.xml nor in requirements/ros.txt, train.txt or '
        f'tracking*.txt: {problems}'
    )


def test_package_xml_format_and_build_type():
    root = ET.parse(REPO / 'package.xml').getroot()
    assert root.findtext('export/build_type') == 'ament_cmake'
    assert root.get('format') == '3'
