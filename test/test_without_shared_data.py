"""Without ../shared the suite still runs: linters and data-free tests pass, the rest skip."""

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

import os
import subprocess
import sys

from conftest import DATA_FREE, REPO


def _pytest(*args, shared: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith('MOBILENET_SSD_')}
    env['MOBILENET_SSD_SHARED_DIR'] = shared
    return subprocess.run(
        [sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider', *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_every_module_that_needs_the_data_skips_with_the_variable_to_set(tmp_path):
    result = _pytest('test', '--collect-only', '-q', shared=str(tmp_path / 'none'))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    collected = result.stdout.splitlines()
    modules = sorted(p.name for p in (REPO / 'test').glob('test_*.py'))
    for name in modules:
        mine = [line for line in collected if line.startswith(f'test/{name}::')]
        if name in DATA_FREE:
            assert mine and all('needs_shared_data' not in line for line in mine), name
        else:
            assert mine == [f'test/{name}::needs_shared_data'], (name, mine)
    skipped = _pytest(
        'test/test_zoo.py', 'test/test_layers.py', '-q', '-rs', shared=str(tmp_path / 'none')
    )
    assert skipped.returncode == 0, skipped.stdout[-2000:]
    assert 'set MOBILENET_SSD_SHARED_DIR to the folder with models/ and data/' in skipped.stdout
    assert ' passed, 1 skipped' in skipped.stdout  # test_layers ran, test_zoo said why not
