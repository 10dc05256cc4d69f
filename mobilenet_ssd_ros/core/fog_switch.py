"""
Which model a frame runs when the camera may drive into fog: the plain one or the fog one.

`variant: auto` loads both models of a key (the plain one and its `weather` variant) and
picks per camera from the image quality the detector measures anyway (enhance.py: haze,
the dark channel lifted by fog; contrast). A single odd frame must not flip the choice,
and a camera at the edge of the gate must not flap, so FogSwitch has hysteresis (it
enters fog where the `auto` gate says hazy and leaves only where a stricter gate says
clear) and a hold time: the other state must persist `hold_s` seconds, in the frames'
own stamps, before the switch. The frame a switch is decided on still ran the old model;
the next one runs the new one. Each model runs with its own enhancement (`Choice`), so
`enhance` follows the model.

Without a stream (a data set of independent images) TwoModels decides each image alone:
its own quality through the entering gate.
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

from dataclasses import dataclass, field

import numpy as np

from .detector import Detector, FrameResult, FrameSettings
from .enhance import AutoGate, ImageQuality


@dataclass(frozen=True)
class SwitchRule:
    """When a camera counts as in fog, and how long a change must last before it switches."""

    enter: AutoGate = field(default_factory=AutoGate)  # `enhance: auto`'s gate: hazy or flat
    leave: AutoGate = field(  # still in fog while this one says hazy or flat
        default_factory=lambda: AutoGate(haze_above=0.40, contrast_below=0.18)
    )
    hold_s: float = 1.0


class FogSwitch:
    """One camera's state: in fog or not, and since when the frames have said otherwise."""

    def __init__(self, rule: SwitchRule = SwitchRule()):
        self.rule = rule
        self.foggy = False
        self._since: float | None = None  # stamp of the first frame that disagreed

    def update(self, quality: ImageQuality | None, stamp_s: float) -> bool:
        """Take one frame's quality and stamp; return True if the state switched."""
        if quality is None:
            return False
        wants = self.rule.leave(quality) if self.foggy else self.rule.enter(quality)
        if wants == self.foggy:
            self._since = None
            return False
        if self._since is None or stamp_s < self._since:  # (a bag played again: time restarts)
            self._since = stamp_s
        if stamp_s - self._since < self.rule.hold_s:
            return False
        self.foggy, self._since = wants, None
        return True


@dataclass(frozen=True)
class Choice:
    """A model and how it runs (its own enhancement, the filter)."""

    detector: Detector
    frame: FrameSettings


@dataclass(frozen=True)
class TwoModels:
    """
    The plain model and the fog model of one key, and the rule that picks between them.

    What the node's worker and replay run, swapped whole while frames run; with one model
    only (`fog` None) every frame runs the plain one and a camera's switch never moves.
    """

    clear: Choice
    fog: Choice | None = None  # None: one model only (no variant auto)
    rule: SwitchRule = SwitchRule()

    @classmethod
    def single(cls, detector: Detector) -> TwoModels:
        """Return one model with its own frame settings (no variant auto)."""
        return cls(Choice(detector, detector.defaults))

    @property
    def detector(self) -> Detector:
        return self.clear.detector

    @property
    def frame(self) -> FrameSettings:
        return self.clear.frame

    def current(self, switch: FogSwitch) -> Choice:
        """Return the model a camera in `switch`'s state runs now."""
        return self.fog if self.fog is not None and switch.foggy else self.clear

    def with_filter(
        self, score_threshold: float, classes, max_detections, enhance: str
    ) -> TwoModels:
        """Return new frame settings for every model (the fog model keeps its enhancement)."""
        clear, fog = self.clear.detector, self.fog
        if fog is not None:
            method = fog.frame.enhancer.method
            fog = Choice(
                fog.detector,
                fog.detector.settings(score_threshold, classes, max_detections, method),
            )
        settings = clear.settings(score_threshold, classes, max_detections, enhance)
        return TwoModels(Choice(clear, settings), fog, self.rule)

    def choice(self, switch: FogSwitch | None, image: np.ndarray) -> Choice:
        """Return the model for this frame: the camera's state, or else the image's own look."""
        if switch is not None:
            return self.current(switch)
        if self.fog is None:
            return self.clear
        # Judged on the model-sized input, as the node's switch judges a frame.
        quality = self.clear.detector.input_quality(image)
        return self.fog if self.rule.enter(quality) else self.clear

    def detect(
        self, image: np.ndarray, switch: FogSwitch | None = None, stamp_s: float = 0.0
    ) -> tuple[FrameResult, Choice]:
        """
        Detect with the chosen model; a camera's switch then takes this frame's quality.

        The frame a switch is decided on ran the old model (compare `switch.foggy` before and
        after to see a switch).
        """
        chosen = self.choice(switch, image)
        result = chosen.detector.detect(image, chosen.frame)
        if switch is not None and self.fog is not None:
            switch.update(result.quality, stamp_s)
        return result, chosen
