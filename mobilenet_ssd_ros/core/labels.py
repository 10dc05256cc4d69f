"""
Label maps: which name belongs to which output class index.

Three forms are in use for SSD models:
- `labelmap.txt` of the TFLite hosted models: one name per line, line 0 is `???`
  (background), so output class `c` is line `c + 1`; unused COCO ids are `???` too.
- The 0-indexed `id name` form (pycoral's `coco_labels.txt`): `0  person`.
- Plain lines without the background line: output class `c` is line `c`.
The same text may also be packed inside the model as TFLite metadata (see model.py).

A label map is checked before it is used: any text file parses as "plain lines", so
`/etc/passwd` would otherwise label detections `nobody:x:65534:...`. `validate()`
rejects an empty map, text that is not UTF-8 or has control characters or overlong
lines, and a map that does not cover the model's class ids.
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

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
import re

BACKGROUND = '???'
_ID_NAME = re.compile(r'^\s*(\d+)[\s:,]+(\S.*?)\s*$')
MAX_LABEL_CHARS = 64  # COCO's longest name is 14 characters
MAX_LABEL_FILE_BYTES = 1 << 20
MAX_LISTED = 10  # names quoted in one message, so that a huge request cannot make a huge log line


class LabelMapError(ValueError):
    """A label file that cannot be used, with the file and the reason in the message."""


def quote_some(names: Iterable[str]) -> str:
    """Up to MAX_LISTED names, quoted, then how many more there are."""
    names = list(names)
    shown = ', '.join(repr(n[:MAX_LABEL_CHARS]) for n in names[:MAX_LISTED])
    return shown + (f' and {len(names) - MAX_LISTED} more' if len(names) > MAX_LISTED else '')


class LabelMap(Mapping[int, str]):
    """Immutable map from model class index to label name."""

    def __init__(self, names: Mapping[int, str], span: int | None = None):
        self._names = dict(names)
        self._ids = {name: class_id for class_id, name in self._names.items()}
        # How many class slots the source describes, unused ones (`???`) included.
        self.span = span if span is not None else (max(self._names) + 1 if self._names else 0)

    def __getitem__(self, class_id: int) -> str:
        return self._names[class_id]

    def __iter__(self) -> Iterator[int]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f'LabelMap({len(self)} labels)'

    def name(self, class_id: int) -> str:
        """Return the label of `class_id`, or `class_<id>` for ids the map does not name."""
        return self._names.get(class_id, f'class_{class_id}')

    def ids_for(self, names: Iterable[str]) -> frozenset[int]:
        """
        Class indices of the given label names.

        Unknown names are an error that lists the valid ones, so a typo in an allow-list cannot
        silently drop everything.
        """
        names = list(names)
        unknown = [n for n in names if n not in self._ids]
        if unknown:
            raise KeyError(
                f'unknown label(s) {quote_some(unknown)}; valid labels: '
                + ', '.join(sorted(self._ids))
            )
        return frozenset(self._ids[n] for n in names)

    @classmethod
    def parse(cls, text: str) -> LabelMap:
        """Parse any of the three forms described in the module docstring."""
        lines = [line.strip() for line in text.splitlines()]
        while lines and not lines[-1]:
            lines.pop()
        content = [line for line in lines if line]
        if content and all(_ID_NAME.match(line) for line in content):
            names = {}
            for line in content:
                m = _ID_NAME.match(line)
                names[int(m.group(1))] = m.group(2)
            return cls(names)
        offset = 1 if lines and lines[0] == BACKGROUND else 0
        return cls(
            {
                i - offset: name
                for i, name in enumerate(lines)
                if i >= offset and name not in ('', BACKGROUND)
            },
            span=max(len(lines) - offset, 0),
        )

    @classmethod
    def from_file(cls, path: str | Path) -> LabelMap:
        """Read and parse a label file; OS and encoding errors become LabelMapError."""
        path = Path(path)
        shown = short_path(path)
        try:
            with open(path, 'rb') as f:
                data = f.read(MAX_LABEL_FILE_BYTES + 1)
        except OSError as exc:
            raise LabelMapError(
                f'{shown}: cannot read the label file: {exc.strerror or exc}'
            ) from exc
        if len(data) > MAX_LABEL_FILE_BYTES:
            raise LabelMapError(
                f'{shown}: not a label map (larger than {MAX_LABEL_FILE_BYTES} bytes)'
            )
        try:
            text = data.decode('utf-8')
        except UnicodeDecodeError as exc:
            raise LabelMapError(f'{shown}: not a label map (not UTF-8 text)') from exc
        return cls.parse(text).validate(shown, text)

    def validate(
        self, source: str, text: str | None = None, num_classes: int | None = None
    ) -> LabelMap:
        """Return this map if it can label a model with `num_classes` classes, else raise."""
        if not self._names:
            raise LabelMapError(f'{source}: the label map is empty')
        if text is not None and any(ord(c) < 32 and c not in '\t\r\n' for c in text):
            raise LabelMapError(f'{source}: not a label map (control characters)')
        long = [n for n in self._names.values() if len(n) > MAX_LABEL_CHARS]
        if long:
            raise LabelMapError(
                f'{source}: not a label map: {len(long)} line(s) longer than '
                f'{MAX_LABEL_CHARS} characters, e.g. {quote_some(long[:1])}'
            )
        if num_classes is not None and self.span < num_classes:
            raise LabelMapError(
                f'{source}: the label map names {self.span} class ids, the model outputs '
                f'{num_classes}'
            )
        return self


def short_path(path: Path) -> str:
    """
    Shorten a path the way messages show it.

    At most 200 characters (a 5000-character parameter value must not make a 5000-character error).
    """
    text = str(path)
    return text if len(text) <= 200 else f'{text[:120]}...({len(text)} characters)...{text[-40:]}'
