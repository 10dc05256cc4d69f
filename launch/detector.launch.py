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
Start the MobileNet-SSD detector (a lifecycle node) inside a robot stack.

    ros2 launch mobilenet_ssd_ros detector.launch.py image:=/camera/image_raw
    ros2 launch mobilenet_ssd_ros detector.launch.py params_file:=.../config/pi4.yaml rviz:=true
    ros2 launch mobilenet_ssd_ros detector.launch.py autostart:=false  # nav2 manager

With autostart:=true (default) this file drives the lifecycle itself: it emits
`configure`, and `activate` once the node reports `inactive`. With autostart:=false the
node waits, unconfigured, for an external lifecycle manager. Works on Humble and later.
"""

import os

from ament_index_python.packages import get_package_share_directory, PackageNotFoundError
from launch import LaunchDescription
from launch.actions import (
    DeclareLaunchArgument,
    EmitEvent,
    LogInfo,
    OpaqueFunction,
    RegisterEventHandler,
)
from launch.events import matches_action
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import LifecycleNode, Node
from launch_ros.event_handlers import OnStateTransition
from launch_ros.events.lifecycle import ChangeState
from launch_ros.substitutions import FindPackageShare
from lifecycle_msgs.msg import Transition

PACKAGE = 'mobilenet_ssd_ros'

# Launch arguments that override the parameter file only when given (empty: keep the file's).
OPTIONAL_OVERRIDES = {'compressed': 'input_compressed', 'debug_image': 'publish_debug_image'}


def _parse_bool(text: str) -> bool:
    if text.lower() not in ('true', 'false', '1', '0'):
        raise ValueError(f'expected true or false, got {text!r}')
    return text.lower() in ('true', '1')


def _detector(context, *args, **kwargs):
    """Build the node and its lifecycle events once the arguments are known."""
    get = lambda name: LaunchConfiguration(name).perform(context)  # noqa: E731
    overrides = {'use_sim_time': _parse_bool(get('use_sim_time')), 'autostart': False}
    for argument, parameter in OPTIONAL_OVERRIDES.items():
        if get(argument):
            overrides[parameter] = _parse_bool(get(argument))
    image = get('image')
    node = LifecycleNode(
        package=PACKAGE,
        executable='mobilenet_ssd_node',
        name=get('node_name'),
        namespace=get('namespace'),
        parameters=[get('params_file'), overrides],
        remappings=[('image', image), ('image/compressed', image + '/compressed')],
        arguments=['--ros-args', '--log-level', get('log_level')],
        output='screen',
    )
    if not _parse_bool(get('autostart')):
        return [node]
    configure = EmitEvent(
        event=ChangeState(
            lifecycle_node_matcher=matches_action(node),
            transition_id=Transition.TRANSITION_CONFIGURE,
        )
    )
    activate = RegisterEventHandler(
        OnStateTransition(
            target_lifecycle_node=node,
            start_state='configuring',
            goal_state='inactive',
            entities=[
                EmitEvent(
                    event=ChangeState(
                        lifecycle_node_matcher=matches_action(node),
                        transition_id=Transition.TRANSITION_ACTIVATE,
                    )
                )
            ],
        )
    )
    return [node, activate, configure]


def _rviz(context, *args, **kwargs):
    """
    rviz2 with config/detector.rviz when asked for.

    Without rviz2 installed, a clear message and the detector keeps running (a missing executable
    would end the launch).
    """
    if not _parse_bool(LaunchConfiguration('rviz').perform(context)):
        return []
    try:
        get_package_share_directory('rviz2')
    except PackageNotFoundError:
        return [
            LogInfo(
                msg='rviz:=true, but rviz2 is not installed here '
                '(sudo apt install ros-$ROS_DISTRO-rviz2); the detector runs without it'
            )
        ]
    return [
        Node(
            package='rviz2',
            executable='rviz2',
            name='rviz2',
            arguments=[
                '-d',
                os.path.join(get_package_share_directory(PACKAGE), 'config', 'detector.rviz'),
            ],
            parameters=[
                {'use_sim_time': _parse_bool(LaunchConfiguration('use_sim_time').perform(context))}
            ],
        )
    ]


def generate_launch_description() -> LaunchDescription:
    share = FindPackageShare(PACKAGE)
    return LaunchDescription(
        [
            DeclareLaunchArgument(
                'namespace', default_value='', description='namespace of the node'
            ),
            DeclareLaunchArgument(
                'node_name', default_value='mobilenet_ssd', description='name of the node'
            ),
            DeclareLaunchArgument(
                'image',
                default_value='camera/image_raw',
                description='camera image topic (its /compressed sibling for compressed input); '
                "relative names resolve in the node's namespace",
            ),
            DeclareLaunchArgument(
                'compressed',
                default_value='',
                description='true: subscribe to <image>/compressed; empty: as in params_file',
            ),
            DeclareLaunchArgument(
                'params_file',
                default_value=PathJoinSubstitution([share, 'config', 'params.yaml']),
                description='parameter file (config/params.yaml, config/pi4.yaml, ...)',
            ),
            DeclareLaunchArgument(
                'autostart',
                default_value='true',
                description='configure and activate from this file; '
                'false: wait for a lifecycle manager',
            ),
            DeclareLaunchArgument(
                'use_sim_time', default_value='false', description='use /clock (bag replay)'
            ),
            DeclareLaunchArgument(
                'log_level', default_value='info', description='debug, info, warn, error'
            ),
            DeclareLaunchArgument(
                'debug_image',
                default_value='',
                description='publish ~/debug_image (true/false); empty: as in params_file',
            ),
            DeclareLaunchArgument(
                'rviz', default_value='false', description='open rviz2 with config/detector.rviz'
            ),
            OpaqueFunction(function=_detector),
            OpaqueFunction(function=_rviz),
        ]
    )
