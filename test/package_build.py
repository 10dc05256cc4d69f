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

"""Build and install this package with CMake, the way colcon lays it out (test helper)."""

from __future__ import annotations

import os
from pathlib import Path
import shutil
import subprocess
import sys

REPO = Path(__file__).resolve().parents[1]
PACKAGE_ITEMS = (
    'CMakeLists.txt',
    'package.xml',
    'msg',
    'mobilenet_ssd_ros',
    'scripts',
    'config',
    'launch',
    'models',
)
DEV_PREFIX = REPO / '.dev' / 'install'  # the vision_msgs stand-in of the development environment


def checkout_copy(destination: Path) -> Path:
    """
    Copy the checkout as a clone would have it (no development environment, no caches).

    Tests build from a copy: CMake refuses include paths inside the source tree, and the
    development venv (numpy's headers) lives inside this checkout.
    """
    shutil.copytree(
        REPO,
        destination,
        ignore=shutil.ignore_patterns(
            '.dev', '.git', '__pycache__', '.ruff_cache', '.pytest_cache'
        ),
    )
    return destination


def build_package(workdir: Path) -> Path:
    """
    Configure, build and install into `workdir`/install; returns that prefix.

    Builds from a copy of the package's sources (see checkout_copy), without its tests.
    """
    src = workdir / 'src'
    src.mkdir(parents=True)
    for item in PACKAGE_ITEMS:
        if not (REPO / item).exists():
            continue  # models/ exists once a trained model is shipped
        if (REPO / item).is_dir():
            shutil.copytree(REPO / item, src / item, ignore=shutil.ignore_patterns('__pycache__'))
        else:
            shutil.copy(REPO / item, src / item)
    prefix = workdir / 'install'
    # The ament prefixes of this environment (tools/env.sh, or a sourced ROS install).
    ament = [p for p in os.environ.get('AMENT_PREFIX_PATH', '').split(os.pathsep) if p]
    for cmd in (
        [
            'cmake',
            '-S',
            str(src),
            '-B',
            str(workdir / 'build'),
            '-G',
            'Ninja',
            '-DBUILD_TESTING=OFF',
            f'-DCMAKE_INSTALL_PREFIX={prefix}',
            f'-DCMAKE_PREFIX_PATH={";".join(ament)}',
            f'-DPython3_EXECUTABLE={sys.executable}',
        ],
        ['cmake', '--build', str(workdir / 'build'), '--target', 'install'],
    ):
        result = subprocess.run(cmd, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return prefix
