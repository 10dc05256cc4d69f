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
launch_pytest tests of the launch files.

They need the ROS 2 launch stack (launch, launch_ros, launch_pytest; a ROS install has them) and
skip with that reason elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from conftest import read_rgb, SAMPLES
import pytest

launch_pytest = pytest.importorskip(
    'launch_pytest',
    reason='the ROS 2 launch stack (launch_pytest, launch_ros) is not installed here',
)
launch_ros = pytest.importorskip('launch_ros', reason='launch_ros is not installed here')

from launch import LaunchDescription  # noqa: E402, I100 (after the importorskip guards)
from launch.actions import IncludeLaunchDescription  # noqa: E402
from launch.launch_description_sources import PythonLaunchDescriptionSource  # noqa: E402
from package_build import build_package  # noqa: E402
from ros_harness import image_msg, NODE, wait_for  # noqa: E402
from vision_msgs.msg import Detection2DArray  # noqa: E402

PETS = read_rgb(SAMPLES / 'pets.jpg')


@pytest.fixture(scope='module')
def installed(tmp_path_factory, ros_session):
    """
    Install the package in an ament prefix.

    Put first on AMENT_PREFIX_PATH so that launch_ros finds its executable and share files like
    after `colcon build`.
    """
    prefix = build_package(tmp_path_factory.mktemp('ament'))
    old = os.environ['AMENT_PREFIX_PATH']
    os.environ['AMENT_PREFIX_PATH'] = f'{prefix}:{old}'
    yield prefix
    os.environ['AMENT_PREFIX_PATH'] = old


def _include(prefix, name: str, **arguments: str) -> IncludeLaunchDescription:
    path = prefix / 'share' / 'mobilenet_ssd_ros' / 'launch' / name
    return IncludeLaunchDescription(
        PythonLaunchDescriptionSource(str(path)), launch_arguments=arguments.items()
    )


@launch_pytest.fixture
def autostarted(installed):
    return LaunchDescription(
        [
            _include(installed, 'detector.launch.py', image='/cam/image_raw'),
            launch_pytest.actions.ReadyToTest(),
        ]
    )


@launch_pytest.fixture
def manual(installed):
    return LaunchDescription(
        [
            _include(installed, 'detector.launch.py', autostart='false', debug_image='false'),
            launch_pytest.actions.ReadyToTest(),
        ]
    )


@pytest.mark.launch(fixture=autostarted)
def test_detector_launch_activates_and_detects(client):
    client.wait_for_node()
    wait_for(lambda: client.state() == 'active', 30, 'the node to become active by itself')
    pub = client.wait_for_subscriber('/cam/image_raw')  # the launch file's remapping
    received = client.collect(f'/{NODE}/detections', Detection2DArray)

    def detected():
        pub.publish(image_msg(PETS))
        return received

    (out, *_) = wait_for(detected, 20, 'detections')
    assert [d.results[0].hypothesis.class_id for d in out.detections] == ['dog', 'dog']
    assert client.get_params('autostart', 'use_sim_time') == {
        'autostart': False,
        'use_sim_time': False,
    }


@pytest.mark.launch(fixture=manual)
def test_detector_launch_without_autostart_waits_for_a_manager(client):
    client.wait_for_node()
    assert client.state() == 'unconfigured'
    assert client.get_params('publish_debug_image') == {'publish_debug_image': False}
    # What a lifecycle manager would do:
    assert client.transition('configure') and client.transition('activate')
    assert client.state() == 'active'


@launch_pytest.fixture
def replayed(installed, tmp_path_factory):
    from mobilenet_ssd_ros.core.imageio import image_files
    from mobilenet_ssd_ros.offline.bag import make_bag

    bag = tmp_path_factory.mktemp('bags') / 'camera'
    make_bag(image_files(SAMPLES), bag, rate=5.0)
    return LaunchDescription(
        [
            _include(installed, 'rosbag_replay.launch.py', bag=str(bag)),
            launch_pytest.actions.ReadyToTest(),
        ]
    )


def _rosbag2_missing() -> str | None:
    """Say what is missing for `ros2 bag play` of an mcap bag, or None."""
    import importlib.util

    from ament_index_python.packages import get_package_prefix, PackageNotFoundError

    if shutil.which('ros2') is None:
        return 'the ros2 command (ros2cli) is not installed here'
    if importlib.util.find_spec('ros2bag') is None:
        return '`ros2 bag` (ros2bag, rosbag2) is not installed here'
    try:
        get_package_prefix('rosbag2_storage_mcap')
    except PackageNotFoundError:
        return "rosbag2's mcap storage plugin (rosbag2_storage_mcap) is not installed here"
    return None


@pytest.mark.skipif(_rosbag2_missing() is not None, reason=str(_rosbag2_missing()))
@pytest.mark.launch(fixture=replayed)
def test_replay_launch(client):
    received = client.collect(f'/{NODE}/detections', Detection2DArray)
    wait_for(lambda: len(received) >= 5, 60, 'detections from the replayed bag')
    assert any(d.results[0].hypothesis.class_id == 'dog' for m in received for d in m.detections)


def test_replay_launch_description_loads(installed):
    """
    Without rosbag2 the replay launch cannot run here.

    Its description must still load with the arguments the README documents.
    """
    from launch.launch_description_sources import get_launch_description_from_python_launch_file

    path = installed / 'share' / 'mobilenet_ssd_ros' / 'launch' / 'rosbag_replay.launch.py'
    description = get_launch_description_from_python_launch_file(str(path))
    names = {a.name for a in description.get_launch_arguments()}
    # Exactly what can be set: autostart and use_sim_time are forced by the file, not offered.
    assert names == {
        'bag',
        'rate',
        'loop',
        'image',
        'compressed',
        'namespace',
        'params_file',
        'record',
        'output',
        'rviz',
    }


def _ros2_launch_missing() -> str | None:
    import subprocess

    if shutil.which('ros2') is None:
        return 'the ros2 command (ros2cli) is not installed here'
    if subprocess.run(['ros2', 'launch', '--help'], capture_output=True).returncode != 0:
        return '`ros2 launch` (ros2launch) is not installed here'
    return None


def _ros2_launch(installed, *arguments: str) -> 'subprocess.Popen':
    """`ros2 launch mobilenet_ssd_ros ...` as a user runs it, output in a pipe."""
    return subprocess.Popen(
        ['ros2', 'launch', 'mobilenet_ssd_ros', *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=os.environ.copy(),
        start_new_session=True,
    )


def _stop(proc) -> str:
    import signal
    import subprocess

    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return proc.stdout.read()


@pytest.mark.skipif(_ros2_launch_missing() is not None, reason=str(_ros2_launch_missing()))
def test_rviz_option_without_rviz2_keeps_the_detector(installed, client):
    from ament_index_python.packages import get_package_prefix, PackageNotFoundError

    try:
        get_package_prefix('rviz2')
        pytest.skip('rviz2 is installed here: the missing-rviz2 path cannot be shown')
    except PackageNotFoundError:
        pass
    proc = _ros2_launch(installed, 'detector.launch.py', 'rviz:=true', 'image:=/cam/image_raw')
    try:
        client.wait_for_node(60)
        wait_for(
            lambda: proc.poll() is not None or client.state() == 'active',
            60,
            'the detector to become active',
        )
        assert proc.poll() is None
        pub = client.wait_for_subscriber('/cam/image_raw')
        received = client.collect(f'/{NODE}/detections', Detection2DArray)
        wait_for(lambda: pub.publish(image_msg(PETS)) or received, 30, 'detections')
    finally:
        output = _stop(proc)
    assert 'rviz:=true, but rviz2 is not installed here' in output
    assert 'Traceback' not in output


@pytest.mark.skipif(_ros2_launch_missing() is not None, reason=str(_ros2_launch_missing()))
@pytest.mark.skipif(
    _rosbag2_missing() is None, reason='rosbag2 is installed here: the launch cannot miss it'
)
def test_replay_launch_without_rosbag2_ends_at_once_with_what_to_install(installed, tmp_path):
    """
    Without rosbag2 there is nothing to replay: a non-zero exit and the package to install.

    (Before: `ros2 bag play` exited 2, and the launch ended with 0 and no hint.)
    """
    proc = _ros2_launch(installed, 'rosbag_replay.launch.py', f'bag:={tmp_path / "a_bag"}')
    try:
        proc.wait(90)
    except subprocess.TimeoutExpired:
        pass
    output = _stop(proc)
    assert proc.returncode == 1, (proc.returncode, output[-3000:])
    assert (
        'cannot replay: `ros2 bag` is not installed (sudo apt install ros-$ROS_DISTRO-rosbag2'
        in output
    )
    assert 'configured: model' not in output  # the detector was never started


@pytest.mark.parametrize(
    'handler, command', [('_on_play_exit', 'play'), ('_on_record_exit', 'record')]
)
def test_a_failing_play_or_record_ends_the_replay_launch_with_an_error(
    installed, handler, command
):
    """A play or record that exits non-zero raises in launch: `ros2 launch` then exits 1."""
    import importlib.util
    from types import SimpleNamespace

    from launch import LaunchContext
    from launch.actions import OpaqueFunction

    path = installed / 'share' / 'mobilenet_ssd_ros' / 'launch' / 'rosbag_replay.launch.py'
    spec = importlib.util.spec_from_file_location('rosbag_replay_launch', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    actions = getattr(module, handler)(SimpleNamespace(returncode=2), LaunchContext())
    context = LaunchContext()
    said = ' '.join(
        ''.join(x.perform(context) for x in a.msg) for a in actions if hasattr(a, 'msg')
    )
    assert f'ros2 bag {command} exited with status 2' in said
    with pytest.raises(RuntimeError, match=f'ros2 bag {command} exited with status 2'):
        for action in actions:
            action.execute(LaunchContext())
    fine = getattr(module, handler)(SimpleNamespace(returncode=0), LaunchContext())
    assert not any(isinstance(a, OpaqueFunction) for a in fine)  # exit 0 raises nothing
