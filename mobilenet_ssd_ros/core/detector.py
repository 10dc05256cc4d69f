"""
`Detector(model).detect(rgb) -> FrameResult`: the whole core in one object.

One frame's path: check the image, resize it straight into the input tensor, invoke,
read the four small output tensors, filter and scale to the original image. Only
`invoke()` is heavy. What a call found and how (detections, per-stage times, the
quality of the model-sized input, whether it was enhanced) comes back as one immutable
FrameResult, so callers (the node's ~/stats, replay, the benchmarks) report it without
reading the detector's state. What to keep and how to enhance (FrameSettings) is given
per call, or the detector's defaults are used: nothing outside assigns its attributes.
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

from collections.abc import Iterable
from dataclasses import dataclass
import math
from pathlib import Path
import time

import numpy as np

from .detection import Detection
from .enhance import Enhancer, ImageQuality
from .labels import LabelMap
from .model import Model
from .postprocess import DetectionFilter, to_detections
from .preprocess import Preprocessor
from .runtime import Runtime


@dataclass(frozen=True)
class Timings:
    """Milliseconds spent in each stage of one `detect()` call."""

    preprocess_ms: float = 0.0
    inference_ms: float = 0.0
    postprocess_ms: float = 0.0

    @property
    def total_ms(self) -> float:
        return self.preprocess_ms + self.inference_ms + self.postprocess_ms


@dataclass(frozen=True)
class FrameSettings:
    """
    How one frame is detected: which detections to keep, and the test-time enhancement.

    Immutable: a node swaps in a new one while another thread detects, and each frame
    sees either the old or the new one whole.
    """

    keep: DetectionFilter = DetectionFilter()
    enhancer: Enhancer = Enhancer('off')


@dataclass(frozen=True)
class FrameResult:
    """What `detect()` found in one frame, and how."""

    detections: list[Detection]  # best first, boxes in pixels of the given image
    timings: Timings
    quality: ImageQuality | None  # of the model-sized input (None: not measured)
    enhanced: bool  # the enhancement was applied to this frame


class Detector:
    """
    A loaded SSD model file with its labels and default frame settings.

    It knows files, not model names: the zoo (`zoo.open_detector`) turns (alpha, resolution)
    or a path into the files and passes them here with the model's name and width.

    `detect()` is not re-entrant (one interpreter); use one Detector per thread.
    """

    def __init__(
        self,
        model: str | Path | Model,
        *,
        labels: str | Path | None = None,
        model_id: str | None = None,
        alpha: float = math.nan,
        num_threads: int | None = None,
        use_xnnpack: bool = True,
        score_threshold: float = 0.5,
        classes: Iterable[str] | None = None,
        max_detections: int | None = None,
        enhance: str = 'off',
        runtime: Runtime | None = None,
    ):
        if not isinstance(model, Model):
            model = Model(model, num_threads=num_threads, use_xnnpack=use_xnnpack, runtime=runtime)
        self.model = model
        path = Path(model.info.path)
        # What reports call the model and its width; the zoo knows them, a bare file does not.
        self.model_id = model_id or f'{path.parent.name}/{path.name}'
        self.alpha = alpha
        self.labels: LabelMap = self.model.labels(labels)
        self.defaults = self.settings(score_threshold, classes, max_detections, enhance)
        self._preprocess = Preprocessor(self.model.interpreter, self.model.info.input)

    @property
    def input_size(self) -> tuple[int, int]:
        """(width, height) of the model input: the resolution that runs."""
        spec = self.model.info.input
        return spec.width, spec.height

    def input_quality(self, image: np.ndarray) -> ImageQuality:
        """Return the quality of `image` resized to the model input, without detecting."""
        return self._preprocess.quality(image)

    def settings(
        self,
        score_threshold: float = 0.5,
        classes: Iterable[str] | None = None,
        max_detections: int | None = None,
        enhance: str = 'off',
    ) -> FrameSettings:
        """
        Return frame settings with label names resolved to class ids.

        Raises KeyError listing the valid names for an unknown one, ValueError for a value out
        of range or an unknown enhancement.
        """
        class_ids = None if classes is None else self.labels.ids_for(classes)
        return FrameSettings(
            DetectionFilter(score_threshold, class_ids, max_detections), Enhancer(enhance)
        )

    def detect(self, image: np.ndarray, settings: FrameSettings | None = None) -> FrameResult:
        """
        Detect objects in `image` (HxWx3 RGB, HxW gray or HxWx4 RGBA, uint8).

        With `settings`, or the detector's defaults.
        """
        settings = settings or self.defaults
        interpreter = self.model.interpreter
        outputs = self.model.info.outputs
        t0 = time.perf_counter()
        quality, enhanced = self._preprocess(image, settings.enhancer)
        t1 = time.perf_counter()
        interpreter.invoke()
        t2 = time.perf_counter()
        detections = to_detections(
            interpreter.get_tensor(outputs.boxes)[0],
            interpreter.get_tensor(outputs.classes)[0],
            interpreter.get_tensor(outputs.scores)[0],
            int(interpreter.get_tensor(outputs.count).reshape(-1)[0]),
            image.shape[1],
            image.shape[0],
            self.labels,
            settings.keep,
        )
        t3 = time.perf_counter()
        timings = Timings((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3)
        return FrameResult(detections, timings, quality, enhanced)
