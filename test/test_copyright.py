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
ament_copyright over the package: every source file carries the Apache-2.0 header.

ament_copyright is not on PyPI; a ROS install has it (ros-$ROS_DISTRO-ament-copyright).
"""

from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]


@pytest.mark.copyright
@pytest.mark.linter
def test_copyright():
    # Skipped inside the test, not at import: a file whose module skips makes a run of it
    # alone (CTest's `copyright` test) end in pytest's error "found no collectors".
    copyright_main = pytest.importorskip(
        'ament_copyright.main',
        reason='ament_copyright is not installed here (not on PyPI; '
        'sudo apt install ros-$ROS_DISTRO-ament-copyright)',
    )
    rc = copyright_main.main(argv=[str(PACKAGE)])
    assert rc == 0, 'Found errors'
