"""
Which models exist, keyed by (alpha, resolution), and where they are on this machine.

`alpha` is the width the network really has, measured from its graph (the first
convolution has 32 x alpha channels; see graph.py), never the name a release was
published under: Google's `coco_ssd_mobilenet_v1_1.0_quant` release is 0.75 wide and is
keyed (0.75, 300). Manifest entries state the width of their published file (a test
measures it for every file present); models made here record the width measured from
their own graph in their model.json (metadata.py).

The folders searched, and their order, are places.model_dirs(). Several models may share
a key: a release of the manifest wins, then a trained model (the distillation trainer's,
which learned at its resolution), then an untrained rebuild. Each directory holds one
folder per model (`<dir>/<name>/<model file>`). One lookup scans the folders once
(Catalogue). Downloads happen only when asked for (download.py).
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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .metadata import MetadataError, MODEL_INFO, ModelMetadata
from ..places import cache_dir, model_dirs

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

    @property
    def kind(self) -> str:
        """'release', 'trained' (with its variant in brackets) or 'rebuilt'."""
        kind = 'release' if self in MANIFEST else 'trained' if self.trained else 'rebuilt'
        return kind + (f' ({self.variant})' if self.variant else '')


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
    """
    The requested model is not on this machine: what is here, and what would get it.

    The zoo does not know how its CLI is spelled in an install (a console script, or
    `ros2 run`): the remedy is kept as fields, and `hint(cli)` spells it out.
    """

    def __init__(
        self, problem: str, remedy: str = '', command: Sequence[str] = (), after: str = ''
    ):
        super().__init__(problem)
        self.problem = problem  # what is missing, what is here, where it was searched
        self.remedy = remedy  # what would help, in words ('build it', 'it is <name>')
        self.command = tuple(command)  # the CLI arguments that do it, if a command does
        self.after = after  # what the command does or needs, in words

    def hint(self, cli: str) -> str:
        """Return the whole message, the command run as `cli` (e.g. 'mobilenet-ssd')."""
        text = self.problem + (f'; {self.remedy}' if self.remedy else '')
        if self.command:
            text += f': `{cli} {" ".join(self.command)}`' + (
                f' {self.after}' if self.after else ''
            )
        return text

    def __str__(self) -> str:
        return self.problem + (f'; {self.remedy}' if self.remedy else '')


@dataclass(frozen=True)
class ResolvedModel:
    """A model file found on disk, with what the zoo knows of it."""

    entry: ZooEntry
    model_path: Path
    labels_path: Path | None

    @property
    def model_id(self) -> str:
        return self.entry.name


def format_pair(alpha: float, resolution: int) -> str:
    """How every message and listing writes a model's key."""
    return f'(alpha {alpha:g}, resolution {resolution})'


def entry_of(info: ModelMetadata, folder: str) -> ZooEntry:
    """
    Return the zoo entry of a model this project made (a rebuild or a trained model).

    Its name is its `folder`'s: a model is found by the folder it is in, whatever name it
    was made with.
    """
    details = info.details
    origin = (
        f'distilled from {info.source} on {", ".join(details.get("training_pools", []))} '
        f'({details.get("steps")} steps)'
        if info.trained
        else f'built from {info.source}'
    )
    return ZooEntry(
        name=folder,
        alpha=info.alpha,
        resolution=info.resolution,
        digest=f'sha256:{info.sha256}',
        model_file=info.model_file,
        labels_file=info.labels_file,
        description=f'{origin}, max {info.max_detections} detections',
        trained=info.trained,
        variant=info.variant,
    )


def _same(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


def _precedence(entry: ZooEntry) -> int:
    """Order of models that share a key: the release, then trained, then rebuilt."""
    return 0 if entry in MANIFEST else 1 if entry.trained else 2


class Catalogue:
    """
    Every model known here, scanned once: the manifest and each model.json in the folders.

    A folder's name is the model's name; the first folder of a name in the search order
    wins, and a model's files are looked for in the folders in that order.
    """

    def __init__(self, extra_dirs: Iterable[str | Path] = ()):
        self.dirs = model_dirs(extra_dirs)
        made: dict[str, ZooEntry] = {}
        for d in self.dirs:
            for info_file in sorted(d.glob(f'*/{MODEL_INFO}')) if d.is_dir() else []:
                try:
                    info = ModelMetadata.read(info_file.parent)
                except MetadataError:
                    continue  # damaged or foreign: ignore it rather than break every lookup
                made.setdefault(info_file.parent.name, entry_of(info, info_file.parent.name))
        self.entries: list[ZooEntry] = [*MANIFEST, *made.values()]
        self._found = {e: self._locate(e) for e in self.entries}

    def _locate(self, entry: ZooEntry) -> ResolvedModel | None:
        for d in self.dirs:
            model = d / entry.name / entry.model_file
            if model.is_file():
                labels = model.parent / entry.labels_file
                return ResolvedModel(entry, model, labels if labels.is_file() else None)
        return None

    def locate(self, entry: ZooEntry) -> ResolvedModel | None:
        """Return the first copy of `entry` in the search directories, or None."""
        return self._found[entry] if entry in self._found else self._locate(entry)

    def select(
        self,
        alpha: float | None = None,
        resolution: int | None = None,
        variant: str | None = None,
    ) -> list[ZooEntry]:
        """Known models matching the knobs (all when none are given; any variant when None)."""
        return [
            e
            for e in self.entries
            if (alpha is None or _same(e.alpha, alpha))
            and (resolution is None or e.resolution == resolution)
            and (variant is None or e.variant == variant)
        ]

    def available_pairs(self) -> list[tuple[float, int]]:
        """(alpha, resolution) of every plain model (no variant) on this machine, sorted."""
        return sorted({(e.alpha, e.resolution) for e in self.select(variant='') if self.locate(e)})

    def _searched(self) -> str:
        return ', '.join(str(d) for d in self.dirs)

    def find(self, alpha: float, resolution: int, variant: str = '') -> ResolvedModel:
        """
        Find the model for (alpha, resolution), and `variant` if one is named.

        Where there is none, the error lists the pairs (or variants) that exist here and what
        would get the one asked for.
        """
        wanted = sorted(self.select(alpha, resolution, variant), key=_precedence)
        for entry in wanted:
            found = self.locate(entry)
            if found:
                return found
        if variant:
            known = sorted({e.variant for e in self.entries if e.variant})
            raise ModelNotAvailableError(
                f'no {variant!r} variant of {format_pair(alpha, resolution)} on this machine; '
                f'variants here: {", ".join(repr(v) for v in known) or "none"} (searched '
                f'{self._searched()})'
            )
        pairs = ', '.join(format_pair(a, r) for a, r in self.available_pairs()) or 'none'
        problem = (
            f'no model {format_pair(alpha, resolution)} on this machine; available here: '
            f'{pairs} (searched {self._searched()})'
        )
        if wanted:
            raise ModelNotAvailableError(
                problem,
                f'it is {wanted[0].name}',
                ('models', '--download'),
                f'fetches it (needs internet), or copy {wanted[0].model_file} into '
                f'{cache_dir() / wanted[0].name}/',
            )
        if self.select(alpha):
            raise ModelNotAvailableError(
                problem,
                'build it',
                ('zoo', 'build', '--alpha', f'{alpha:g}', '--resolution', str(resolution)),
            )
        raise ModelNotAvailableError(problem, f'no model of width {alpha:g} is known')


def entries(
    alpha: float | None = None,
    resolution: int | None = None,
    extra_dirs: Iterable[str | Path] = (),
    variant: str | None = None,
) -> list[ZooEntry]:
    """Known models matching the given knobs: the manifest's releases, then models made here."""
    return Catalogue(extra_dirs).select(alpha, resolution, variant)


def locate(entry: ZooEntry, extra_dirs: Iterable[str | Path] = ()) -> ResolvedModel | None:
    """Return the first copy of `entry` in the search directories, or None."""
    return Catalogue(extra_dirs).locate(entry)


def available_pairs(extra_dirs: Iterable[str | Path] = ()) -> list[tuple[float, int]]:
    """(alpha, resolution) of every plain model (no variant) on this machine, sorted."""
    return Catalogue(extra_dirs).available_pairs()


def find(
    alpha: float = DEFAULT_ENTRY.alpha,
    resolution: int = DEFAULT_ENTRY.resolution,
    extra_dirs: Sequence[str | Path] = (),
    variant: str = '',
) -> ResolvedModel:
    """Find the model for (alpha, resolution, variant) on this machine (Catalogue.find)."""
    return Catalogue(extra_dirs).find(alpha, resolution, variant)
