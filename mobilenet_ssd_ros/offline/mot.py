"""
Tracking sequences in the MOTChallenge layout, tracker output in its text format, scores.

A sequence is a folder with `seqinfo.ini`, the frames in `img1/` (000001.jpg, ...) and,
where it is annotated, `gt/gt.txt` (`frame,id,x,y,w,h,consider,class,visibility`; MOT17's
pedestrians are class 1). Results are written as MOTChallenge expects them
(`frame,id,x,y,w,h,score,-1,-1,-1`), and scored by TrackEval, the MOTChallenge's own
implementation (HOTA, CLEAR MOT: MOTA and ID switches, Identity: IDF1), which also
applies MOT17's preprocessing (distractor classes and boxes marked not to consider).

A sequence that cannot be read gets a MotFormatError naming the file and line, never a
traceback from deep inside TrackEval.
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

from collections.abc import Iterable
import configparser
import contextlib
from dataclasses import dataclass
import io
import math
from pathlib import Path
import tempfile

import numpy as np

from ..core.detection import Detection

# The metrics reported, as TrackEval names them (HOTA and IDF1 as fractions, IDSW a count).
METRICS = ('HOTA', 'DetA', 'AssA', 'MOTA', 'IDF1', 'IDSW')


class MotFormatError(ValueError):
    """A sequence folder or file that is not in the MOTChallenge layout (message says where)."""


@dataclass(frozen=True)
class Sequence:
    """One sequence folder: its frames, their rate, and whether it has ground truth."""

    path: Path
    name: str
    frame_rate: float
    length: int
    image_dir: Path
    image_ext: str

    @property
    def gt_file(self) -> Path:
        return self.path / 'gt' / 'gt.txt'

    @property
    def has_gt(self) -> bool:
        return self.gt_file.is_file()

    def frame_path(self, frame: int) -> Path:
        """Return the image of frame `frame` (1-based, as MOTChallenge counts)."""
        return self.image_dir / f'{frame:06d}{self.image_ext}'

    def stamp(self, frame: int) -> float:
        """Return frame `frame`'s time in seconds from the first frame, from the frame rate."""
        return (frame - 1) / self.frame_rate


def read_sequence(path: str | Path) -> Sequence:
    """Read a sequence folder's seqinfo.ini; MotFormatError says what is missing."""
    path = Path(path)
    ini = path / 'seqinfo.ini'
    if not ini.is_file():
        raise MotFormatError(f'{ini}: not found (a MOTChallenge sequence folder has one)')
    parser = configparser.ConfigParser()
    try:
        parser.read(ini)
        info = parser['Sequence']
        frame_rate = float(info['frameRate'])
        length = int(info['seqLength'])
        image_dir = path / info.get('imDir', 'img1')
        ext = info.get('imExt', '.jpg')
    except (configparser.Error, KeyError, ValueError) as exc:
        raise MotFormatError(
            f'{ini}: needs [Sequence] with frameRate and seqLength ({exc})'
        ) from exc
    if not (math.isfinite(frame_rate) and frame_rate > 0 and length > 0):
        raise MotFormatError(f'{ini}: frameRate and seqLength must be positive')
    if not image_dir.is_dir():
        raise MotFormatError(f'{image_dir}: the frames folder is missing')
    return Sequence(path, info.get('name', path.name), frame_rate, length, image_dir, ext)


@dataclass(frozen=True)
class TrackRow:
    """One tracked box in one frame: what a line of a MOTChallenge result file says."""

    frame: int
    detection: Detection  # with its track_id

    @property
    def track_id(self) -> int:
        return self.detection.track_id

    def line(self) -> str:
        b = self.detection.bbox
        return (
            f'{self.frame},{self.track_id},{b.xmin:.2f},{b.ymin:.2f},{b.width:.2f},'
            f'{b.height:.2f},{self.detection.score:.4f},-1,-1,-1'
        )


def write_results(path: str | Path, rows: Iterable[TrackRow]) -> None:
    """Write rows as a MOTChallenge result file (frame order)."""
    lines = [r.line() for r in sorted(rows, key=lambda r: (r.frame, r.track_id))]
    Path(path).write_text(''.join(f'{line}\n' for line in lines))


@dataclass(frozen=True)
class GroundTruth:
    """A sequence's checked gt lines by frame, and the fewest columns a line has."""

    columns: int
    lines: list[tuple[int, str]]  # (frame, the line's fields after the frame)


def read_gt(sequence: Sequence) -> GroundTruth:
    """
    Read and check every line of the ground truth.

    MotFormatError names the first malformed line: too few fields, a number that is not one,
    a frame outside the sequence, a box without area.
    """
    columns, lines = None, []
    for number, line in enumerate(sequence.gt_file.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        where = f'{sequence.gt_file}:{number}'
        fields = line.replace(' ', '').split(',')
        if len(fields) < 6:
            raise MotFormatError(f'{where}: {len(fields)} fields, need frame,id,x,y,w,h[,...]')
        try:
            values = [float(f) for f in fields]
        except ValueError as exc:
            raise MotFormatError(f'{where}: not a number ({exc})') from exc
        frame, w, h = values[0], values[4], values[5]
        if frame != int(frame) or not 1 <= frame <= sequence.length:
            raise MotFormatError(f'{where}: frame {fields[0]} outside 1..{sequence.length}')
        if not (w > 0 and h > 0):
            raise MotFormatError(f'{where}: box of width {fields[4]}, height {fields[5]}')
        columns = min(columns or len(fields), len(fields))
        lines.append((int(frame), ','.join(fields[1:])))
    if columns is None:
        raise MotFormatError(f'{sequence.gt_file}: no ground truth lines')
    return GroundTruth(columns, lines)


def score(
    sequence: Sequence, rows: Iterable[TrackRow], frames: Iterable[int] | None = None
) -> dict[str, float]:
    """
    Score person tracks against the sequence's ground truth with TrackEval.

    With 9 gt columns (MOT17) the pedestrian class 1 with consider flag 1 is scored, after
    MOT17's preprocessing; with fewer (no class column) every gt box counts (MOT15 rules).
    `frames` (default all) are the frames the tracker was given: a run on every n-th frame is
    scored on those frames only, renumbered 1, 2, ... for TrackEval, so that an ID switch is
    counted between consecutive frames the tracker saw and a skipped frame is not a miss.
    Returns METRICS (HOTA, DetA and AssA averaged over IoU thresholds, as TrackEval reports).
    """
    try:
        import trackeval
    except ImportError as exc:
        raise MotFormatError(
            'scoring needs TrackEval: pip install -r requirements/tracking.txt && pip install '
            f'--no-deps -r requirements/tracking-no-deps.txt ({exc})'
        ) from exc
    gt = read_gt(sequence)
    kept = sorted(set(range(1, sequence.length + 1) if frames is None else frames))
    index = {frame: i for i, frame in enumerate(kept, start=1)}
    gt_lines = [f'{index[frame]},{rest}\n' for frame, rest in gt.lines if frame in index]
    renumbered = [
        TrackRow(index[r.frame], r.detection) for r in rows if r.frame in index
    ]
    with tempfile.TemporaryDirectory() as tmp:
        gt_file = Path(tmp) / 'gt' / sequence.name / 'gt' / 'gt.txt'
        gt_file.parent.mkdir(parents=True)
        gt_file.write_text(''.join(gt_lines))
        data = Path(tmp) / 'trackers' / 'ours' / 'data'
        data.mkdir(parents=True)
        write_results(data / f'{sequence.name}.txt', renumbered)
        dataset_config = {
            'GT_FOLDER': str(Path(tmp) / 'gt'),
            'TRACKERS_FOLDER': str(Path(tmp) / 'trackers'),
            'TRACKERS_TO_EVAL': ['ours'],
            'SEQ_INFO': {sequence.name: len(kept)},
            'BENCHMARK': 'MOT17' if gt.columns >= 9 else 'MOT15',
            'SKIP_SPLIT_FOL': True,
            'PRINT_CONFIG': False,
        }
        eval_config = {
            'USE_PARALLEL': False,
            'PRINT_RESULTS': False,
            'PRINT_CONFIG': False,
            'TIME_PROGRESS': False,
            'DISPLAY_LESS_PROGRESS': True,
            'OUTPUT_SUMMARY': False,
            'OUTPUT_DETAILED': False,
            'PLOT_CURVES': False,
            'BREAK_ON_ERROR': True,
            'RETURN_ON_ERROR': True,
            'LOG_ON_ERROR': str(Path(tmp) / 'error_log.txt'),
        }
        with contextlib.redirect_stdout(io.StringIO()):  # TrackEval prints its settings
            metrics = [
                trackeval.metrics.HOTA(),
                trackeval.metrics.CLEAR({'PRINT_CONFIG': False}),
                trackeval.metrics.Identity({'PRINT_CONFIG': False}),
            ]
            evaluator = trackeval.Evaluator(eval_config)
            dataset = trackeval.datasets.MotChallenge2DBox(dataset_config)
            results, messages = evaluator.evaluate([dataset], metrics)
    message = messages['MotChallenge2DBox']['ours']
    if message != 'Success':
        raise MotFormatError(f'TrackEval could not score {sequence.path}: {message}')
    found = results['MotChallenge2DBox']['ours'][sequence.name]['pedestrian']
    merged = {**found['HOTA'], **found['CLEAR'], **found['Identity']}
    return {
        name: float(np.mean(merged[name])) if name in ('HOTA', 'DetA', 'AssA')
        else float(merged[name])
        for name in METRICS
    }
