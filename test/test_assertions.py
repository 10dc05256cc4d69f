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

"""Every test says what it proves: it asserts, expects an exception, or calls assert_*."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO
import pytest

TESTS = sorted((REPO / 'test').glob('test_*.py'))
# what counts as checking something: `assert`, pytest.raises/warns/fail, a helper named so
CHECKS = ('raises', 'warns', 'fail')
HELPER_PREFIXES = ('assert_', 'expect_')


def _checks(function: ast.AST) -> bool:
    """Return whether the function's body asserts, expects an error or calls a checker."""
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            name = (
                node.func.attr
                if isinstance(node.func, ast.Attribute)
                else node.func.id
                if isinstance(node.func, ast.Name)
                else ''
            )
            is_pytest = isinstance(node.func, ast.Attribute) and (
                isinstance(node.func.value, ast.Name) and node.func.value.id == 'pytest'
            )
            if (is_pytest and name in CHECKS) or name.startswith(HELPER_PREFIXES):
                return True
    return False


def unchecked(path: Path) -> list[str]:
    """Return the test functions of `path` that check nothing."""
    tree = ast.parse(path.read_text(), str(path))
    return [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith('test_')
        and not _checks(node)
    ]


@pytest.mark.parametrize('path', TESTS, ids=lambda p: p.name)
def test_every_test_checks_something(path):
    assert unchecked(path) == [], f'{path.name}: tests without an assertion'


def test_the_scan_finds_a_test_without_an_assertion(tmp_path):
    """The check above would pass on a scanner that finds nothing."""
    sample = tmp_path / 'test_sample.py'
    sample.write_text(
        'import pytest\n'
        'def test_silent():\n    print(1)\n'
        'def test_asserts():\n    assert 1\n'
        'def test_raises():\n    with pytest.raises(ValueError):\n        int("x")\n'
        'def test_helper():\n    assert_same(1, 1)\n'
        'def test_other_raises():\n    other.raises()\n'
    )
    assert unchecked(sample) == ['test_silent', 'test_other_raises']
