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
Which models exist, keyed by (alpha, resolution), and where they are on this machine.

`alpha` is the width the network really has, measured from its graph (the first
convolution has 32 x alpha channels; see graph.py), never the name a release was
published under: Google's `coco_ssd_mobilenet_v1_1.0_quant` release is 0.75 wide and is
keyed (0.75, 300). Manifest entries state the width of their published file (a test
measures it for every file present); built models record the width measured from their
own graph in their model.json.

Files are searched, in order, in
1. the cache directory: `$MOBILENET_SSD_MODEL_DIR`, default
   `~/.cache/mobilenet_ssd_ros/models` (honours `$XDG_CACHE_HOME`);
2. directories the caller adds, then those in `$MOBILENET_SSD_MODEL_PATH`
   (`os.pathsep`-separated);
3. the models this package ships (shipped_dir(): the top-level `models/` folder, installed
   to `share/mobilenet_ssd_ros/models` by colcon and by pip);
4. `$MOBILENET_SSD_SHARED_DIR/models`, where a development checkout keeps the project's
   shared data (tools/env.sh sets it to `../shared`).
Nothing is derived from the working directory, so an installed node searches the same
places wherever it was started.
Several models may share a key: a release of the manifest wins, then a trained model (the
distillation trainer's, which learned at its resolution), then an untrained rebuild.
Each directory holds one folder per model (`<dir>/<name>/<model file>`). Downloads happen
only when asked for (`mobilenet-ssd models --download`, see download.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
import json
import math
import os
from pathlib import Path
import shutil
import sys
from typing import Any

from ..core.detector import Detector

PACKAGE = 'mobilenet_ssd_ros'
MODEL_INFO = 'model.json'  # written by the zoo builder (and the trainer) beside each model
# google-coral/test_data at the commit that pins Coral's files
CORAL_DATA = (
    'https://github.com/google-coral/test_data/raw/104342d2d3480b3e66203073dac24f4e2dbb4c41'
)


@dataclass(frozen=True)
class ZooEntry:
    """One known model: its knobs, its files, and where it is published."""

    name: str  # folder name in a model directory
    alpha: float  # the width of the graph, measured (first convolution channels / 32)
    resolution: int
    url: str = ''  # the release: a zip archive or a bare .tflite; empty for models built here
    digest: str = ''  # of the model file: "sha256:<hex>" or "gitblob:<sha1 of git's blob object>"
    labels_url: str = ''  # the label file's own URL where the release is a bare .tflite
    model_file: str = 'detect.tflite'
    labels_file: str = 'labelmap.txt'
    description: str = ''
    trained: bool = False  # made by the distillation trainer (training/), not rebuilt
    # '' for the plain model of its key; a named variant (e.g. 'weather', trained on
    # synthetic bad weather) is found only when asked for by that name
    variant: str = ''


MANIFEST: tuple[ZooEntry, ...] = (
    ZooEntry(
        name='ssd_mobilenet_v1_1.0_quant_coco',  # the release's name; its graph is 0.75 wide
        alpha=0.75,
        resolution=300,
        url='https://storage.googleapis.com/download.tensorflow.org/models/tflite/'
        'coco_ssd_mobilenet_v1_1.0_quant_2018_06_29.zip',
        digest='sha256:e4b118e5e4531945de2e659742c7c590f7536f8d0ed26d135abcfe83b4779d13',
        description='coco_ssd_mobilenet_v1_1.0_quant_2018_06_29 (TFLite hosted models, '
        "Apache-2.0): released as '1.0', 0.75 wide; uint8, 90 COCO ids, 10 detections",
    ),
    ZooEntry(
        name='ssd_mobilenet_v1_coco_quant_postprocess',
        alpha=1.0,
        resolution=300,
        url=f'{CORAL_DATA}/ssd_mobilenet_v1_coco_quant_postprocess.tflite',
        digest='gitblob:1a2270d37dd7d0f84acc49e069391312e697cf12',
        labels_url=f'{CORAL_DATA}/coco_labels.txt',
        model_file='ssd_mobilenet_v1_coco_quant_postprocess.tflite',
        labels_file='coco_labels.txt',
        description="Coral's ssd_mobilenet_v1_coco_quant_postprocess (google-coral/test_data, "
        'Apache-2.0): 1.0 wide, uint8, COCO; not measured by this project',
    ),
)
DEFAULT_ENTRY = MANIFEST[0]


class ModelNotAvailableError(LookupError):
    """The requested model is not on this machine; the message lists what is."""


@dataclass(frozen=True)
class ResolvedModel:
    """A model file found on disk, with what the zoo knows of it."""

    entry: ZooEntry
    model_path: Path
    labels_path: Path | None

    @property
    def model_id(self) -> str:
        return self.entry.name


def cli_command() -> str:
    """
    How the CLI is run in this install, for hints.

    The console script of a pip install, or `ros2 run` in a colcon workspace, which installs no
    console script.
    """
    return (
        'mobilenet-ssd'
        if shutil.which('mobilenet-ssd')
        else 'ros2 run mobilenet_ssd_ros mobilenet-ssd'
    )


def format_pair(alpha: float, resolution: int) -> str:
    """How every message and listing writes a model's key."""
    return f'(alpha {alpha:g}, resolution {resolution})'


def cache_dir() -> Path:
    """Where downloads and builds go and where lookups look first."""
    env = os.environ.get('MOBILENET_SSD_MODEL_DIR')
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get('XDG_CACHE_HOME') or str(Path.home() / '.cache')
    return Path(xdg) / 'mobilenet_ssd_ros' / 'models'


def shared_dir() -> Path | None:
    """Return the shared data folder (models/, data/) if `$MOBILENET_SSD_SHARED_DIR` names it."""
    env = os.environ.get('MOBILENET_SSD_SHARED_DIR')
    return Path(env).expanduser() if env else None


def shipped_dir() -> Path | None:
    """
    Return the folder of the trained models this package ships, where it is installed.

    In a ROS install the package's share directory (from the ament index); in a pip install
    `<prefix>/share/mobilenet_ssd_ros/models` (setup.py's data_files); in a source checkout
    (an editable install, the tests) the checkout's own `models/`, next to package.xml.
    """
    candidates = []
    try:
        from ament_index_python.packages import get_package_share_directory

        candidates.append(Path(get_package_share_directory(PACKAGE)) / 'models')
    except (ImportError, LookupError, ValueError):
        pass  # no ROS, or this package is not in the ament index
    candidates.append(Path(sys.prefix) / 'share' / PACKAGE / 'models')
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / 'package.xml').is_file():
        candidates.append(checkout / 'models')
    return next((c for c in candidates if c.is_dir()), None)


def search_dirs(extra_dirs: Iterable[str | Path] = ()) -> list[Path]:
    """Model directories in lookup order (see module docstring), without duplicates."""
    dirs = [cache_dir(), *map(Path, extra_dirs)]
    dirs += [
        Path(p) for p in os.environ.get('MOBILENET_SSD_MODEL_PATH', '').split(os.pathsep) if p
    ]
    shipped = shipped_dir()
    if shipped is not None:
        dirs.append(shipped)
    shared = shared_dir()
    if shared is not None:
        dirs.append(shared / 'models')
    unique: list[Path] = []
    for d in dirs:
        d = d.expanduser()
        if d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def _built_entry(info_file: Path) -> ZooEntry | None:
    """Return the entry a model.json describes, or None if the file is not one of ours."""
    try:
        info = json.loads(info_file.read_text())
        trained = bool(info.get('trained', False))
        return ZooEntry(
            name=info_file.parent.name,
            alpha=float(info['alpha']),
            resolution=int(info['resolution']),
            digest=f'sha256:{info["sha256"]}',
            model_file=info.get('model_file', 'detect.tflite'),
            labels_file=info.get('labels_file', 'labelmap.txt'),
            description=(
                f'distilled from {info["source"]} on {", ".join(info["training_pools"])} '
                f'({info["steps"]} steps)'
                if trained
                else f'built from {info["source"]}'
            )
            + f', max {info["max_detections"]} detections',
            trained=trained,
            variant=str(info.get('variant', '')),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # damaged or foreign: ignore it rather than break every lookup


def built_entries(extra_dirs: Iterable[str | Path] = ()) -> list[ZooEntry]:
    """
    Models built on this machine.

    Found by their model.json in the search directories (the first one wins for a name).
    """
    found: dict[str, ZooEntry] = {}
    for d in search_dirs(extra_dirs):
        for info_file in sorted(d.glob(f'*/{MODEL_INFO}')) if d.is_dir() else []:
            entry = _built_entry(info_file)
            if entry is not None:
                found.setdefault(entry.name, entry)
    return list(found.values())


def _same(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


def entries(
    alpha: float | None = None,
    resolution: int | None = None,
    extra_dirs: Iterable[str | Path] = (),
    variant: str | None = None,
) -> list[ZooEntry]:
    """
    Known models matching the given knobs (all when none are given; any variant when None).

    The manifest's releases first, then models built on this machine.
    """
    return [
        e
        for e in [*MANIFEST, *built_entries(extra_dirs)]
        if (alpha is None or _same(e.alpha, alpha))
        and (resolution is None or e.resolution == resolution)
        and (variant is None or e.variant == variant)
    ]


def locate(entry: ZooEntry, extra_dirs: Iterable[str | Path] = ()) -> ResolvedModel | None:
    """Return the first copy of `entry` in the search directories, or None."""
    for d in search_dirs(extra_dirs):
        model = d / entry.name / entry.model_file
        if model.is_file():
            labels = model.parent / entry.labels_file
            return ResolvedModel(entry, model, labels if labels.is_file() else None)
    return None


def available_pairs(extra_dirs: Iterable[str | Path] = ()) -> list[tuple[float, int]]:
    """(alpha, resolution) of every plain model (no variant) on this machine, sorted."""
    return sorted(
        {
            (e.alpha, e.resolution)
            for e in entries(extra_dirs=extra_dirs, variant='')
            if locate(e, extra_dirs)
        }
    )


def _available_text(extra_dirs: Iterable[str | Path]) -> str:
    pairs = available_pairs(extra_dirs)
    return ', '.join(format_pair(a, r) for a, r in pairs) if pairs else 'none'


def _precedence(entry: ZooEntry) -> int:
    """Order of models that share a key: the release, then trained, then rebuilt."""
    return 0 if entry in MANIFEST else 1 if entry.trained else 2


def find(
    alpha: float = DEFAULT_ENTRY.alpha,
    resolution: int = DEFAULT_ENTRY.resolution,
    extra_dirs: Sequence[str | Path] = (),
    variant: str = '',
) -> ResolvedModel:
    """
    Find the model for (alpha, resolution), and `variant` if one is named, on this machine.

    Where there is none, the error lists the pairs that do exist here and how to get the one
    asked for.
    """
    if variant:
        found = [
            located
            for e in sorted(entries(alpha, resolution, extra_dirs, variant), key=_precedence)
            if (located := locate(e, extra_dirs))
        ]
        if found:
            return found[0]
        known = sorted({e.variant for e in entries(extra_dirs=extra_dirs) if e.variant})
        raise ModelNotAvailableError(
            f'no {variant!r} variant of {format_pair(alpha, resolution)} on this machine; '
            f'variants here: {", ".join(repr(v) for v in known) or "none"} (searched '
            f'{", ".join(str(d) for d in search_dirs(extra_dirs))})'
        )
    wanted = sorted(entries(alpha, resolution, extra_dirs, variant=''), key=_precedence)
    for entry in wanted:
        found = locate(entry, extra_dirs)
        if found:
            return found
    if wanted:
        hint = (
            f'it is {wanted[0].name}: `{cli_command()} models --download` fetches it (needs '
            'internet), or copy '
            f'{wanted[0].model_file} into {cache_dir() / wanted[0].name}/'
        )
    elif entries(alpha, None, extra_dirs):
        hint = f'build it: `{cli_command()} zoo build --alpha {alpha:g} --resolution {resolution}`'
    else:
        hint = f'no model of width {alpha:g} is known'
    raise ModelNotAvailableError(
        f'no model {format_pair(alpha, resolution)} on this machine; available here: '
        f'{_available_text(extra_dirs)} (searched '
        f'{", ".join(str(d) for d in search_dirs(extra_dirs))}); {hint}'
    )


def resolve(
    model: str | Path | None = None,
    alpha: float = DEFAULT_ENTRY.alpha,
    resolution: int = DEFAULT_ENTRY.resolution,
    extra_dirs: Sequence[str | Path] = (),
    variant: str = '',
) -> ResolvedModel:
    """
    Resolve an explicit model file, or the zoo's model for (alpha, resolution, variant).

    Nothing of an explicit file is read here (its width is unknown, nan, until the file has been
    checked and loaded; see open_detector).
    """
    if model is None:
        return find(alpha, resolution, extra_dirs, variant)
    path = Path(model)
    return ResolvedModel(
        ZooEntry(
            name=f'{path.parent.name}/{path.name}',
            alpha=math.nan,
            resolution=0,
            model_file=path.name,
        ),
        path,
        None,
    )


def open_detector(
    model: str | Path | None = None,
    alpha: float = DEFAULT_ENTRY.alpha,
    resolution: int = DEFAULT_ENTRY.resolution,
    labels: str | Path | None = None,
    extra_dirs: Sequence[str | Path] = (),
    variant: str = '',
    **detector_options: Any,
) -> Detector:
    """
    Open a Detector for an explicit file or the zoo's (alpha, resolution).

    Labelled with the model's zoo name and measured width (what ~/stats and reports show).
    """
    found = resolve(model, alpha, resolution, extra_dirs, variant)
    detector = Detector(
        found.model_path,
        labels=labels if labels is not None else found.labels_path,
        model_id=found.model_id,
        alpha=found.entry.alpha,
        **detector_options,
    )
    if model is not None:  # an explicit file, now known to be a loadable model: measure its width
        from .graph import measured_width  # the flatbuffer schema: only needed here

        detector.alpha = measured_width(found.model_path)
    return detector
