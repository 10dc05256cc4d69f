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

"""Shared fixtures: the project's shared data (../shared, or $MOBILENET_SSD_SHARED_DIR)."""

from __future__ import annotations

import os
from pathlib import Path
import shutil
import sys
import xml.etree.ElementTree as ET

from mobilenet_ssd_ros.core.imageio import read_rgb as _read_rgb
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # test helpers (tflite_builder)

REPO = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path:
    """
    Find the shared data when the tests run, not when the package was configured.

    The environment first; then the default CMake wrote for `colcon test`
    (MOBILENET_SSD_SHARED_DIR_DEFAULT: ../shared beside the source at configure time); then
    ../shared beside this checkout.
    """
    for name in ('MOBILENET_SSD_SHARED_DIR', 'MOBILENET_SSD_SHARED_DIR_DEFAULT'):
        if os.environ.get(name):
            return Path(os.environ[name])
    return REPO.parent / 'shared'


SHARED = _shared_dir()
os.environ['MOBILENET_SSD_SHARED_DIR'] = str(SHARED)  # the zoo, the CLI and node processes read it
MODEL_DIR = SHARED / 'models' / 'ssd_mobilenet_v1_1.0_quant_coco'
SAMPLES = SHARED / 'data' / 'samples'
HAVE_SHARED = (MODEL_DIR / 'detect.tflite').is_file()
NO_SHARED = (
    f'needs the shared data (model and images), not found at {SHARED}: set '
    'MOBILENET_SSD_SHARED_DIR to the folder with models/ and data/'
)
# Test modules that need nothing of the shared data: they run everywhere (linters first).
DATA_FREE = {
    'test_assertions.py',
    'test_compressed.py',
    'test_copyright.py',
    'test_crosscheck.py',
    'test_flake8.py',
    'test_layers.py',
    'test_log_throttle.py',
    'test_node_units.py',
    'test_pep257.py',
    'test_pool_class_gap.py',
    'test_targets.py',
    'test_weather.py',
    'test_without_shared_data.py',
    'test_xmllint.py',
}
# The variables a user sets for the package: tests set their own (isolate_user_settings).
USER_SETTINGS = ('MOBILENET_SSD_MODEL_DIR', 'MOBILENET_SSD_MODEL_PATH')


class SkippedModule(pytest.Module):
    """A test module that needs the shared data where there is none: one skip, with why."""

    def collect(self):
        yield SkippedItem.from_parent(self, name='needs_shared_data')


class SkippedItem(pytest.Item):
    def runtest(self):
        pytest.skip(NO_SHARED)

    def reportinfo(self):
        return self.path, None, f'{self.path.name}: {NO_SHARED}'


def pytest_pycollect_makemodule(module_path, parent):
    """Without the shared data, a module that needs it is one skip instead of an import error."""
    if not HAVE_SHARED and module_path.name not in DATA_FREE:
        return SkippedModule.from_parent(parent, path=module_path)
    return None


@pytest.fixture(autouse=True)
def isolate_user_settings(monkeypatch, tmp_path_factory):
    """
    Keep a user's own MOBILENET_SSD_MODEL_DIR / _MODEL_PATH away from every test.

    The cache is an empty folder of the session's, as on a new machine, so that the suite's
    result never depends on what the user downloaded or built.
    """
    for name in USER_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('MOBILENET_SSD_MODEL_DIR', str(tmp_path_factory.getbasetemp() / 'cache'))


def pytest_collection_modifyitems(config, items):
    """
    Leave the linters out where CTest runs them as tests of their own (CMakeLists.txt).

    An environment variable rather than PYTEST_ADDOPTS, which would replace a user's own.
    """
    if os.environ.get('MOBILENET_SSD_LINTERS_SEPARATE') != '1':
        return
    linters = [item for item in items if item.get_closest_marker('linter')]
    if linters:
        config.hook.pytest_deselected(items=linters)
        items[:] = [item for item in items if not item.get_closest_marker('linter')]


def pytest_configure(config):
    # The ament linters' markers, also where a linter (and so its pytest plugin) is missing.
    for name in ('linter', 'flake8', 'pep257', 'copyright', 'xmllint'):
        config.addinivalue_line('markers', f'{name}: an ament linter test (-m "not linter" skips)')


@pytest.fixture(scope='session')
def model_path() -> Path:
    return MODEL_DIR / 'detect.tflite'


@pytest.fixture(scope='session')
def model_bytes(model_path) -> bytes:
    return model_path.read_bytes()


def read_rgb(path: Path) -> np.ndarray:
    rgb = _read_rgb(path)
    assert rgb is not None, path
    return rgb


@pytest.fixture(scope='session')
def detector():
    from mobilenet_ssd_ros.core.detector import Detector

    return Detector(MODEL_DIR / 'detect.tflite', score_threshold=0.0)


def localhost_fastdds_profile(path: Path) -> Path:
    """
    Write the package's Fast DDS profile for large images.

    With UDP bound to loopback so that test traffic never leaves this machine.
    """
    ET.register_namespace('', 'http://www.eprosima.com')  # Fast DDS rejects prefixed tags
    tree = ET.parse(REPO / 'config' / 'fastdds_large_images.xml')
    ns = {'d': 'http://www.eprosima.com'}
    for desc in tree.getroot().iterfind('.//d:transport_descriptor', ns):
        if desc.findtext('d:type', namespaces=ns) == 'UDPv4':
            allow = ET.SubElement(desc, '{http://www.eprosima.com}interfaceWhiteList')
            ET.SubElement(allow, '{http://www.eprosima.com}address').text = '127.0.0.1'
    tree.write(path, xml_declaration=True, encoding='UTF-8')
    return path


@pytest.fixture(scope='session')
def ros_session(tmp_path_factory):
    """
    Isolated DDS for this test session.

    Localhost discovery and transports, a domain of its own, logs inside the test's temp folder.
    rclpy is initialised once.
    """
    os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
    os.environ['ROS_DOMAIN_ID'] = str(os.environ.get('TEST_ROS_DOMAIN_ID', 10 + os.getpid() % 90))
    log_dir = tmp_path_factory.mktemp('ros_logs')
    os.environ['ROS_LOG_DIR'] = str(log_dir)
    os.environ['FASTDDS_DEFAULT_PROFILES_FILE'] = str(
        localhost_fastdds_profile(log_dir / 'fastdds.xml')
    )
    import rclpy

    rclpy.init()
    yield log_dir
    rclpy.try_shutdown()


@pytest.fixture
def start_node(ros_session):
    """Start node processes with parameters (a factory); all are stopped after the test."""
    from ros_harness import NodeProcess

    started = []

    def start(**params):
        remaps = params.pop('remaps', None)
        ros_args = params.pop('ros_args', None)
        proc = NodeProcess(ros_session, params, remaps, ros_args)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


@pytest.fixture
def client(ros_session):
    from ros_harness import Client

    c = Client()
    yield c
    c.close()


@pytest.fixture
def weather_variant(tmp_path, monkeypatch):
    """
    Make a `weather` variant of the default key for variant auto: the release's file, renamed.

    A test then tells the two models apart by name (model_id); its model.json recommends
    `enhance: stretch`, so that a test also sees the enhancement follow the model.
    """
    folder = tmp_path / 'models' / 'fog_copy_300'
    folder.mkdir(parents=True)
    shutil.copy(MODEL_DIR / 'detect.tflite', folder / 'detect.tflite')
    shutil.copy(MODEL_DIR / 'labelmap.txt', folder / 'labelmap.txt')
    from mobilenet_ssd_ros import zoo

    release = zoo.find()
    zoo.ModelMetadata(
        name='fog_copy_300',
        alpha=0.75,
        resolution=300,
        sha256='0' * 64,
        max_detections=10,
        macs=1,
        params=1,
        source=release.entry.name,
        trained=True,
        variant='weather',
        details={'enhance': 'stretch', 'training_pools': [], 'steps': 0},
    ).write(folder)
    monkeypatch.setenv('MOBILENET_SSD_MODEL_PATH', str(tmp_path / 'models'))
    return folder


def available_here(*built: tuple[float, int], release: bool = True) -> str:
    """
    Return how the zoo lists the pairs on this machine, as the tests set it up.

    The default release (unless a test hid the shared data), the plain (no variant) models
    this checkout ships under models/, and the `built` pairs a test made.
    """
    import json

    pairs = {(0.75, 300)} if release else set()
    pairs.update(built)
    for info in (REPO / 'models').glob('*/model.json'):
        data = json.loads(info.read_text())
        if not data.get('variant'):
            pairs.add((float(data['alpha']), int(data['resolution'])))
    return ', '.join(f'(alpha {a:g}, resolution {r})' for a, r in sorted(pairs)) or 'none'
