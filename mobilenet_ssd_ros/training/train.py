"""
The distillation run: teacher on the clean image, student at its own resolution.

    mobilenet-ssd train --resolution 224 --steps 2000 --output runs/r224

The student starts as the zoo builder's rebuild of the teacher at the target resolution
(the same weights, anchors for that resolution), made trainable by the replica. Each step
takes a batch of pool images through random crop, flip and colour jitter; the teacher sees
the augmented image at its own resolution (targets.py):
- `mixed` (default): the teacher's class scores at every student anchor (from the teacher
  anchor it overlaps most), raised where the teacher's detections, SSD-matched to the
  student's anchors, put their peaks; boxes from those matches;
- `dense`: the teacher's raw per-anchor outputs, from the float replica of the
  source model (within a quantization step of the uint8 model's; LiteRT shows them only in
  a debugging mode), for every anchor of the student;
- `detections`: the uint8 source model through LiteRT detects, and its detections above
  `teacher_threshold` are matched to the student's anchors.

The rooms: config.py (what decides a run), pools.py (the images and how often each is
drawn), augment.py (crop, flip, jitter), teachers.py (targets and loss of each kind of
run), checkpoint.py (stop and resume). A run lives in its output folder: a checkpoint is
written every `checkpoint_every` steps and at the end, and a run started again with the
same folder continues from it, so it survives being stopped. At the end the student is
exported to `detect.tflite` (calibrated on pool images) with its labels and a
`model.json`.
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

import hashlib
from pathlib import Path
import shutil
import sys
import time

import cv2
import numpy as np
import torch

from .augment import augment
from .checkpoint import Checkpoint
from .config import (
    check_fog,
    check_weather,
    other_width,
    torch_device,
    TrainConfig,
    trained_name,
    TrainError,
    variant_of,
)
from .export import export
from .pools import (
    CLASSES_FILE,
    FOG,
    fog_folds,
    FOG_LICENCE,
    fog_truth,
    ground_truth,
    NO_TRUTH,
    pool_images,
    POOL_LICENCES,
    pool_of,
    PoolError,
    Sampler,
    teacher_classes,
    Truth,
    truth_boxes,
)
from .replica import Replica
from .teachers import make_teacher
from .weather import weather
from .width import classifier_path, fit_adapters, fold_adapters, narrow, WidthError
from ..core.detector import Detector
from ..core.enhance import Enhancer
from ..core.imageio import read_rgb
from ..core.labels import LabelMap
from ..zoo.build import build, source_for_alpha
from ..zoo.graph import graph_stats
from ..zoo.metadata import ModelMetadata

__all__ = ['train', 'TrainConfig', 'TrainError']

MODEL_FILE = 'detect.tflite'
CALIBRATION_IMAGES = 128


def calibration_images(files: list[Path], size: tuple[int, int]) -> list[np.ndarray]:
    """Up to CALIBRATION_IMAGES pool images spread over the pools, resized to `size` (w, h)."""
    return [
        cv2.resize(read_rgb(p), size, interpolation=cv2.INTER_LINEAR)
        for p in files[:: max(1, len(files) // CALIBRATION_IMAGES)][:CALIBRATION_IMAGES]
    ]


def _student(config: TrainConfig, folder: Path, files: list[Path], fit: bool, log) -> Replica:
    """
    Make the student as it starts.

    The teacher rebuilt at the student's resolution by the zoo builder, or for another width
    the ImageNet classifier's backbone under those heads, whose adapters are fitted on pool
    images unless a checkpoint will overwrite them.
    """
    info = build(
        config.resolution, output=folder / 'source', source=source_for_alpha(config.alpha)
    )
    source = folder / 'source' / info.name / info.model_file
    student = Replica(source)
    if not other_width(config):
        return student
    if config.targets == 'detections' or config.teacher == 'uint8':
        raise TrainError(
            "a student of another width imitates the teacher's feature maps, which only the "
            'float teacher shows: use --targets mixed or dense with --teacher float'
        )
    try:
        narrow(student, classifier_path(config.width))
    except WidthError as exc:
        raise TrainError(str(exc)) from exc
    if fit:
        size = (student.input_size[1], student.input_size[0])
        explained = fit_adapters(student, Replica(source), calibration_images(files, size))
        log(
            'adapters fitted: '
            + ', '.join(f'map {tap}: R^2 {r2:.2f}' for tap, r2 in explained.items())
        )
    return student


def _pool_plan(
    config: TrainConfig, folder: Path, files: list[Path], teacher_source, log
) -> tuple[Sampler, dict[Path, Truth]]:
    """
    Weigh the pool images for drawing, and read the ground truth of the pools that have it.

    The sampling weights come from the classes the uint8 teacher finds in each image and,
    where there is ground truth, the classes it names (pools.py).
    """
    labels = LabelMap.from_file(teacher_source.labels_path)
    truth: dict[Path, Truth] = {}
    if config.ground_truth:
        wanted = set(files)
        for path, sample in ground_truth(config.pools).items():
            if path in wanted:
                truth[path] = truth_boxes(sample, labels)
    classes = [frozenset()] * len(files)
    if config.repeat_threshold > 0:
        teacher = Detector(teacher_source.model_path, labels=teacher_source.labels_path)
        found = teacher_classes(files, teacher, folder / CLASSES_FILE, log)
        classes = [
            shown | {labels[int(c)] for c in truth.get(path, NO_TRUTH).classes}
            for path, shown in zip(files, found)
        ]
    sampler = Sampler.build(files, classes, config.repeat_threshold)
    if config.fog_folds:
        fog = fog_images(config)
        trained_on = set(fog)
        truth.update(
            {p: t for p, t in fog_truth(labels, config.fog_complete).items() if p in trained_on}
        )
        sampler = sampler.with_extra(fog, config.fog_share)
    log(
        'draws per pool: '
        + ', '.join(f'{pool} {share:.1%}' for pool, share in sampler.shares().items())
        + f'; ground truth for {len(truth)} images'
    )
    return sampler, truth


def _fog_record(config: TrainConfig) -> dict:
    """Return what model.json says of the real fog a run saw: folds, seed, held-out images."""
    if not config.fog_folds:
        return {}
    folds = fog_folds(config.seed, config.fog_folds)
    return {
        'fog_folds': config.fog_folds,
        'fog_fold_held_out': config.fog_fold,
        'fog_seed': config.seed,
        'fog_share': config.fog_share,
        'fog_enhance': config.fog_enhance,
        'fog_complete': config.fog_complete,
        'fog_crop': config.fog_crop,
        'enhance': config.fog_enhance,  # what the node runs it with (until measured otherwise)
        'fog_held_out_images': (
            [p.name for p in folds[config.fog_fold]] if config.fog_fold >= 0 else []
        ),
        'fog_folds_images': [[p.name for p in fold] for fold in folds],
    }


def fog_images(config: TrainConfig) -> list[Path]:
    """Return the real-fog images a run trains on: every fold but the held-out one."""
    folds = fog_folds(config.seed, config.fog_folds)
    return sorted(p for k, fold in enumerate(folds) if k != config.fog_fold for p in fold)


def train(
    config: TrainConfig,
    output: str | Path,
    checkpoint_every: int = 100,
    log=print,
    device: str = 'cpu',
) -> Path:
    """
    Run (or continue) the distillation in `output`; returns the exported model's path.

    `device` is not part of the configuration: a run may continue on another device.
    """
    check_weather(config)
    check_fog(config)
    where = torch_device(device)
    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    teacher_source = source_for_alpha(config.alpha)
    try:
        files = pool_images(config.pools, config.images)
        sampler, truth = _pool_plan(config, folder, files, teacher_source, log)
    except PoolError as exc:
        raise TrainError(str(exc)) from exc
    checkpoint = Checkpoint(folder)
    student = _student(config, folder, files, fit=not checkpoint.exists(), log=log)
    student = student.fake_quantize().to(where).train()
    teacher = make_teacher(config, student, teacher_source, where)
    optimizer = torch.optim.Adam(student.parameters(), lr=config.lr)
    rng = np.random.default_rng(config.seed)
    torch.manual_seed(config.seed)
    step, spent = 0, 0.0  # spent: training seconds of the earlier sessions of this run
    if checkpoint.exists():
        step, spent = checkpoint.restore(config, student, optimizer, rng, where)
        log(f'resumed at step {step} of {config.steps}')
    size = (student.input_size[1], student.input_size[0])  # OpenCV's (width, height)
    fog_enhancer = Enhancer(config.fog_enhance) if config.fog_enhance != 'off' else None
    start, start_step = time.monotonic(), step
    while step < config.steps:
        images = []
        for index in sampler.draw(rng, config.batch):
            rgb = read_rgb(sampler.files[index])
            if rgb is None:
                raise TrainError(f'{sampler.files[index]}: not a readable image')
            foggy = pool_of(sampler.files[index]) == FOG
            clean, crop = augment(rgb, rng, crop=not (foggy and config.fog_crop == 'off'))
            if fog_enhancer is not None and foggy:
                fog_enhancer(clean)  # the fog model learns what it will see: enhanced frames
            seen = truth.get(sampler.files[index], NO_TRUTH).moved(crop)
            view = cv2.resize(clean, size, interpolation=cv2.INTER_LINEAR)
            weathered = bool(config.weather and rng.random() < config.weather)
            if weathered:
                view = weather(view, rng, config.weather_effects)
            teacher.add(clean, view, weathered, seen)
            images.append(view)
        value, parts = teacher.loss(student, torch.from_numpy(np.stack(images)).to(where))
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        step += 1
        if step % checkpoint_every == 0 or step == config.steps:
            checkpoint.save(
                config, student, optimizer, rng, step, spent + time.monotonic() - start
            )
        if step % 10 == 0 or step == config.steps:
            per_step = (time.monotonic() - start) / (step - start_step)
            eta = per_step * (config.steps - step)
            done = round(20 * step / config.steps)
            shown = ' '.join(f'{name} {v:.3f}' for name, v in parts.items() if name != 'matches')
            matches = f' matches/image {parts["matches"]:.1f}' if 'matches' in parts else ''
            log(
                f'[{"#" * done}{"." * (20 - done)}] '
                f'step {step}/{config.steps} loss {float(value.detach()):.3f} ({shown}){matches} '
                f'{per_step:.2f} s/step, ETA {eta / 60:.1f} min'
            )
    cost = {
        'seconds': round(spent + time.monotonic() - start, 1),
        'device': str(where),
        'cpu_threads': torch.get_num_threads(),
    }
    return _finish(student, config, folder, files, teacher_source, cost, sampler, truth)


def _finish(
    student: Replica,
    config: TrainConfig,
    folder: Path,
    files,
    teacher_source,
    cost: dict,
    sampler: Sampler,
    truth: dict[Path, Truth],
) -> Path:
    """Export the student, with its labels and model.json, into `folder`."""
    shares = sampler.shares()  # the pools the run drew from (all of `files`)
    student.cpu().eval()
    fold_adapters(student)
    calibration = calibration_images(files, (student.input_size[1], student.input_size[0]))
    model_path = export(student, calibration, folder / MODEL_FILE)
    labels_file = ''
    if teacher_source.labels_path is not None:
        labels_file = teacher_source.labels_path.name
        shutil.copy(teacher_source.labels_path, folder / labels_file)
    stats = graph_stats(model_path)
    ModelMetadata(
        name=trained_name(stats.width_multiplier, config.resolution, variant_of(config)),
        alpha=stats.width_multiplier,
        resolution=config.resolution,
        sha256=hashlib.sha256(model_path.read_bytes()).hexdigest(),
        max_detections=int(student.post['max_detections']),
        macs=stats.macs,
        params=stats.params,
        source=teacher_source.entry.name,
        model_file=MODEL_FILE,
        labels_file=labels_file,
        trained=True,
        variant=variant_of(config),
        details={
            'student_start': (
                f"backbone of {classifier_path(config.width).name} (ImageNet), the source's "
                'heads through fitted adapters, folded at export'
                if other_width(config)
                else 'zoo rebuild of the source at this resolution'
            ),
            'training_pools': list(shares),
            'pool_licences': {pool: {**POOL_LICENCES, FOG: FOG_LICENCE}[pool] for pool in shares},
            'pool_shares': shares,
            'repeat_threshold': config.repeat_threshold,
            'ground_truth': sorted({pool_of(path) for path in truth}),
            **_fog_record(config),
            'steps': config.steps,
            'batch': config.batch,
            'lr': config.lr,
            'seed': config.seed,
            'images': len(files),
            'targets': config.targets,
            'teacher_threshold': config.teacher_threshold,
            'weather': config.weather,
            'weather_effects': list(config.weather_effects) or 'all',
            'teacher_view': config.teacher_view,
            'teacher': config.teacher,
            'feature_weight': config.feature_weight if other_width(config) else 0.0,
            'front': config.front,
            'weights': 'trained through rounding to the uint8 grid (Replica.fake_quantize)',
            'calibration_images': len(calibration),
            'cost': cost,
            'torch': torch.__version__,
            'python': sys.version.split()[0],
            'eval': {},
        },
    ).write(folder)
    return model_path
