"""
What went wrong, in one bounded line: for parameter rejections, transition failures, logs.

A request of any size (a 5000-character parameter value) must not make a line of that
size, so every reason is cut at MAX_REASON_CHARS.
"""

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

from pathlib import Path

from .. import zoo
from ..core.labels import short_path
from ..places import cli_command

MAX_REASON_CHARS = 1000  # a rejection reason or log line, however large the request was


def reason(exc: BaseException) -> str:
    """
    Describe what went wrong in one bounded line.

    The message of an exception (a KeyError's str() would add quotes), a missing model with
    the command that gets it, or the file and the system's reason of an OSError.
    """
    if isinstance(exc, zoo.ModelNotAvailableError):
        text = exc.hint(cli_command())
    elif isinstance(exc, KeyError) and exc.args:
        text = str(exc.args[0])
    elif isinstance(exc, OSError) and exc.strerror:
        text = (
            f'{short_path(Path(str(exc.filename)))}: {exc.strerror}'
            if exc.filename
            else exc.strerror
        )
    else:
        text = str(exc) or type(exc).__name__
    return (
        text
        if len(text) <= MAX_REASON_CHARS
        else f'{text[:MAX_REASON_CHARS]}... ({len(text)} characters)'
    )
