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

ament_xmllint needs the xmllint program (libxml2-utils) and fetches the schema package.xml
names (http://download.ros.org/schema/package_format3.xsd): a ROS install has both tools
(ros-$ROS_DISTRO-ament-xmllint; PyPI has only an old ament-xmllint 0.14.2), and where the
schema cannot be fetched (offline) the test skips and says so instead of failing.
"""

from pathlib import Path
import re
import shutil
import urllib.error
import urllib.request

import pytest

PACKAGE = Path(__file__).resolve().parents[1]


def schema_url() -> str:
    """Return the schema package.xml names in its xml-model instruction."""
    text = (PACKAGE / 'package.xml').read_text()
    return re.search(r'<\?xml-model href="([^"]+)"', text).group(1)


def reachable(url: str, timeout: float = 5.0) -> str | None:
    """Return None if `url` can be fetched, else the reason it cannot."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read(1)
    except (urllib.error.URLError, OSError) as exc:
        return str(getattr(exc, 'reason', exc))
    return None


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
        reason='ament_xmllint is not installed here (sudo apt install '
        'ros-$ROS_DISTRO-ament-xmllint)',
    )
    url = schema_url()
    why = reachable(url)
    if why is not None:
        pytest.skip(f'the package.xml schema cannot be fetched here ({url}: {why}); offline?')
    rc = xmllint_main.main(argv=[str(PACKAGE)])
    assert rc == 0, 'Found errors'


def test_package_xml_names_the_format_3_schema():
    assert schema_url() == 'http://download.ros.org/schema/package_format3.xsd'
