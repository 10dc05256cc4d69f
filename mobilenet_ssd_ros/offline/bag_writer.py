"""
A result bag that survives its writer being stopped: complete segments, one metadata.yaml.

rosbags' Writer makes a bag whole only when it closes (the storage's index and summary,
then metadata.yaml); a process killed before that leaves nothing any reader opens. So
replay writes its bag in segments: every `segment_frames` processed frames the current
segment's Writer is closed (a complete .mcap or .db3 file), the file is moved into the
bag folder as `<bag>_<n>.<ext>`, as rosbag2's own splitting names them, and metadata.yaml
is rewritten (to a temporary file, then renamed) to list every completed segment (the
first is completed after the first frame, so the bag opens from then on). A stop
by SIGINT or SIGTERM closes the segment in progress too, so every finished frame is kept;
after SIGKILL the bag holds every segment completed before it: at most the last
`segment_frames` frames are missing (the unfinished segment stays in a hidden
`.segment` folder that readers ignore).
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

from io import StringIO
from pathlib import Path
import shutil
from typing import Any

SEGMENT_FRAMES = 100  # what SIGKILL may cost at most, in processed frames
METADATA = 'metadata.yaml'


class SegmentedWriter:
    """Writes one rosbag2 bag as complete segments (see the module docstring)."""

    def __init__(
        self, output: Path, storage: str, typestore: Any, segment_frames: int = SEGMENT_FRAMES
    ):
        from rosbags.rosbag2 import StoragePlugin  # rosbags: only where bags are written

        self.output = Path(output)
        self._plugin = StoragePlugin[storage.upper()]
        self._store = typestore
        self._segment_frames = segment_frames
        self._topics: list[tuple[str, str]] = []  # (topic, message type), in order
        self._files: list[dict] = []  # the metadata of each completed segment
        self._writer = None
        self._connections: list = []
        self._frames = 0  # frames in the segment in progress
        self._messages = 0

    def __enter__(self) -> SegmentedWriter:
        self.output.mkdir(parents=True)
        return self

    def __exit__(self, *exc) -> None:
        """Close the segment in progress, whatever ended the block (nothing finished is lost)."""
        self.close()

    def add_connection(self, topic: str, msgtype: str) -> int:
        """Register a topic before the first write; returns its key for write()."""
        self._topics.append((topic, msgtype))
        return len(self._topics) - 1

    def write(self, key: int, timestamp: int, data: bytes | memoryview) -> None:
        if self._writer is None:
            self._open()
        self._writer.write(self._connections[key], timestamp, data)
        self._messages += 1

    def frame_done(self) -> None:
        """
        Count one processed frame; a segment is completed every `segment_frames`.

        The first segment holds one frame, so that the bag opens as soon as there is one.
        """
        self._frames += 1
        if self._frames >= (self._segment_frames if self._files else 1):
            self._complete()

    def close(self) -> None:
        """Complete the segment in progress (an empty bag gets one empty segment)."""
        if self._writer is None and not self._files:
            self._open()
        if self._writer is not None and (self._messages or not self._files):
            self._complete()
        elif self._writer is not None:
            self._writer.abort()
            self._writer = None
        shutil.rmtree(self.output / '.segment', ignore_errors=True)

    def _open(self) -> None:
        from rosbags.rosbag2 import Writer

        folder = self.output / '.segment'
        shutil.rmtree(folder, ignore_errors=True)
        self._writer = Writer(folder, version=9, storage_plugin=self._plugin)
        self._writer.open()
        self._connections = [
            self._writer.add_connection(topic, msgtype, typestore=self._store)
            for topic, msgtype in self._topics
        ]
        self._frames = self._messages = 0

    def _complete(self) -> None:
        """Close the segment, move its file into the bag, rewrite metadata.yaml."""
        from ruamel.yaml import YAML

        self._writer.close()
        self._writer = None
        folder = self.output / '.segment'
        yaml = YAML(typ='safe')
        info = yaml.load((folder / METADATA).read_text())['rosbag2_bagfile_information']
        (source,) = info['relative_file_paths']
        name = f'{self.output.name}_{len(self._files)}{Path(source).suffix}'
        (folder / source).replace(self.output / name)
        shutil.rmtree(folder)
        self._files.append({**info, 'relative_file_paths': [name]})
        self._write_metadata(yaml)

    def _write_metadata(self, yaml) -> None:
        """metadata.yaml of every completed segment: files, counts, time span, topics."""
        first = self._files[0]
        starts = [f['starting_time']['nanoseconds_since_epoch'] for f in self._files]
        ends = [
            f['starting_time']['nanoseconds_since_epoch'] + f['duration']['nanoseconds']
            for f in self._files
            if f['message_count']
        ]
        start = min(
            (s for s, f in zip(starts, self._files) if f['message_count']), default=starts[0]
        )
        counts: dict[str, int] = {}
        topics: dict[str, dict] = {}
        for f in self._files:
            for entry in f['topics_with_message_count']:
                name = entry['topic_metadata']['name']
                topics.setdefault(name, entry['topic_metadata'])
                counts[name] = counts.get(name, 0) + entry['message_count']
        files = [
            {
                'path': f['relative_file_paths'][0],
                'starting_time': f['starting_time'],
                'duration': f['duration'],
                'message_count': f['message_count'],
            }
            for f in self._files
        ]
        info = {
            **first,
            'relative_file_paths': [f['path'] for f in files],
            'duration': {'nanoseconds': max(ends, default=start) - start},
            'starting_time': {'nanoseconds_since_epoch': start},
            'message_count': sum(f['message_count'] for f in files),
            'topics_with_message_count': [
                {'topic_metadata': topics[name], 'message_count': counts[name]} for name in topics
            ],
            'files': files,
        }
        text = StringIO()
        yaml.default_flow_style = False
        yaml.dump({'rosbag2_bagfile_information': info}, text)
        tmp = self.output / f'{METADATA}.tmp'
        tmp.write_text(text.getvalue())
        tmp.replace(self.output / METADATA)
