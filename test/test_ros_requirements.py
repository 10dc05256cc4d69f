"""The pip requirements of a ROS machine resolve beside the distro's own numpy."""

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

import json
import subprocess
import sys
import urllib.error
import urllib.request

from conftest import REPO
import pytest

# distro: (Python, newest glibc of its Ubuntu, requirements, constraints, apt numpy, runtime)
DISTROS = {
    'humble': ('3.10', 35, 'ros-humble.txt', 'apt-humble.txt', '1.21.5', 'tflite-runtime'),
    'jazzy': ('3.12', 39, 'ros.txt', 'apt-jazzy.txt', '1.26.4', 'ai-edge-litert'),
}


def _pypi_unreachable() -> str | None:
    try:
        with urllib.request.urlopen('https://pypi.org/simple/numpy/', timeout=10) as response:
            response.read(1)
    except (urllib.error.URLError, OSError) as exc:
        return f'PyPI cannot be reached here ({getattr(exc, "reason", exc)})'
    return None


@pytest.mark.parametrize('arch', ['x86_64', 'aarch64'])
@pytest.mark.parametrize('distro', sorted(DISTROS))
def test_the_requirements_keep_the_distros_numpy(distro, arch, tmp_path):
    """
    `pip install --dry-run` for the distro's Python and a glibc of its Ubuntu, wheels only.

    The resolution must succeed with apt's numpy as a constraint, and include the runtime.
    """
    why = _pypi_unreachable()
    if why:
        pytest.skip(why)
    python, glibc, requirements, constraints, numpy, runtime = DISTROS[distro]
    platforms = ['manylinux2014'] + [f'manylinux_2_{minor}' for minor in range(17, glibc + 1)]
    report = tmp_path / 'report.json'
    result = subprocess.run(
        [
            sys.executable, '-m', 'pip', 'install', '--dry-run', '--ignore-installed', '-q',
            '--only-binary=:all:', '--python-version', python, '--target', str(tmp_path / 't'),
            *[arg for p in platforms for arg in ('--platform', f'{p}_{arch}')],
            '--report', str(report),
            '-r', str(REPO / 'requirements' / requirements),
            '-c', str(REPO / 'requirements' / constraints),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    resolved = {
        item['metadata']['name'].lower(): item['metadata']['version']
        for item in json.loads(report.read_text())['install']
    }
    assert resolved['numpy'] == numpy  # apt's: never replaced by a pip numpy
    assert runtime in resolved and 'rosbags-image' in resolved, resolved
