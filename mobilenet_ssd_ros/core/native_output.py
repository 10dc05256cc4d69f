"""
Capture what native libraries print, so that it becomes a reason or a log record.

libjpeg ("Corrupt JPEG data: ...") and libpng ("libpng error: ...") write straight to the
process's stderr (file descriptor 2), one line per bad frame, past any log throttle; the
TFLite runtime prints "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." when an
interpreter is made. While such a call runs, fd 2 points at a private temporary file;
what the library wrote there is returned instead of printed. Lines that look like ROS log
output (another thread logging during those few milliseconds) are written back to
stderr. One capture at a time (a lock), since fd 2 is shared by the whole process.
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

from collections.abc import Iterator
from contextlib import contextmanager
import os
import re
import tempfile
import threading

_ROS_LOG_LINE = re.compile(r'^\[(DEBUG|INFO|WARN|ERROR|FATAL)\]')
# OpenCV's own log prefix, e.g. "[ WARN:0@0.509] global grfmt_png.cpp:793 readFromStreamOrBuffer ".
_OPENCV_PREFIX = re.compile(r'^\[\s*\w+:\d+@[\d.]+\]\s+global\s+\S+:\d+\s+\S+\s+')
MAX_REASON_CHARS = 300


class NativeOutput:
    """What a capture caught: `text` (the library's lines, joined by " / ", bounded)."""

    def __init__(self) -> None:
        self.text = ''


_lock = threading.Lock()
_sink: int | None = None  # the reusable temporary file's descriptor


@contextmanager
def captured() -> Iterator[NativeOutput]:
    """Run the body with fd 2 redirected; the yielded object then holds the library's text."""
    global _sink
    out = NativeOutput()
    with _lock:
        if _sink is None:
            fd, name = tempfile.mkstemp(prefix='mobilenet_ssd_native_')
            os.unlink(name)  # an anonymous file: nothing is left behind
            _sink = fd
        saved = os.dup(2)
        os.dup2(_sink, 2)
        try:
            yield out
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            out.text = _collect(_sink)


def _collect(sink: int) -> str:
    """Empty the sink; write ROS log lines back to stderr; return the library's lines."""
    size = os.lseek(sink, 0, os.SEEK_END)
    os.lseek(sink, 0, os.SEEK_SET)
    text = os.read(sink, min(size, 1 << 16)).decode('utf-8', 'replace') if size else ''
    os.ftruncate(sink, 0)
    os.lseek(sink, 0, os.SEEK_SET)  # the offset is shared with the dup'ed fd 2: start over
    ros_lines = [line for line in text.splitlines() if _ROS_LOG_LINE.match(line)]
    if ros_lines:
        os.write(2, ('\n'.join(ros_lines) + '\n').encode())
    native = ' / '.join(
        _OPENCV_PREFIX.sub('', line.strip())
        for line in text.splitlines()
        if line.strip() and not _ROS_LOG_LINE.match(line)
    )
    return native[:MAX_REASON_CHARS]
