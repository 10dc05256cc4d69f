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

r"""
Replay a camera bag through the detector with simulated time.

    ros2 launch mobilenet_ssd_ros rosbag_replay.launch.py bag:=my_drive
    ros2 launch mobilenet_ssd_ros rosbag_replay.launch.py bag:=my_drive rate:=0.5 loop:=true \\
        image:=/front/image_raw record:=true output:=my_drive_detections rviz:=true

`ros2 bag play --clock` publishes /clock and the detector runs with use_sim_time, so
latencies and stamps are in bag time. Playback starts once the detector is active, so
no frame is lost to start-up. With record:=true the detector's outputs are recorded to
a new bag. Where `ros2 bag` is not installed (rosbag2), the launch ends at once with a
non-zero exit code and the package to install; if play or record fails, the launch ends
with a non-zero exit code and the failing command's status as the reason (an exception
in launch is what makes `ros2 launch` exit 1). When play has played the whole bag
(loop:=false), the launch ends DRAIN_S later, time for the detector to answer the last
frame, and its shutdown signal lets record close its bag.
The detector always runs with autostart and use_sim_time here, so those two are not
arguments of this file. Without ROS, `mobilenet-ssd replay` does the same offline.
"""

import importlib.util
import shutil

from launch import LaunchDescription
from launch.actions import (
    DeclareLaunchArgument,
    ExecuteProcess,
    IncludeLaunchDescription,
    LogInfo,
    OpaqueFunction,
    RegisterEventHandler,
    Shutdown,
    TimerAction,
)
from launch.conditions import IfCondition, UnlessCondition
from launch.event_handlers import OnProcessExit
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.event_handlers import OnStateTransition
from launch_ros.substitutions import FindPackageShare

PACKAGE = 'mobilenet_ssd_ros'
DRAIN_S = 2.0  # after the last frame: far more than one detection takes, even on a Pi 4


def _detector(context, *args, **kwargs):
    """
    Include the detector launch file when the launch runs.

    Included at description time, its own arguments (autostart, use_sim_time, ...) would be offered
    as arguments of this file, although this file sets them.
    """
    arg = LaunchConfiguration
    share = FindPackageShare(PACKAGE)
    return [
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(
                PathJoinSubstitution([share, 'launch', 'detector.launch.py'])
            ),
            launch_arguments={
                'namespace': arg('namespace'),
                'image': arg('image'),
                'compressed': arg('compressed'),
                'params_file': arg('params_file'),
                'use_sim_time': 'true',
                'autostart': 'true',
                'rviz': arg('rviz'),
            }.items(),
        )
    ]


def _bag_tools_missing() -> str | None:
    """Say what to install where `ros2 bag` cannot run here, or return None."""
    if shutil.which('ros2') is None:
        return 'the ros2 command is not installed (sudo apt install ros-$ROS_DISTRO-ros2cli)'
    if importlib.util.find_spec('ros2bag') is None:
        return (
            '`ros2 bag` is not installed (sudo apt install ros-$ROS_DISTRO-rosbag2 '
            'ros-$ROS_DISTRO-rosbag2-storage-mcap)'
        )
    return None


def _fail(reason: str) -> list:
    """End the launch with a non-zero exit code: LaunchService.run() returns 1 on an exception."""
    return [
        LogInfo(msg=f'{reason}: ending the launch'),
        OpaqueFunction(function=_raise, args=[reason]),
    ]


def _raise(context, reason: str):
    raise RuntimeError(reason)


def _check_bag_tools(context, *args, **kwargs):
    """Check before anything starts: without rosbag2 there is nothing to replay."""
    missing = _bag_tools_missing()
    return _fail(f'cannot replay: {missing}') if missing else []


def _on_record_exit(event, context):
    """End the launch if the recorder dies: its bag would be missing without a word."""
    if event.returncode != 0:
        return _fail(f'ros2 bag record exited with status {event.returncode}')
    return []


def _on_play_exit(event, context):
    """End the launch when play is done: at once, with a non-zero code, if it failed."""
    if event.returncode != 0:
        missing = _bag_tools_missing()
        return _fail(
            f'ros2 bag play exited with status {event.returncode}'
            + (f': {missing}' if missing else '')
        )
    return [
        LogInfo(msg=f'the bag has been played: ending the launch in {DRAIN_S:g} s'),
        TimerAction(period=DRAIN_S, actions=[Shutdown(reason='the bag has been played')]),
    ]


def generate_launch_description() -> LaunchDescription:
    arg = LaunchConfiguration
    share = FindPackageShare(PACKAGE)
    play = ['ros2', 'bag', 'play', arg('bag'), '--clock', '--rate', arg('rate')]
    outputs = [
        PathJoinSubstitution(['/', arg('namespace'), 'mobilenet_ssd', topic])
        for topic in ('detections', 'stats')
    ]
    once = ExecuteProcess(cmd=play, output='screen', condition=UnlessCondition(arg('loop')))
    looped = ExecuteProcess(
        cmd=[*play, '--loop'], output='screen', condition=IfCondition(arg('loop'))
    )
    record = ExecuteProcess(
        cmd=['ros2', 'bag', 'record', '-o', arg('output'), *outputs],
        output='screen',
        condition=IfCondition(arg('record')),
    )
    return LaunchDescription(
        [
            DeclareLaunchArgument('bag', description='rosbag2 folder with camera images'),
            DeclareLaunchArgument('rate', default_value='1.0', description='playback rate'),
            DeclareLaunchArgument(
                'loop', default_value='false', description='play the bag in a loop'
            ),
            DeclareLaunchArgument(
                'image', default_value='/camera/image_raw', description='image topic in the bag'
            ),
            DeclareLaunchArgument(
                'compressed',
                default_value='',
                description='true: the bag has <image>/compressed; empty: as in params_file',
            ),
            DeclareLaunchArgument(
                'namespace', default_value='', description='namespace of the detector'
            ),
            DeclareLaunchArgument(
                'params_file', default_value=PathJoinSubstitution([share, 'config', 'params.yaml'])
            ),
            DeclareLaunchArgument(
                'record', default_value='false', description="record the detector's outputs"
            ),
            DeclareLaunchArgument(
                'output',
                default_value='mobilenet_ssd_results',
                description='bag folder for record',
            ),
            DeclareLaunchArgument(
                'rviz', default_value='false', description='open rviz2 with config/detector.rviz'
            ),
            OpaqueFunction(function=_check_bag_tools),
            OpaqueFunction(function=_detector),
            # Play (and record) once the detector is active, so the first frames are not lost.
            RegisterEventHandler(
                OnStateTransition(
                    goal_state='active',
                    entities=[
                        once,
                        looped,
                        RegisterEventHandler(
                            OnProcessExit(target_action=once, on_exit=_on_play_exit)
                        ),
                        RegisterEventHandler(
                            OnProcessExit(target_action=looped, on_exit=_on_play_exit)
                        ),
                        record,
                        RegisterEventHandler(
                            OnProcessExit(target_action=record, on_exit=_on_record_exit)
                        ),
                    ],
                )
            ),
        ]
    )
