"""Model zoo: lookup by (alpha, resolution), search path, verified download."""
from __future__ import annotations

import shutil
import time
import zipfile
from dataclasses import replace

import pytest
from conftest import MODEL_DIR, REPO

from mobilenet_ssd_ros import zoo


@pytest.fixture
def empty_cache(monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    monkeypatch.setenv("MOBILENET_SSD_MODEL_DIR", str(cache))
    monkeypatch.delenv("MOBILENET_SSD_MODEL_PATH", raising=False)
    return cache


def test_default_entry_is_the_classic_release():
    entry = zoo.entries(1.0, 300)[0]
    assert entry is zoo.DEFAULT_ENTRY
    assert "coco_ssd_mobilenet_v1_1.0_quant_2018_06_29.zip" in entry.url
    assert entry.sha256 == "e4b118e5e4531945de2e659742c7c590f7536f8d0ed26d135abcfe83b4779d13"


def test_finds_the_shared_model(empty_cache):
    found = zoo.find(1.0, 300)
    assert found.model_path.resolve() == (MODEL_DIR / "detect.tflite").resolve()
    assert found.labels_path.name == "labelmap.txt"


def test_cache_directory_wins(empty_cache):
    target = empty_cache / zoo.DEFAULT_ENTRY.name
    target.mkdir(parents=True)
    shutil.copy(MODEL_DIR / "detect.tflite", target / "detect.tflite")
    assert zoo.find(1.0, 300).model_path == target / "detect.tflite"
    assert zoo.search_dirs()[0] == empty_cache


def test_user_directories_are_searched(monkeypatch, empty_cache, tmp_path):
    mine = tmp_path / "mine"
    (mine / zoo.DEFAULT_ENTRY.name).mkdir(parents=True)
    shutil.copy(MODEL_DIR / "detect.tflite", mine / zoo.DEFAULT_ENTRY.name / "detect.tflite")
    assert zoo.find(1.0, 300, [mine]).model_path.parent.parent == mine
    monkeypatch.setenv("MOBILENET_SSD_MODEL_PATH", str(mine))
    assert zoo.find(1.0, 300).model_path.parent.parent == mine


def test_default_cache_is_under_xdg_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("MOBILENET_SSD_MODEL_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert zoo.cache_dir() == tmp_path / "mobilenet_ssd_ros" / "models"


def test_unknown_knobs_list_what_exists():
    with pytest.raises(zoo.ModelNotAvailableError, match="alpha=0.5 resolution=128.*known: alpha=1.0 resolution=300"):
        zoo.find(0.5, 128)


def test_known_but_absent_model_says_where_it_looked(monkeypatch, empty_cache, tmp_path):
    monkeypatch.chdir(tmp_path)  # no ../shared from here
    monkeypatch.setattr(zoo, "__file__", str(tmp_path / "a" / "b" / "zoo.py"))  # nor from the source tree
    with pytest.raises(zoo.ModelNotAvailableError, match="not on this machine; searched:.*Available here: none.*--download"):
        zoo.find(1.0, 300)


def _release_zip(tmp_path, model_bytes: bytes) -> str:
    archive = tmp_path / "release.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("detect.tflite", model_bytes)
        z.writestr("labelmap.txt", (MODEL_DIR / "labelmap.txt").read_text())
    return archive.as_uri()


def test_download_extracts_and_verifies(empty_cache, tmp_path, model_bytes):
    found = zoo.download(url=_release_zip(tmp_path, model_bytes))
    assert found.model_path == empty_cache / zoo.DEFAULT_ENTRY.name / "detect.tflite"
    assert zoo.sha256_of(found.model_path) == zoo.DEFAULT_ENTRY.sha256
    assert found.labels_path.read_text().startswith("???")
    assert zoo.find(1.0, 300).model_path == found.model_path


def test_download_with_wrong_checksum_installs_nothing(empty_cache, tmp_path, model_bytes):
    with pytest.raises(zoo.ModelDownloadError, match="has sha256 .* expected e4b118"):
        zoo.download(url=_release_zip(tmp_path, model_bytes[:-1] + b"x"))
    assert not (empty_cache / zoo.DEFAULT_ENTRY.name).exists()


def test_download_without_network_fails_fast_and_says_what_to_do(empty_cache):
    start = time.monotonic()
    entry = replace(zoo.DEFAULT_ENTRY, url="http://127.0.0.1:9/model.zip")  # nothing listens there
    with pytest.raises(zoo.ModelDownloadError, match="could not download.*copy detect.tflite"):
        zoo.download(entry, timeout=5)
    assert time.monotonic() - start < 5


def test_source_checkout_finds_shared_models():
    assert REPO.parent / "shared" / "models" in [p for p in zoo.search_dirs()]
