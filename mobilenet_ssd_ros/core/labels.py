"""Label maps: which name belongs to which output class index.

Three forms are in use for SSD models:
- `labelmap.txt` of the TFLite hosted models: one name per line, line 0 is `???`
  (background), so output class `c` is line `c + 1`; unused COCO ids are `???` too.
- The 0-indexed `id name` form (pycoral's `coco_labels.txt`): `0  person`.
- Plain lines without the background line: output class `c` is line `c`.
The same text may also be packed inside the model as TFLite metadata (see model.py).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

BACKGROUND = "???"
_ID_NAME = re.compile(r"^\s*(\d+)[\s:,]+(\S.*?)\s*$")


class LabelMap(Mapping[int, str]):
    """Immutable map from model class index to label name."""

    def __init__(self, names: Mapping[int, str]):
        self._names = dict(names)
        self._ids = {name: class_id for class_id, name in self._names.items()}

    def __getitem__(self, class_id: int) -> str:
        return self._names[class_id]

    def __iter__(self) -> Iterator[int]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"LabelMap({len(self)} labels)"

    def name(self, class_id: int) -> str:
        """The label of `class_id`, or `class_<id>` for ids the map does not name."""
        return self._names.get(class_id, f"class_{class_id}")

    def ids_for(self, names: Iterable[str]) -> frozenset[int]:
        """Class indices of the given label names; unknown names are an error that lists
        the valid ones, so a typo in an allow-list cannot silently drop everything."""
        names = list(names)
        unknown = [n for n in names if n not in self._ids]
        if unknown:
            raise KeyError(
                f"unknown label(s) {', '.join(map(repr, unknown))}; valid labels: "
                + ", ".join(sorted(self._ids))
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
            {i - offset: name for i, name in enumerate(lines) if i >= offset and name not in ("", BACKGROUND)}
        )

    @classmethod
    def from_file(cls, path: str | Path) -> LabelMap:
        return cls.parse(Path(path).read_text(encoding="utf-8"))
