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
`Detector(model).detect(rgb) -> list[Detection]`: the whole core in one object.

One frame's path: check the image, resize it straight into the input tensor, invoke,
read the four small output tensors, filter and scale to the original image. Only
`invoke()` is heavy; the per-stage times of the last call are kept in `last_timings`
so callers (the node's ~/stats, the benchmarks) can report them without re-measuring.
"""

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


class Detector:
    """
    A loaded SSD model file with its labels and a detection filter.

    It knows files, not model names: `zoo.resolve()` turns (alpha, resolution) or a path
    into the files, and callers pass those here.

    `detect()` is not re-entrant (one interpreter); use one Detector per thread. The
    filter and the enhancer may be replaced from another thread at any time
    (`detector.filter = ...`, `detector.enhancer = Enhancer('auto')`): they are immutable
    objects, so each frame sees either the old or the new one.
    """

    def __init__(
        self,
        model: str | Path,
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
        # What reports call the model and its width; the zoo knows them, a bare file does not.
        self.model_id = model_id or f'{Path(model).parent.name}/{Path(model).name}'
        self.alpha = alpha
        self.model = Model(
            model, num_threads=num_threads, use_xnnpack=use_xnnpack, runtime=runtime
        )
        self.labels: LabelMap = self.model.labels(labels)
        self.filter = self.make_filter(score_threshold, classes, max_detections)
        self.enhancer = Enhancer(enhance)
        self._preprocess = Preprocessor(self.model.interpreter, self.model.info.input)
        self.last_timings = Timings()
        # The model-sized input of the last call: its quality, and whether it was enhanced.
        self.last_quality: ImageQuality | None = None
        self.last_enhanced = False

    @property
    def input_size(self) -> tuple[int, int]:
        """(width, height) of the model input."""
        spec = self.model.info.input
        return spec.width, spec.height

    def make_filter(
        self,
        score_threshold: float = 0.5,
        classes: Iterable[str] | None = None,
        max_detections: int | None = None,
    ) -> DetectionFilter:
        """Return a filter with label names resolved to class ids (KeyError lists the names)."""
        class_ids = None if classes is None else self.labels.ids_for(classes)
        return DetectionFilter(score_threshold, class_ids, max_detections)

    def detect(self, image: np.ndarray, keep: DetectionFilter | None = None) -> list[Detection]:
        """
        Detect objects in `image` (HxWx3 RGB, HxW gray or HxWx4 RGBA, uint8).

        Boxes in its pixel coordinates, best first.
        """
        keep = keep or self.filter
        interpreter = self.model.interpreter
        outputs = self.model.info.outputs
        t0 = time.perf_counter()
        self.last_quality, self.last_enhanced = self._preprocess(image, self.enhancer)
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
            keep,
        )
        t3 = time.perf_counter()
        self.last_timings = Timings((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3)
        return detections
