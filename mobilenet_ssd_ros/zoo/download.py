r"""
Fetch the manifest's releases, only when a user asks (`mobilenet-ssd models --download`).

A robot must not reach for the internet at start-up, and most cannot, so nothing else in
the package downloads. Every file is verified against the digest pinned in the manifest
before it is installed, and installed atomically: a failed or tampered download leaves
nothing behind. Digests are either a sha256 of the file or, where a release is pinned
by a git tree, the git blob id (SHA-1 of `blob <size>\\0` followed by the bytes).
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

import hashlib
import io
from pathlib import Path
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile

from .lookup import DEFAULT_ENTRY, ResolvedModel, ZooEntry
from ..core.labels import LabelMap
from ..places import cache_dir

DOWNLOAD_TIMEOUT_S = 20.0


class ModelDownloadError(RuntimeError):
    """Downloading or verifying a model failed."""


def digest_of(data: bytes, kind: str) -> str:
    """`kind:<hex>` of `data`, for kind "sha256" or "gitblob"."""
    if kind == 'sha256':
        return 'sha256:' + hashlib.sha256(data).hexdigest()
    if kind == 'gitblob':
        return 'gitblob:' + hashlib.sha1(b'blob %d\0' % len(data) + data).hexdigest()
    raise ValueError(f'unknown digest kind {kind!r}')


def _fetch(url: str, entry: ZooEntry, dest: Path, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, 'reason', exc)
        raise ModelDownloadError(
            f'could not download {entry.name} from {url}: {reason}. Without internet, copy '
            f'{entry.model_file} ({entry.digest}) into {dest}/'
        ) from exc


def _from_archive(archive: bytes, url: str, entry: ZooEntry) -> tuple[bytes, bytes | None]:
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as z:
            members = {Path(n).name: n for n in z.namelist()}
            if entry.model_file not in members:
                raise ModelDownloadError(f'{url}: archive has no {entry.model_file}')
            labels = z.read(members[entry.labels_file]) if entry.labels_file in members else None
            return z.read(members[entry.model_file]), labels
    except zipfile.BadZipFile as exc:
        raise ModelDownloadError(f'{url}: not a zip archive ({exc})') from exc


def download(
    entry: ZooEntry = DEFAULT_ENTRY,
    dest_dir: Path | None = None,
    url: str | None = None,
    labels_url: str | None = None,
    timeout: float = DOWNLOAD_TIMEOUT_S,
) -> ResolvedModel:
    """
    Fetch the release (a zip archive, or a bare .tflite plus its label file).

    Check the model's digest, and move the files into `dest_dir/<name>/` only when all checked out.
    """
    url = url or entry.url
    dest = (dest_dir or cache_dir()) / entry.name
    payload = _fetch(url, entry, dest, timeout)
    if payload[:4] == b'PK\x03\x04':
        model_bytes, labels_bytes = _from_archive(payload, url, entry)
    else:
        model_bytes = payload
        labels_source = labels_url or entry.labels_url
        labels_bytes = _fetch(labels_source, entry, dest, timeout) if labels_source else None
    kind = entry.digest.partition(':')[0]
    digest = digest_of(model_bytes, kind)
    if digest != entry.digest:
        raise ModelDownloadError(
            f'{url}: {entry.model_file} has {digest}, expected {entry.digest}; not installed'
        )
    if labels_bytes is not None:
        try:
            labels = LabelMap.parse(labels_bytes.decode('utf-8'))
        except UnicodeDecodeError:
            labels = LabelMap({})
        if len(labels) < 80 or labels.name(0) != 'person':
            raise ModelDownloadError(
                f'{entry.name}: the label file is not a COCO label map; not installed'
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
    return ResolvedModel(
        entry,
        dest / entry.model_file,
        dest / entry.labels_file if labels_bytes is not None else None,
    )
