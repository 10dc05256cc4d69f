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

"""The bound on what training on the pools can recover (tools/pool_class_gap.py)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
import subprocess
import sys

import pytest

TOOL = Path(__file__).resolve().parents[1] / 'tools' / 'pool_class_gap.py'
spec = importlib.util.spec_from_file_location('pool_class_gap', TOOL)
pool_class_gap = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pool_class_gap)


def _ap(**values):
    return {name: {'ap': ap} for name, ap in values.items()}


def test_only_the_seen_classes_positive_gap_counts():
    better = _ap(person=0.6, car=0.5, zebra=0.9, cup=0.2)
    worse = _ap(person=0.4, car=0.55, zebra=0.3, cup=0.2)
    counts = {'person': 100, 'car': 12, 'zebra': 0}
    seen, base, top, recovered = pool_class_gap.ceiling(better, worse, counts, 10)
    assert seen == 2
    assert base == pytest.approx((0.4 + 0.55 + 0.3 + 0.2) / 4)
    assert top == pytest.approx((0.6 + 0.5 + 0.9 + 0.2) / 4)
    # person's 0.2 comes back; car is already better; zebra is never seen
    assert recovered == pytest.approx(base + 0.2 / 4)
    assert pool_class_gap.ceiling(better, worse, counts, 101)[3] == pytest.approx(base)


def test_the_script_prints_the_bounds_from_eval_files(tmp_path):
    files = {}
    for name, table in (
        ('better', _ap(person=0.6, zebra=0.9)),
        ('worse', _ap(person=0.4, zebra=0.3)),
        ('trained', _ap(person=0.5, zebra=0.2)),
    ):
        files[name] = tmp_path / f'{name}.json'
        files[name].write_text(json.dumps({'per_class': table}))
    counts = tmp_path / 'counts.json'
    counts.write_text(json.dumps({'person': 60}))
    args = [f'--{name}={path}' for name, path in files.items()]
    out = subprocess.run(
        [sys.executable, str(TOOL), *args, f'--counts={counts}'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert 'seen >= 50x:  1 classes; worse 0.3500, better 0.7500, goal 0.5500' in out
    assert 'all their gap recovered -> 0.4500' in out
    assert 'trained: +0.0500 in them, -0.0500 elsewhere' in out
    assert 'thin (seen < 10x): 1 classes: zebra 0' in out
    assert 'largest AP gains: person +0.100 (60x), zebra -0.100 (0x)' in out
    assert 'largest AP losses: zebra -0.100 (0x), person +0.100 (60x)' in out
