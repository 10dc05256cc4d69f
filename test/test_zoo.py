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

"""Model zoo: lookup by the measured (alpha, resolution), search path, verified download."""

from __future__ import annotations

from dataclasses import replace
import re
import shutil
import subprocess
import time
import zipfile

from conftest import available_here, MODEL_DIR, SAMPLES, SHARED
from mobilenet_ssd_ros import cli, places, zoo
from mobilenet_ssd_ros.zoo.download import digest_of, download, ModelDownloadError
from mobilenet_ssd_ros.zoo.graph import graph_stats, measured_width
import pytest

CORAL = zoo.MANIFEST[1]
SHIPPED = [places.shipped_dir()] if places.shipped_dir() else []  # the checkout's models/


@pytest.fixture
def empty_cache(monkeypatch, tmp_path):
    cache = tmp_path / 'cache'
    monkeypatch.setenv('MOBILENET_SSD_MODEL_DIR', str(cache))
    monkeypatch.delenv('MOBILENET_SSD_MODEL_PATH', raising=False)
    return cache


def test_the_release_named_1_0_is_keyed_by_its_measured_width_0_75(model_path):
    stats = graph_stats(model_path)
    assert stats.first_conv_channels == 24 and stats.width_multiplier == 0.75
    entry = zoo.entries(0.75, 300)[0]
    assert entry is zoo.DEFAULT_ENTRY and entry.name == 'ssd_mobilenet_v1_1.0_quant_coco'
    assert 'coco_ssd_mobilenet_v1_1.0_quant_2018_06_29.zip' in entry.url
    assert (
        entry.digest == 'sha256:e4b118e5e4531945de2e659742c7c590f7536f8d0ed26d135abcfe83b4779d13'
    )
    assert zoo.entries(1.0, 300) == [CORAL]  # only the true-width release answers to 1.0


def test_manifest_widths_are_the_measured_ones_for_every_file_here():
    present = [found for e in zoo.MANIFEST if (found := zoo.locate(e))]
    assert present, 'no manifest model on this machine'
    for found in present:
        assert measured_width(found.model_path) == found.entry.alpha, found.entry.name


def test_coral_release_is_pinned_by_its_git_blob():
    assert CORAL.url.endswith(
        '104342d2d3480b3e66203073dac24f4e2dbb4c41/ssd_mobilenet_v1_coco_quant_postprocess.tflite'
    )
    assert CORAL.labels_url.endswith('104342d2d3480b3e66203073dac24f4e2dbb4c41/coco_labels.txt')
    assert CORAL.digest == 'gitblob:1a2270d37dd7d0f84acc49e069391312e697cf12'
    assert CORAL.name != zoo.DEFAULT_ENTRY.name


def test_git_blob_digest_is_what_git_computes(tmp_path, model_bytes):
    path = tmp_path / 'm.tflite'
    path.write_bytes(model_bytes)
    git = subprocess.run(
        ['git', 'hash-object', str(path)], capture_output=True, text=True, check=True
    )
    assert digest_of(model_bytes, 'gitblob') == 'gitblob:' + git.stdout.strip()


def test_finds_the_shared_model(empty_cache):
    found = zoo.find(0.75, 300)
    assert found.model_path.resolve() == (MODEL_DIR / 'detect.tflite').resolve()
    assert found.labels_path.name == 'labelmap.txt' and found.model_id == zoo.DEFAULT_ENTRY.name


def test_cache_directory_wins(empty_cache):
    target = empty_cache / zoo.DEFAULT_ENTRY.name
    target.mkdir(parents=True)
    shutil.copy(MODEL_DIR / 'detect.tflite', target / 'detect.tflite')
    assert zoo.find(0.75, 300).model_path == target / 'detect.tflite'
    assert places.model_dirs()[0] == empty_cache


def test_user_directories_are_searched(monkeypatch, empty_cache, tmp_path):
    mine = tmp_path / 'mine'
    (mine / zoo.DEFAULT_ENTRY.name).mkdir(parents=True)
    shutil.copy(MODEL_DIR / 'detect.tflite', mine / zoo.DEFAULT_ENTRY.name / 'detect.tflite')
    monkeypatch.delenv('MOBILENET_SSD_SHARED_DIR')
    assert zoo.find(0.75, 300, [mine]).model_path.parent.parent == mine
    monkeypatch.setenv('MOBILENET_SSD_MODEL_PATH', str(mine))
    assert zoo.find(0.75, 300).model_path.parent.parent == mine


def test_default_cache_is_under_xdg_cache(monkeypatch, tmp_path):
    monkeypatch.delenv('MOBILENET_SSD_MODEL_DIR', raising=False)
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path))
    assert places.cache_dir() == tmp_path / 'mobilenet_ssd_ros' / 'models'


def test_missing_pair_lists_the_pairs_on_this_machine(empty_cache):
    with pytest.raises(zoo.ModelNotAvailableError) as info:
        zoo.find(0.5, 128)
    assert str(info.value).startswith(
        f'no model (alpha 0.5, resolution 128) on this machine; available here: {available_here()}'
    )
    with pytest.raises(zoo.ModelNotAvailableError) as info:
        zoo.find(0.75, 96)
    assert info.value.command == ('zoo', 'build', '--alpha', '0.75', '--resolution', '96')
    assert info.value.hint('mobilenet-ssd').endswith(
        'build it: `mobilenet-ssd zoo build --alpha 0.75 --resolution 96`'
    )
    with pytest.raises(zoo.ModelNotAvailableError) as info:
        zoo.find(1.0, 300)
    assert 'it is ssd_mobilenet_v1_coco_quant_postprocess' in str(info.value)
    assert (
        'it is ssd_mobilenet_v1_coco_quant_postprocess: `mobilenet-ssd models --download` '
        'fetches it' in info.value.hint('mobilenet-ssd')
    )
    assert '`' not in str(info.value)  # the zoo writes no command line of its own


def test_hints_name_a_command_that_exists_in_this_install(
    monkeypatch, empty_cache, tmp_path, capsys
):
    """A colcon install has no console script: the CLI's hint then says `ros2 run`."""
    monkeypatch.setenv('PATH', str(tmp_path))  # no mobilenet-ssd on PATH
    assert places.cli_command() == 'ros2 run mobilenet_ssd_ros mobilenet-ssd'
    assert cli.main(['detect', str(SAMPLES / 'cat.bmp'), '--alpha', '1.0']) == 2
    assert (
        '`ros2 run mobilenet_ssd_ros mobilenet-ssd models --download`' in capsys.readouterr().err
    )
    script = tmp_path / 'mobilenet-ssd'  # a console script on PATH, as pip installs one
    script.write_text('#!/bin/sh\n')
    script.chmod(0o755)
    assert places.cli_command() == 'mobilenet-ssd'


def test_lookup_never_depends_on_the_working_directory(monkeypatch, empty_cache, tmp_path):
    """
    An installed package started next to a `shared/` folder must not search it.

    Only $MOBILENET_SSD_SHARED_DIR names the development data.
    """
    work = tmp_path / 'robot' / 'ws'
    work.mkdir(parents=True)
    shutil.copytree(MODEL_DIR, tmp_path / 'robot' / 'shared' / 'models' / zoo.DEFAULT_ENTRY.name)
    monkeypatch.chdir(work)
    monkeypatch.delenv('MOBILENET_SSD_SHARED_DIR')
    assert places.model_dirs() == [empty_cache, *SHIPPED]
    with pytest.raises(
        zoo.ModelNotAvailableError,
        match=re.escape(f'available here: {available_here(release=False)}'),
    ):
        zoo.find()
    monkeypatch.setenv('MOBILENET_SSD_SHARED_DIR', str(SHARED))
    assert zoo.find().model_path.resolve() == (MODEL_DIR / 'detect.tflite').resolve()


def test_explicit_file_gets_its_measured_width(tmp_path, model_path):
    detector = zoo.open_detector(model=str(model_path))
    assert detector.model_id == f'{model_path.parent.name}/detect.tflite'
    assert detector.alpha == 0.75  # measured from its graph, never nan


def _release_zip(tmp_path, model_bytes: bytes) -> str:
    archive = tmp_path / 'release.zip'
    with zipfile.ZipFile(archive, 'w') as z:
        z.writestr('detect.tflite', model_bytes)
        z.writestr('labelmap.txt', (MODEL_DIR / 'labelmap.txt').read_text())
    return archive.as_uri()


def test_download_extracts_and_verifies(empty_cache, tmp_path, model_bytes):
    found = download(url=_release_zip(tmp_path, model_bytes))
    assert found.model_path == empty_cache / zoo.DEFAULT_ENTRY.name / 'detect.tflite'
    assert digest_of(found.model_path.read_bytes(), 'sha256') == zoo.DEFAULT_ENTRY.digest
    assert found.labels_path.read_text().startswith('???')
    assert zoo.find(0.75, 300).model_path == found.model_path


def test_download_of_a_bare_tflite_verified_by_git_blob(empty_cache, tmp_path, model_bytes):
    """
    Coral's release form.

    A bare .tflite and a coco_labels.txt, pinned by a git blob id (here of a stand-in file, since
    the real bytes cannot be fetched on this machine).
    """
    (tmp_path / 'm.tflite').write_bytes(model_bytes)
    (tmp_path / 'coco_labels.txt').write_text(
        ''.join(f'{i}  {n}\n' for i, n in enumerate(['person', 'bicycle'] * 45))
    )
    entry = replace(CORAL, digest=digest_of(model_bytes, 'gitblob'))
    found = download(
        entry,
        url=(tmp_path / 'm.tflite').as_uri(),
        labels_url=(tmp_path / 'coco_labels.txt').as_uri(),
    )
    assert found.model_path == empty_cache / CORAL.name / CORAL.model_file
    assert found.labels_path == empty_cache / CORAL.name / 'coco_labels.txt'
    with pytest.raises(
        ModelDownloadError, match='has gitblob:.*expected gitblob:1a2270d3.*not installed'
    ):
        download(
            CORAL,
            dest_dir=tmp_path / 'other',
            url=(tmp_path / 'm.tflite').as_uri(),
            labels_url=(tmp_path / 'coco_labels.txt').as_uri(),
        )
    assert not (tmp_path / 'other' / CORAL.name).exists()


def test_download_with_wrong_checksum_installs_nothing(empty_cache, tmp_path, model_bytes):
    with pytest.raises(ModelDownloadError, match='has sha256:.* expected sha256:e4b118'):
        download(url=_release_zip(tmp_path, model_bytes[:-1] + b'x'))
    assert not (empty_cache / zoo.DEFAULT_ENTRY.name).exists()


def test_download_without_network_fails_fast_and_says_what_to_do(empty_cache):
    start = time.monotonic()
    entry = replace(zoo.DEFAULT_ENTRY, url='http://127.0.0.1:9/model.zip')  # nothing listens there
    with pytest.raises(ModelDownloadError, match='could not download.*copy detect.tflite'):
        download(entry, timeout=5)
    assert time.monotonic() - start < 5


def test_shipped_models_are_found_where_colcon_and_pip_install_them(monkeypatch, tmp_path):
    """
    models/ is installed to share/mobilenet_ssd_ros/models; the lookup searches it there.

    In a source checkout the checkout's models/ (before any install); in a ROS install the
    ament index names the share directory; in a pip install it is under the Python prefix.
    """
    packages = pytest.importorskip('ament_index_python.packages')

    ros_share = tmp_path / 'ros' / 'share' / 'mobilenet_ssd_ros'
    prefix_models = tmp_path / 'prefix' / 'share' / 'mobilenet_ssd_ros' / 'models'
    checkout = tmp_path / 'checkout'
    monkeypatch.setattr(packages, 'get_package_share_directory', lambda name: str(ros_share))
    monkeypatch.setattr(places.sys, 'prefix', str(tmp_path / 'prefix'))
    monkeypatch.setattr(places, '__file__', str(checkout / 'mobilenet_ssd_ros' / 'places.py'))
    assert places.shipped_dir() is None  # nothing installed anywhere
    (checkout / 'models').mkdir(parents=True)
    assert places.shipped_dir() is None  # a models/ folder without package.xml beside it
    prefix_models.mkdir(parents=True)
    assert places.shipped_dir() == prefix_models  # a pip install
    (ros_share / 'models').mkdir(parents=True)
    assert places.shipped_dir() == ros_share / 'models'  # the ament index before pip's prefix
    (checkout / 'package.xml').write_text('<package/>')
    # Code running from a checkout uses the checkout's models, not an install's older copy.
    assert places.shipped_dir() == checkout / 'models'
    assert checkout / 'models' in places.model_dirs()
