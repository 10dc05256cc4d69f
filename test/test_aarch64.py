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
The Pi 4 check: the CLI on emulated aarch64 agrees with x86; the core alone detects.

tools/aarch64_check.sh builds (once, cached) an arm64 Debian Bookworm userland and runs
`python -m mobilenet_ssd_ros detect` there under qemu-aarch64-static with the aarch64
wheels of requirements/core.txt. These tests skip only where qemu-user-static or
debootstrap is missing (tools/setup_env.sh installs both where it can).
"""

from __future__ import annotations

import os
from pathlib import Path
import shutil
import subprocess
import sys
import venv

from conftest import SHARED
from mobilenet_ssd_ros import places, zoo
from mobilenet_ssd_ros.zoo.build import build
import pytest

REPO = Path(__file__).resolve().parents[1]
CHECK = REPO / 'tools' / 'aarch64_check.sh'
MISSING_TOOLS = 3  # the script's exit status without qemu-user-static or debootstrap


def run_check(*args: str, out: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ['bash', str(CHECK), '--out', str(out), *args],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode == MISSING_TOOLS:
        pytest.skip(f'no emulated Pi 4 here: {result.stderr.strip().splitlines()[-1]}')
    return result


def test_every_shipped_model_detects_on_aarch64_as_on_x86(tmp_path):
    result = run_check(out=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    shipped = places.shipped_dir()
    expected = (
        [zoo.DEFAULT_ENTRY.name] + sorted(p.parent.name for p in shipped.glob('*/model.json'))
        if shipped
        else [zoo.DEFAULT_ENTRY.name]
    )
    compared = sorted(p.stem.removeprefix('compare_') for p in tmp_path.glob('compare_*.txt'))
    assert compared == sorted(expected)
    for name in compared:
        summary = (tmp_path / f'compare_{name}.txt').read_text()
        assert summary.startswith('10 images,') and 'MISMATCH' not in summary, summary
        lines = (tmp_path / f'aarch64_{name}.jsonl').read_text().splitlines()
        assert len(lines) == 10  # one JSON line per sample image, from the emulated run


def test_a_differing_arm_result_fails_the_check(tmp_path):
    """The release's ARM output checked against the x86 output of the 224 rebuild: caught."""
    other = build(224, output=tmp_path / 'models')
    other_model = tmp_path / 'models' / other.name / 'detect.tflite'
    result = run_check(
        '--expect-from', str(other_model), str(zoo.find().model_path), out=tmp_path / 'out'
    )
    assert result.returncode == 1
    assert 'MISMATCH' in result.stderr and 'differs from x86' in result.stderr


def test_the_core_requirements_alone_detect(tmp_path):
    """
    A venv with only requirements/core.txt and the package: detect and models work.

    The other commands say which tool they miss.
    """
    # Nothing of the development environment: its PYTHONPATH shows pip this checkout as
    # installed already (and the package would import from it).
    clean = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'VIRTUAL_ENV')}
    env_dir = tmp_path / 'venv'
    venv.create(env_dir, with_pip=True)
    python = env_dir / 'bin' / 'python'
    pip = [str(python), '-m', 'pip', 'install', '-q', '--disable-pip-version-check']
    subprocess.run([*pip, '-r', str(REPO / 'requirements' / 'core.txt')], check=True, timeout=600)
    wheel_dir, source = tmp_path / 'wheel', tmp_path / 'src'
    source.mkdir()  # a copy: setuptools would leave a build/ folder in the checkout
    for item in ('setup.py', 'mobilenet_ssd_ros', 'models'):
        if (REPO / item).is_dir():
            shutil.copytree(
                REPO / item, source / item, ignore=shutil.ignore_patterns('__pycache__')
            )
        elif (REPO / item).exists():
            shutil.copy(REPO / item, source / item)
    subprocess.run(
        [
            sys.executable,
            '-m',
            'pip',
            'wheel',
            '-q',
            '--no-deps',
            '--no-build-isolation',
            '-w',
            str(wheel_dir),
            str(source),
        ],
        check=True,
        timeout=300,
        env=clean,
    )
    subprocess.run([*pip, '--no-deps', *map(str, wheel_dir.glob('*.whl'))], check=True, env=clean)
    listed = subprocess.run(
        [str(python), '-m', 'pip', 'list', '--format=freeze'],
        capture_output=True,
        text=True,
        env=clean,
    ).stdout
    assert 'mobilenet_ssd_ros==' in listed.replace('-', '_')
    names = {line.split('==')[0].lower() for line in listed.splitlines()}
    assert not names & {'pyyaml', 'rosbags', 'pycocotools', 'matplotlib', 'torch', 'pillow'}
    env = {
        'PATH': os.environ['PATH'],
        'HOME': str(tmp_path),
        'MOBILENET_SSD_SHARED_DIR': str(SHARED),
        'MOBILENET_SSD_MODEL_DIR': str(tmp_path / 'cache'),
    }

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(python), '-m', 'mobilenet_ssd_ros', *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=300,
        )

    detected = cli('detect', str(SHARED / 'data' / 'samples'), '--json')
    assert detected.returncode == 0, detected.stderr
    assert len(detected.stdout.splitlines()) == 10 and '"label": "person"' in detected.stdout
    assert cli('models').returncode == 0
    evaluated = cli(
        'eval', '--dataset', str(SHARED / 'data' / 'pennfudan_dev'), '--format', 'pennfudan'
    )
    assert evaluated.returncode == 2 and "No module named 'pycocotools'" in evaluated.stderr
