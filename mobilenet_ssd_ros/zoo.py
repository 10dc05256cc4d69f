"""The model zoo: known models by (alpha, resolution), where to find them, how to get them.

A model is looked up by MobileNet's two knobs, the width multiplier `alpha` and the
square input `resolution`. Files are searched, in order, in
1. the cache directory: `$MOBILENET_SSD_MODEL_DIR`, default
   `~/.cache/mobilenet_ssd_ros/models` (honours `$XDG_CACHE_HOME`);
2. directories the caller adds, then those in `$MOBILENET_SSD_MODEL_PATH`
   (`os.pathsep`-separated);
3. `../shared/models` relative to the working directory and to this source checkout
   (the project's shared data on development and CI machines).
Each directory holds one folder per model, named like the entry (`<dir>/<name>/<file>`).
Downloads happen only when asked for (`mobilenet-ssd models --download`): a robot must
not reach for the internet at start-up, and most cannot.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ZooEntry:
    """One known model: its knobs, its files, and the release it is published in."""

    name: str  # folder name in a model directory
    alpha: float
    resolution: int
    url: str  # archive of the release; empty for models built here (mobilenet-ssd zoo build)
    sha256: str  # of the model file itself, checked after download
    model_file: str = "detect.tflite"
    labels_file: str = "labelmap.txt"
    description: str = ""

    @property
    def key(self) -> tuple[float, int]:
        return (self.alpha, self.resolution)


MANIFEST: tuple[ZooEntry, ...] = (
    ZooEntry(
        name="ssd_mobilenet_v1_1.0_quant_coco",
        alpha=1.0,
        resolution=300,
        url="https://storage.googleapis.com/download.tensorflow.org/models/tflite/"
        "coco_ssd_mobilenet_v1_1.0_quant_2018_06_29.zip",
        sha256="e4b118e5e4531945de2e659742c7c590f7536f8d0ed26d135abcfe83b4779d13",
        description="coco_ssd_mobilenet_v1_1.0_quant_2018_06_29 (TFLite hosted models, "
        "Apache-2.0): uint8, 90 COCO ids, 10 detections",
    ),
)
DEFAULT_ENTRY = MANIFEST[0]
DOWNLOAD_TIMEOUT_S = 20.0


class ModelNotAvailableError(LookupError):
    """The requested model is not in the manifest or not on this machine."""


class ModelDownloadError(RuntimeError):
    """Downloading or verifying a model failed."""


@dataclass(frozen=True)
class ResolvedModel:
    """A zoo entry found on disk."""

    entry: ZooEntry
    model_path: Path
    labels_path: Path | None


def cache_dir() -> Path:
    """Where downloads go and where lookups look first."""
    env = os.environ.get("MOBILENET_SSD_MODEL_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "mobilenet_ssd_ros" / "models"


def shared_roots() -> list[Path]:
    """Where the project's shared data may be: `../shared` of the working directory and of
    this source checkout."""
    return [Path.cwd().parent / "shared", Path(__file__).resolve().parents[2] / "shared"]


def search_dirs(extra_dirs: Iterable[str | Path] = ()) -> list[Path]:
    """Model directories in lookup order (see module docstring), without duplicates."""
    dirs = [cache_dir(), *map(Path, extra_dirs)]
    dirs += [Path(p) for p in os.environ.get("MOBILENET_SSD_MODEL_PATH", "").split(os.pathsep) if p]
    dirs += [root / "models" for root in shared_roots()]
    unique: list[Path] = []
    for d in dirs:
        d = d.expanduser()
        if d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


BUILT_INFO = "model.json"  # written by zoo_build next to each model it builds


def built_entries(extra_dirs: Iterable[str | Path] = ()) -> list[ZooEntry]:
    """Models built by `mobilenet-ssd zoo build`, found by their model.json in the
    search directories (first one wins for a name)."""
    found: dict[str, ZooEntry] = {}
    for d in search_dirs(extra_dirs):
        for info_file in sorted(d.glob(f"*/{BUILT_INFO}")) if d.is_dir() else []:
            try:
                info = json.loads(info_file.read_text())
                entry = ZooEntry(name=info["name"], alpha=float(info["alpha"]), resolution=int(info["resolution"]),
                                 url="", sha256=info["sha256"], model_file=info.get("model_file", "detect.tflite"),
                                 labels_file=info.get("labels_file", "labelmap.txt"),
                                 description=f"built from {info['source']}, max {info['max_detections']} detections")
            except (OSError, ValueError, KeyError):
                continue  # not ours, or damaged: ignore rather than break every lookup
            found.setdefault(entry.name, entry)
    return list(found.values())


def entries(alpha: float | None = None, resolution: int | None = None,
            extra_dirs: Iterable[str | Path] = ()) -> list[ZooEntry]:
    """Known models matching the given knobs (all when none are given): the manifest's
    releases first, then models built on this machine."""
    return [
        e
        for e in [*MANIFEST, *built_entries(extra_dirs)]
        if (alpha is None or abs(e.alpha - alpha) < 1e-6) and (resolution is None or e.resolution == resolution)
    ]


def locate(entry: ZooEntry, extra_dirs: Iterable[str | Path] = ()) -> ResolvedModel | None:
    """The first copy of `entry` in the search directories, or None."""
    for d in search_dirs(extra_dirs):
        model = d / entry.name / entry.model_file
        if model.is_file():
            labels = model.parent / entry.labels_file
            return ResolvedModel(entry, model, labels if labels.is_file() else None)
    return None


def find(alpha: float = 1.0, resolution: int = 300, extra_dirs: Sequence[str | Path] = ()) -> ResolvedModel:
    """Find the model for (alpha, resolution) on this machine, or say clearly what exists."""
    wanted = entries(alpha, resolution, extra_dirs)
    if not wanted:
        known = ", ".join(sorted({f"alpha={e.alpha} resolution={e.resolution}" for e in entries(extra_dirs=extra_dirs)}))
        raise ModelNotAvailableError(
            f"no model with alpha={alpha} resolution={resolution} in the zoo; known: {known}. "
            "Other resolutions can be built: mobilenet-ssd zoo build --resolution R"
        )
    for entry in wanted:
        found = locate(entry, extra_dirs)
        if found:
            return found
    on_disk = [f"alpha={e.alpha} resolution={e.resolution}" for e in entries(extra_dirs=extra_dirs)
               if locate(e, extra_dirs)]
    raise ModelNotAvailableError(
        f"model alpha={alpha} resolution={resolution} ({wanted[0].name}) is not on this machine; "
        f"searched: {', '.join(str(d) for d in search_dirs(extra_dirs))}. "
        f"Available here: {', '.join(on_disk) or 'none'}. "
        "Download it with `mobilenet-ssd models --download` (needs internet) or copy "
        f"{wanted[0].model_file} into {cache_dir() / wanted[0].name}/"
    )


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download(entry: ZooEntry = DEFAULT_ENTRY, dest_dir: Path | None = None, url: str | None = None,
             timeout: float = DOWNLOAD_TIMEOUT_S) -> ResolvedModel:
    """Fetch the release archive, extract the model and labels, check the model's sha256,
    and move them into `dest_dir/<name>/` only when everything checked out."""
    url = url or entry.url
    dest = (dest_dir or cache_dir()) / entry.name
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            archive = response.read()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ModelDownloadError(
            f"could not download {entry.name} from {url}: {reason}. Without internet, copy "
            f"{entry.model_file} (sha256 {entry.sha256}) into {dest}/"
        ) from exc
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as z:
            members = {Path(n).name: n for n in z.namelist()}
            if entry.model_file not in members:
                raise ModelDownloadError(f"{url}: archive has no {entry.model_file}")
            model_bytes = z.read(members[entry.model_file])
            labels_bytes = z.read(members[entry.labels_file]) if entry.labels_file in members else None
    except zipfile.BadZipFile as exc:
        raise ModelDownloadError(f"{url}: not a zip archive ({exc})") from exc
    digest = hashlib.sha256(model_bytes).hexdigest()
    if digest != entry.sha256:
        raise ModelDownloadError(
            f"{url}: {entry.model_file} has sha256 {digest}, expected {entry.sha256}; not installed"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        staged = Path(tmp) / entry.name
        staged.mkdir()
        (staged / entry.model_file).write_bytes(model_bytes)
        if labels_bytes is not None:
            (staged / entry.labels_file).write_bytes(labels_bytes)
        if dest.exists():
            shutil.rmtree(dest)
        staged.rename(dest)
    return ResolvedModel(entry, dest / entry.model_file,
                         dest / entry.labels_file if labels_bytes is not None else None)
