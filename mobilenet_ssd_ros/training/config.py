"""
What decides a training run, and what refuses one before any work.

A run lives in its output folder; a resumed run must have the same TrainConfig (more
steps allowed). The checks here name the option and the reason, so that a run that
cannot be made stops at once, not after minutes of teacher passes.
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

from dataclasses import dataclass

import torch

from .pools import FOG_COMPLETE, FOG_CROP, POOLS
from .weather import chosen_effects
from ..core.enhance import METHODS

TEACHER_VIEWS = ('clean', 'enhanced')


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a run; a resumed run must have the same."""

    resolution: int
    alpha: float = 0.75
    steps: int = 1000
    batch: int = 16
    lr: float = 1e-4
    seed: int = 0
    images: int | None = None  # the first N pool images (all when None)
    teacher_threshold: float = 0.3
    pools: tuple[str, ...] = POOLS
    repeat_threshold: float = 0.1  # repeat-factor sampling over the teacher's classes (pools.py)
    ground_truth: bool = True  # the boxes of pools that have them (pools.GROUND_TRUTH) as targets
    targets: str = 'mixed'  # mixed, dense or detections (see targets.py)
    weather: float = 0.0  # share of student images given synthetic weather (weather.py)
    weather_effects: tuple[str, ...] = ()  # which of weather.EFFECTS (empty: all)
    teacher_view: str = 'clean'  # of a weathered frame: 'clean' or 'enhanced' (_enhanced)
    teacher: str = 'float'  # mixed/dense targets from the float replica or the uint8 model
    width: float = 0.0  # the student's width when not the teacher's (width.py)
    feature_weight: float = 1.0  # another width: weight of imitating the teacher's features
    front: int = 0  # train only the first N convolutions, to the teacher's features (0: all)
    # Real fog with boxes (pools.fog_folds): the DAWN dev images of every fold but `fog_fold`
    # (all 100 when it is -1), drawn `fog_share` of the time; 0 folds: none.
    fog_folds: int = 0
    fog_fold: int = -1
    fog_share: float = 0.0
    fog_enhance: str = 'off'  # the fog images through this enhancement, for student and teacher
    fog_complete: str = 'dawn'  # classes complete on a fog image (pools.fog_truth): dawn, all
    fog_crop: str = 'random'  # the fog images randomly cropped, or whole ('off'; augment.py)


class TrainError(RuntimeError):
    """A run that cannot start or continue, with the reason."""


def trained_name(alpha: float, resolution: int, variant: str = '') -> str:
    """Name a trained model's folder: width, resolution, and how it was made."""
    return f'ssd_mobilenet_v1_{alpha:g}_{resolution}_quant_coco_distilled' + (
        f'_{variant}' if variant else ''
    )


def variant_of(config: TrainConfig) -> str:
    """Name the zoo variant a run makes: 'weather' when the student saw bad weather."""
    return 'weather' if config.weather > 0 or config.fog_folds else ''


def other_width(config: TrainConfig) -> bool:
    """Whether the student is narrower or wider than its teacher (width.py)."""
    return bool(config.width) and abs(config.width - config.alpha) > 1e-6


def check_weather(config: TrainConfig) -> None:
    """Refuse, before any work, weather options that name nothing or cannot apply."""
    try:
        chosen_effects(config.weather_effects)
    except ValueError as exc:
        raise TrainError(f'--weather-effects: {exc}') from exc
    if config.weather_effects and not config.weather > 0:
        raise TrainError('--weather-effects needs --weather above 0 (the share of images)')
    if config.teacher_view not in TEACHER_VIEWS:
        raise TrainError(f'--teacher-view must be one of {", ".join(TEACHER_VIEWS)}')
    if config.teacher_view == 'enhanced' and not (
        config.weather > 0 and config.targets in ('dense', 'mixed')
    ):
        raise TrainError(
            '--teacher-view enhanced needs --weather above 0 and --targets dense or mixed '
            '(the teacher must see the weathered frame itself)'
        )


def check_fog(config: TrainConfig) -> None:
    """Refuse, before any work, fog options that cannot apply."""
    if config.fog_folds == 0:
        if (
            config.fog_share
            or config.fog_fold != -1
            or config.fog_enhance != 'off'
            or config.fog_complete != 'dawn'
            or config.fog_crop != 'random'
        ):
            raise TrainError(
                '--fog-share, --fog-fold, --fog-enhance, --fog-complete and --fog-crop need '
                '--fog-folds (k-fold on DAWN fog)'
            )
        return
    if config.fog_folds < 2 or not -1 <= config.fog_fold < config.fog_folds:
        raise TrainError(
            f'--fog-folds {config.fog_folds} --fog-fold {config.fog_fold}: need at least 2 '
            'folds and a held-out fold from 0 to folds - 1 (or -1: train on all of them)'
        )
    if not 0 < config.fog_share < 1:
        raise TrainError(f'--fog-share must be between 0 and 1, got {config.fog_share}')
    if config.targets != 'mixed':
        raise TrainError('the fog boxes are targets of --targets mixed only')
    if config.fog_enhance not in METHODS:
        raise TrainError(f'--fog-enhance must be one of {", ".join(METHODS)}')
    if config.fog_complete not in FOG_COMPLETE:
        raise TrainError(f'--fog-complete must be one of {", ".join(FOG_COMPLETE)}')
    if config.fog_crop not in FOG_CROP:
        raise TrainError(f'--fog-crop must be one of {", ".join(FOG_CROP)}')


def torch_device(name: str) -> torch.device:
    """Return the device `name` (cpu, cuda, cuda:1, ...), refused with a reason if absent."""
    try:
        device = torch.device(name)
    except RuntimeError as exc:
        raise TrainError(f'--device {name}: only cpu and cuda are supported ({exc})') from exc
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise TrainError(
            f'--device {name}: this PyTorch sees no CUDA device (torch {torch.__version__}; '
            'the CPU build from requirements/train.txt has none); use --device cpu'
        )
    if device.type not in ('cpu', 'cuda'):
        raise TrainError(f'--device {name}: only cpu and cuda are supported')
    return device
