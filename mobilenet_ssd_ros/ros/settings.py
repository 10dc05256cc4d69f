"""
The node's parameters: their table, and one NodeSettings validated in one place.

`PARAMETERS` declares every parameter with its default and descriptor (ranges in the
descriptor are enforced by rclpy itself, before the node sees a value; they also show in
`ros2 param describe`). What a descriptor cannot say (one of a set of words, unique
camera names) is checked by NodeSettings.validate(), the one check used both on
configure, for the values given at start-up, and for every live change.
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

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from rcl_interfaces.msg import (
    FloatingPointRange,
    IntegerRange,
    ParameterDescriptor,
    ParameterType,
)
from rclpy.parameter import Parameter

from .. import zoo
from ..convert.image_input import DEFAULT_MAX_PIXELS
from ..core.enhance import METHODS
from ..core.tracking import TrackerSettings

MODEL_PARAMS = ('alpha', 'resolution', 'variant', 'model', 'labels')  # a new detector
FILTER_PARAMS = ('score_threshold', 'classes', 'max_detections')  # ~/label_info shows them
FRAME_PARAMS = (*FILTER_PARAMS, 'enhance')  # apply to the next frame
TRACKING_PARAMS = ('tracking', 'tracking_lost_seconds', 'tracking_start_score')  # live
QOS_RELIABILITY = ('best_effort', 'reliable')


def _descriptor(
    description: str,
    *,
    read_only: bool = False,
    float_range=None,
    int_range=None,
    type_: int | None = None,
) -> ParameterDescriptor:
    d = ParameterDescriptor(description=description, read_only=read_only)
    if float_range:
        d.floating_point_range = [
            FloatingPointRange(from_value=float_range[0], to_value=float_range[1], step=0.0)
        ]
    if int_range:
        d.integer_range = [IntegerRange(from_value=int_range[0], to_value=int_range[1], step=1)]
    if type_ is not None:
        d.type = type_
    return d


# name: (default, descriptor). Defaults documented in config/params.yaml.
PARAMETERS: dict[str, tuple[Any, ParameterDescriptor]] = {
    'alpha': (
        zoo.DEFAULT_ENTRY.alpha,
        _descriptor(
            'MobileNet width multiplier of the zoo model, as measured from its graph; only widths '
            'with a model '
            'on this machine are accepted (mobilenet-ssd models lists the (alpha, resolution) '
            'pairs)'
        ),
    ),
    'resolution': (
        300,
        _descriptor('square input resolution of the zoo model, pixels', int_range=(32, 1024)),
    ),
    'variant': (
        '',
        _descriptor(
            "named variant of the zoo model, e.g. 'weather' (trained for fog); empty: the plain "
            "model; 'auto': both, each camera switched to the weather model while it sees fog"
        ),
    ),
    'model': (
        '',
        _descriptor('explicit .tflite path; overrides the zoo lookup by alpha/resolution'),
    ),
    'labels': ('', _descriptor('label map file; default: embedded in the model or next to it')),
    'score_threshold': (
        0.5,
        _descriptor('minimum score of a published detection', float_range=(0.0, 1.0)),
    ),
    'classes': (
        Parameter.Type.STRING_ARRAY,
        _descriptor(
            'allow-list of label names; unset or empty: every class',
            type_=ParameterType.PARAMETER_STRING_ARRAY,
        ),
    ),
    'max_detections': (
        0,
        _descriptor('most detections per image; 0: all the model returns', int_range=(0, 1000)),
    ),
    'enhance': (
        'off',
        _descriptor(
            'test-time enhancement of the model-sized image: off, stretch (every frame) or '
            'auto (only frames whose haze or low contrast says so); applies to the next frame'
        ),
    ),
    'tracking': (
        False,
        _descriptor(
            'give each detection a track id (Detection2D.id) that stays with the object from '
            'frame to frame (ByteTrack on the frame stamps, one tracker per camera); boxes not '
            'part of a track are not published while it is on'
        ),
    ),
    'tracking_lost_seconds': (
        TrackerSettings.lost_seconds,
        _descriptor(
            'how long a track not seen is kept for re-matching, in seconds of frame stamps',
            float_range=(0.0, 60.0),
        ),
    ),
    'tracking_start_score': (
        TrackerSettings.start_score,
        _descriptor(
            'score a detection needs to start a track (lower ones only continue tracks)',
            float_range=(0.0, 1.0),
        ),
    ),
    'num_threads': (
        0,
        _descriptor(
            'interpreter threads; 0: all cores (takes effect on configure)', int_range=(0, 64)
        ),
    ),
    'use_xnnpack': (True, _descriptor('use the XNNPACK delegate (takes effect on configure)')),
    'input_compressed': (
        False,
        _descriptor(
            'subscribe to <image>/compressed (sensor_msgs/CompressedImage, JPEG or PNG) instead '
            'of <image>'
        ),
    ),
    'raw_subscriptions': (
        True,
        _descriptor(
            'take frames serialized and deserialize only those the worker processes (needs '
            'rosbags; without it, or false, rclpy deserializes every frame); read on activate'
        ),
    ),
    'executor': (
        'events',
        _descriptor(
            "events (rclpy's C++ EventsExecutor where this rclpy has it, else single_threaded) "
            'or single_threaded; start-up only',
            read_only=True,
        ),
    ),
    'qos_reliability': (
        'best_effort',
        _descriptor('input QoS reliability: best_effort (REP-2003 sensor data) or reliable'),
    ),
    'qos_depth': (1, _descriptor('input QoS history depth', int_range=(1, 100))),
    'publish_debug_image': (
        True,
        _descriptor(
            'publish ~/debug_image (annotated image); computed only while someone subscribes'
        ),
    ),
    'max_image_pixels': (
        DEFAULT_MAX_PIXELS,
        _descriptor(
            'largest frame accepted, in pixels (width x height; for JPEG/PNG read from the header '
            'before '
            'decoding); larger frames are rejected and counted',
            int_range=(1, 1_000_000_000),
        ),
    ),
    'cameras': (
        Parameter.Type.STRING_ARRAY,
        _descriptor(
            'camera names; each reads <name>/image and publishes under ~/<name>/. Unset: one '
            'camera, '
            'topics image and ~/',
            read_only=True,
            type_=ParameterType.PARAMETER_STRING_ARRAY,
        ),
    ),
    'autostart': (
        False,
        _descriptor('configure and activate at start-up (no lifecycle manager)', read_only=True),
    ),
}


@dataclass(frozen=True)
class NodeSettings:
    """Every parameter's value, as one immutable object (what the node runs with)."""

    alpha: float
    resolution: int
    variant: str
    model: str
    labels: str
    score_threshold: float
    classes: tuple[str, ...]
    max_detections: int
    enhance: str
    tracking: bool
    tracking_lost_seconds: float
    tracking_start_score: float
    num_threads: int
    use_xnnpack: bool
    input_compressed: bool
    raw_subscriptions: bool
    executor: str
    qos_reliability: str
    qos_depth: int
    publish_debug_image: bool
    max_image_pixels: int
    cameras: tuple[str, ...]
    autostart: bool

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> NodeSettings:
        """Take the values by name (string arrays as tuples, unset ones empty)."""
        own = {}
        for f in fields(cls):
            value = values[f.name]
            own[f.name] = tuple(value) if f.name in ('classes', 'cameras') else value
        return cls(**own)

    def changed(self, changes: Mapping[str, Any]) -> NodeSettings:
        """Return these settings with `changes` applied, validated (ValueError: the reason)."""
        wanted = {k: tuple(v) if k in ('classes', 'cameras') else v for k, v in changes.items()}
        return replace(self, **wanted).validate()

    def validate(self) -> NodeSettings:
        """Return self if the values can run, else raise ValueError with the reason."""
        if self.qos_reliability not in QOS_RELIABILITY:
            raise ValueError(
                "qos_reliability must be 'best_effort' or 'reliable', got "
                f'{self.qos_reliability!r}'
            )
        if self.enhance not in METHODS:
            raise ValueError(f'enhance must be one of {", ".join(METHODS)}, got {self.enhance!r}')
        if len(set(self.cameras)) != len(self.cameras):
            raise ValueError(f'camera names must be unique, got {list(self.cameras)}')
        self.tracker()  # its own checks
        return self

    def tracker(self) -> TrackerSettings:
        """Return the tracker settings of these parameters (ValueError: the reason)."""
        return TrackerSettings(
            lost_seconds=self.tracking_lost_seconds, start_score=self.tracking_start_score
        )

    def frame_values(self) -> tuple:
        """Return the arguments of Detector.settings() these parameters give."""
        return (
            self.score_threshold,
            list(self.classes) or None,
            self.max_detections or None,
            self.enhance,
        )

    def detector(self) -> zoo.DetectorSettings:
        """Return the settings of the detector these parameters ask for."""
        return zoo.DetectorSettings(
            model=self.model,
            alpha=self.alpha,
            resolution=self.resolution,
            variant=self.variant,
            labels=self.labels,
            num_threads=self.num_threads,
            use_xnnpack=self.use_xnnpack,
            score_threshold=self.score_threshold,
            classes=self.classes,
            max_detections=self.max_detections,
            enhance=self.enhance,
        )
