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
ament_xmllint over the package's XML files (package.xml against its schema).

ament_xmllint is not on PyPI and needs the xmllint program; a ROS install has both
(ros-$ROS_DISTRO-ament-xmllint, libxml2-utils).
"""

from pathlib import Path
import shutil

import pytest

PACKAGE = Path(__file__).resolve().parents[1]


@pytest.mark.linter
@pytest.mark.xmllint
@pytest.mark.skipif(
    shutil.which('xmllint') is None,
    reason='the xmllint program is not installed here (sudo apt install libxml2-utils)',
)
def test_xmllint():
    # Skipped inside the test, not at import (see test_copyright.py).
    xmllint_main = pytest.importorskip(
        'ament_xmllint.main',
        reason='ament_xmllint is not installed here (not on PyPI; '
        'sudo apt install ros-$ROS_DISTRO-ament-xmllint)',
    )
    rc = xmllint_main.main(argv=[str(PACKAGE)])
    assert rc == 0, 'Found errors'
