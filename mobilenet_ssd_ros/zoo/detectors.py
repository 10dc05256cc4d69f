"""
Open a Detector from one DetectorSettings: which model, how to run it, what to keep.

The CLI builds DetectorSettings from its options and the node from its parameters; both
open the detector here, so the model is chosen, loaded and labelled the same way. An
explicit model file is checked and loaded first, then its width measured from its graph;
a zoo model's width is its entry's.
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

from dataclasses import dataclass, field, replace
from pathlib import Path

from .graph import measured_width
from .lookup import DEFAULT_ENTRY, find
from .metadata import MetadataError, ModelMetadata
from ..core.detector import Detector
from ..core.fog_switch import Choice, SwitchRule, TwoModels
from ..core.model import Model


@dataclass(frozen=True)
class DetectorSettings:
    """Everything that decides which detector runs and how (the node's model parameters)."""

    model: str = ''  # an explicit .tflite file; empty: the zoo's (alpha, resolution, variant)
    alpha: float = DEFAULT_ENTRY.alpha
    resolution: int = DEFAULT_ENTRY.resolution
    variant: str = ''
    labels: str = ''  # a label file; empty: embedded in the model or beside it
    model_dirs: tuple[str, ...] = field(default_factory=tuple)  # searched after the cache
    num_threads: int = 0  # 0: all cores
    use_xnnpack: bool = True
    score_threshold: float = 0.5
    classes: tuple[str, ...] = ()  # empty: every class
    max_detections: int = 0  # 0: whatever the model returns
    enhance: str = 'off'


def open_detector(settings: DetectorSettings = DetectorSettings(), **changes) -> Detector:
    """
    Open the detector `settings` describe (with `changes` to any of its fields).

    Raises ModelNotAvailableError (zoo) or ModelError (file) with the reason, KeyError for
    unknown class names, ValueError for values out of range.
    """
    settings = replace(settings, **changes)
    options = {
        'score_threshold': settings.score_threshold,
        'classes': list(settings.classes) or None,
        'max_detections': settings.max_detections or None,
        'enhance': settings.enhance,
    }
    if settings.model:
        path = Path(settings.model)
        model = Model(
            path, num_threads=settings.num_threads or None, use_xnnpack=settings.use_xnnpack
        )
        return Detector(
            model,
            labels=settings.labels or None,
            model_id=f'{path.parent.name}/{path.name}',
            alpha=measured_width(path),  # the file is a loadable model now
            **options,
        )
    found = find(settings.alpha, settings.resolution, settings.model_dirs, settings.variant)
    return Detector(
        found.model_path,
        labels=settings.labels or found.labels_path,
        model_id=found.model_id,
        alpha=found.entry.alpha,
        num_threads=settings.num_threads or None,
        use_xnnpack=settings.use_xnnpack,
        **options,
    )


AUTO = 'auto'  # the variant that is the plain model and its weather variant, switched per frame
FOG_VARIANT = 'weather'


def open_two_models(settings: DetectorSettings, rule: SwitchRule = SwitchRule()) -> TwoModels:
    """
    Open the plain model of the settings' key and its `weather` variant (`variant: auto`).

    The plain model runs with the settings' `enhance`, the fog model with the enhancement
    its model.json recommends (measured when it was made; `enhance` otherwise). Without a
    weather model for the key: ModelNotAvailableError listing the variants that exist.
    """
    clear = open_detector(settings, variant='')
    found = find(settings.alpha, settings.resolution, settings.model_dirs, FOG_VARIANT)
    try:
        recommended = ModelMetadata.read(found.model_path.parent).details.get('enhance')
    except MetadataError:
        recommended = None
    fog = open_detector(settings, variant=FOG_VARIANT, enhance=recommended or settings.enhance)
    return TwoModels(Choice(clear, clear.defaults), Choice(fog, fog.defaults), rule)
