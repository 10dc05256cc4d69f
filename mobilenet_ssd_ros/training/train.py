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

A run lives in its output folder: `checkpoint.pt` is written every `checkpoint_every`
steps and at the end, and a run started again with the same folder continues from it (the
model, the optimizer, the step and the random state), so it survives being stopped. At the
end the student is exported to `detect.tflite` (calibrated on pool images) with its labels
and a `model.json`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
import hashlib
import json
from pathlib import Path
import shutil
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from .export import export
from .pools import (
    CLASSES_FILE,
    ground_truth,
    pool_images,
    POOL_LICENCES,
    pool_of,
    PoolError,
    POOLS,
    Sampler,
    teacher_classes,
    truth_boxes,
)
from .replica import decode, detections, Replica
from .targets import anchor_map, dense_loss, loss, match, mixed_loss, with_truth
from .teacher import Uint8Teacher
from .weather import chosen_effects, weather
from .width import (
    backbone_steps,
    classifier_path,
    feature_loss,
    fit_adapters,
    fold_adapters,
    narrow,
    WidthError,
)
from ..core.detector import Detector
from ..core.enhance import Enhancer
from ..core.imageio import read_rgb
from ..core.labels import LabelMap
from ..zoo.build import build, source_for_alpha
from ..zoo.graph import graph_stats
from ..zoo.lookup import MODEL_INFO

MODEL_FILE = 'detect.tflite'
CALIBRATION_IMAGES = 128


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


TEACHER_VIEWS = ('clean', 'enhanced')


class TrainError(RuntimeError):
    """A run that cannot start or continue, with the reason."""


def trained_name(alpha: float, resolution: int, variant: str = '') -> str:
    """Name a trained model's folder: width, resolution, and how it was made."""
    return f'ssd_mobilenet_v1_{alpha:g}_{resolution}_quant_coco_distilled' + (
        f'_{variant}' if variant else ''
    )


def variant_of(config: TrainConfig) -> str:
    """Name the zoo variant a run makes: 'weather' when the student saw synthetic weather."""
    return 'weather' if config.weather > 0 else ''


@dataclass(frozen=True)
class Crop:
    """Where augment() cut a frame (normalized to it), to move its boxes the same way."""

    top: float
    left: float
    height: float
    width: float
    flipped: bool

    def boxes(self, boxes: np.ndarray, min_visible: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
        """
        Return `boxes` (normalized corners of the frame) in the crop, and which were kept.

        A box keeps its place only if at least `min_visible` of its area lies in the crop:
        a box mostly cut away would teach the student a class it cannot see.
        """
        ymin = (boxes[:, 0] - self.top) / self.height
        xmin = (boxes[:, 1] - self.left) / self.width
        ymax = (boxes[:, 2] - self.top) / self.height
        xmax = (boxes[:, 3] - self.left) / self.width
        moved = np.clip(np.stack([ymin, xmin, ymax, xmax], axis=-1), 0.0, 1.0)
        area = (ymax - ymin) * (xmax - xmin)
        inside = (moved[:, 2] - moved[:, 0]) * (moved[:, 3] - moved[:, 1])
        kept = inside >= min_visible * np.maximum(area, 1e-12)
        if self.flipped:
            moved[:, [1, 3]] = 1.0 - moved[:, [3, 1]]
        return moved[kept].astype(np.float32), kept


def augment(rgb: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, Crop]:
    """Random crop (40-100% of the area, aspect 3:4 to 4:3), flip and colour jitter."""
    h, w = rgb.shape[:2]
    area = rng.uniform(0.4, 1.0) * h * w
    aspect = np.exp(rng.uniform(np.log(3 / 4), np.log(4 / 3)))
    ch = int(min(h, round(np.sqrt(area / aspect))))
    cw = int(min(w, round(np.sqrt(area * aspect))))
    top, left = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
    bottom, right = top + ch, left + cw
    out = rgb[top:bottom, left:right]
    flipped = bool(rng.random() < 0.5)
    if flipped:
        out = out[:, ::-1]
    gain, bias = rng.uniform(0.7, 1.3), rng.uniform(-25, 25)
    out = np.clip(out.astype(np.float32) * gain + bias, 0, 255)
    gray = out.mean(axis=2, keepdims=True)
    out = np.clip(gray + (out - gray) * rng.uniform(0.7, 1.3), 0, 255)
    crop = Crop(top / h, left / w, ch / h, cw / w, flipped)
    return np.ascontiguousarray(out.astype(np.uint8)), crop


Truth = tuple[np.ndarray, np.ndarray]  # one image's boxes (normalized corners) and class ids
NO_TRUTH: Truth = (np.zeros((0, 4), np.float32), np.zeros(0, np.int64))


def _teacher_boxes(teacher: Detector, rgb: np.ndarray) -> tuple[torch.Tensor, ...]:
    h, w = rgb.shape[:2]
    found = teacher.detect(rgb)
    boxes = torch.tensor(
        [[d.bbox.ymin / h, d.bbox.xmin / w, d.bbox.ymax / h, d.bbox.xmax / w] for d in found],
        dtype=torch.float32,
    ).reshape(-1, 4)
    classes = torch.tensor([d.class_id for d in found], dtype=torch.long)
    scores = torch.tensor([d.score for d in found], dtype=torch.float32)
    return boxes, classes, scores


def _match_with_truth(student: Replica, boxes, classes, scores, truth: Truth):
    """SSD-match the teacher's detections and an image's ground truth to the student's anchors."""
    return match(
        student.anchors,
        *with_truth(
            boxes, classes, scores, torch.from_numpy(truth[0]), torch.from_numpy(truth[1])
        ),
        student.num_classes,
        student.scales,
    )


def _matched_detections(
    teacher: Replica, student: Replica, boxes, logits, threshold: float, truth: Truth
):
    """SSD-match the teacher replica's detections (after its NMS) and the truth to the student."""
    found = detections(teacher, boxes, logits, threshold)
    return _match_with_truth(
        student,
        torch.tensor(np.array([c for _, _, c in found]), dtype=torch.float32).reshape(-1, 4),
        torch.tensor([k for k, _, _ in found], dtype=torch.long),
        torch.tensor([v for _, v, _ in found], dtype=torch.float32),
        truth,
    )


def _student_source(config: TrainConfig, folder: Path) -> Path:
    """Build the teacher at the student's resolution with the zoo builder: the start."""
    info = build(
        config.resolution, output=folder / 'source', source=source_for_alpha(config.alpha)
    )
    return folder / 'source' / info.name / info.model_file


def other_width(config: TrainConfig) -> bool:
    """Whether the student is narrower or wider than its teacher (width.py)."""
    return bool(config.width) and abs(config.width - config.alpha) > 1e-6


def calibration_images(files: list[Path], size: tuple[int, int]) -> list[np.ndarray]:
    """Up to CALIBRATION_IMAGES pool images spread over the pools, resized to `size` (w, h)."""
    return [
        cv2.resize(read_rgb(p), size, interpolation=cv2.INTER_LINEAR)
        for p in files[:: max(1, len(files) // CALIBRATION_IMAGES)][:CALIBRATION_IMAGES]
    ]


def _student(config: TrainConfig, folder: Path, files: list[Path], fit: bool, log) -> Replica:
    """
    Make the student as it starts.

    The teacher rebuilt at the student's resolution, or for another width the ImageNet
    classifier's backbone under those heads, whose adapters are fitted on pool images
    unless a checkpoint will overwrite them.
    """
    source = _student_source(config, folder)
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


def _check_weather(config: TrainConfig) -> None:
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


def _enhanced(view: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """
    Return the weathered student view as the teacher sees it with --teacher-view enhanced.

    The teacher reads the weathered frame through the node's `enhance: auto` (a stretch
    where the frame is hazy or flat, the frame as it is elsewhere), so that its targets
    hold only what can still be seen: with the clean frame's targets the students learned
    to call haze a car (docs/TRAINING.md).
    """
    out = cv2.resize(view, size, interpolation=cv2.INTER_LINEAR)
    Enhancer('auto')(out)
    return out


def _check_front(config: TrainConfig, student: Replica, teacher: Replica | None) -> None:
    """
    Refuse a --front run that cannot be made.

    The first `config.front` convolutions learn to give, from the student's view, the
    feature map the teacher's own first layers give from the clean image. The loss reaches
    no later layer, so those stay the teacher's (and COCO's classes, which the pools do not
    show, keep what the teacher knows of them).
    """
    if (
        config.front < 0
        or teacher is None
        or config.teacher != 'float'
        or other_width(config)
        or teacher.input_size != student.input_size
    ):
        raise TrainError(
            "--front trains the first convolutions towards the teacher's own features: it "
            "needs the teacher's width and resolution, mixed or dense targets and --teacher "
            'float'
        )
    try:
        backbone_steps(student, config.front)
    except WidthError as exc:
        raise TrainError(f'--front {config.front}: {exc}') from exc


def _loss(
    config: TrainConfig,
    student: Replica,
    batch: torch.Tensor,
    teacher_images: np.ndarray | None,
    targets: list,
    dense: Replica | None,
    uint8: Uint8Teacher | None,
    mapping: torch.Tensor | None,
    truths: list[Truth],
) -> tuple[torch.Tensor, dict[str, float]]:
    """
    Return one step's loss and its parts, for the kind of run `config` asks for.

    `batch` holds the student's views, `teacher_images` the teacher's at its size (mixed or
    dense targets: the clean frames, or with --teacher-view enhanced the weathered ones
    through the enhancement), `targets` the matched detections (`detections`), `truths`
    each image's ground truth in the student's view (mixed targets add it to the teacher's
    detections; `detections` targets have it already).
    """
    if config.front:  # only the first convolutions, to the teacher's clean features
        with torch.no_grad():
            goal = dense.front(torch.from_numpy(teacher_images).to(batch.device), config.front)
        value = F.mse_loss(student.front(batch, config.front), goal)
        return value, {'features': float(value.detach())}
    mine: dict[int, torch.Tensor] = {}
    box_encodings, class_logits = student(batch, keep=mine)
    if dense is None:
        return loss(box_encodings, class_logits, targets)
    theirs: dict[int, torch.Tensor] = {}
    with torch.no_grad():
        if uint8 is not None:  # the model users run, through LiteRT
            t_boxes, t_logits = (t.to(batch.device) for t in uint8(teacher_images))
        else:
            t_boxes, t_logits = dense(
                torch.from_numpy(teacher_images).to(batch.device), keep=theirs
            )
        decoded = [decode(dense, b, lg) for b, lg in zip(t_boxes, t_logits)]
    if config.targets == 'mixed':
        matched = [
            _matched_detections(dense, student, b, lg, config.teacher_threshold, truth)
            for b, lg, truth in zip(t_boxes, t_logits, truths)
        ]
        value, parts = mixed_loss(
            box_encodings, class_logits, torch.stack([s for _, s in decoded]), mapping, matched
        )
    else:
        value, parts = dense_loss(
            box_encodings,
            class_logits,
            torch.stack([c for c, _ in decoded]),
            torch.stack([s for _, s in decoded]),
            mapping,
            student.anchors,
            student.scales,
        )
    if len(student.adapters):  # another width: imitate the teacher's feature maps too
        features = feature_loss(student, mine, theirs)
        value = value + config.feature_weight * features
        parts['features'] = float(features.detach())
    return value, parts


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
            shown | {labels[int(c)] for c in truth.get(path, NO_TRUTH)[1]}
            for path, shown in zip(files, found)
        ]
    sampler = Sampler.build(files, classes, config.repeat_threshold)
    log(
        'draws per pool: '
        + ', '.join(f'{pool} {share:.1%}' for pool, share in sampler.shares().items())
        + f'; ground truth for {len(truth)} images'
    )
    return sampler, truth


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
    _check_weather(config)
    where = torch_device(device)
    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    teacher_source = source_for_alpha(config.alpha)
    try:
        files = pool_images(config.pools, config.images)
        sampler, truth = _pool_plan(config, folder, files, teacher_source, log)
    except PoolError as exc:
        raise TrainError(str(exc)) from exc
    checkpoint = folder / 'checkpoint.pt'
    student = _student(config, folder, files, fit=not checkpoint.exists(), log=log)
    student = student.fake_quantize().to(where).train()
    if config.targets in ('dense', 'mixed'):
        teacher, dense = None, Replica(teacher_source.model_path).to(where).eval()
        mapping = anchor_map(student.anchors, dense.anchors)
        uint8 = (
            Uint8Teacher(teacher_source.model_path, dense.boxes_index, dense.logits_index)
            if config.teacher == 'uint8'
            else None
        )
        teacher_size = (dense.input_size[1], dense.input_size[0])  # OpenCV's (width, height)
    else:
        teacher = Detector(
            teacher_source.model_path,
            labels=teacher_source.labels_path,
            score_threshold=config.teacher_threshold,
        )
        dense = mapping = teacher_size = uint8 = None
    if config.front:
        _check_front(config, student, dense)
    optimizer = torch.optim.Adam(student.parameters(), lr=config.lr)
    rng = np.random.default_rng(config.seed)
    torch.manual_seed(config.seed)
    step, spent = 0, 0.0  # spent: training seconds of the earlier sessions of this run
    if checkpoint.exists():
        state = torch.load(checkpoint, weights_only=False, map_location=where)
        # options added since the run began take their defaults, options since removed are
        # ignored; more steps are allowed
        current = asdict(TrainConfig(config.resolution))
        saved = {**current, **state['config'], 'steps': 0}
        saved = {k: v for k, v in saved.items() if k in current}
        if saved != {**asdict(config), 'steps': 0}:
            raise TrainError(
                f'{folder} holds a run with another configuration ({state["config"]}); '
                'use another --output or the same options'
            )
        student.load_state_dict(state['model'])
        optimizer.load_state_dict(state['optimizer'])
        rng.bit_generator.state = state['rng']
        torch.set_rng_state(state['torch_rng'].cpu())
        step = state['step']
        spent = state.get('seconds', 0.0)
        log(f'resumed at step {step} of {config.steps}')

    def save() -> None:
        state = {
            'config': asdict(config),
            'model': student.state_dict(),
            'optimizer': optimizer.state_dict(),
            'step': step,
            'rng': rng.bit_generator.state,
            'torch_rng': torch.get_rng_state(),
            'seconds': spent + time.monotonic() - start,
        }
        torch.save(state, checkpoint.with_suffix('.tmp'))
        checkpoint.with_suffix('.tmp').replace(checkpoint)  # never a half-written checkpoint

    size = (student.input_size[1], student.input_size[0])  # OpenCV's (width, height)
    start, start_step = time.monotonic(), step
    while step < config.steps:
        images, teacher_images, targets, truths = [], [], [], []
        for index in sampler.draw(rng, config.batch):
            rgb = read_rgb(files[index])
            if rgb is None:
                raise TrainError(f'{files[index]}: not a readable image')
            clean, crop = augment(rgb, rng)
            boxes, classes = truth.get(files[index], NO_TRUTH)
            moved, kept = crop.boxes(boxes)
            truths.append((moved, classes[kept]))
            student_view = cv2.resize(clean, size, interpolation=cv2.INTER_LINEAR)
            teacher_view = None  # None: the clean frame
            if config.weather and rng.random() < config.weather:
                student_view = weather(student_view, rng, config.weather_effects)
                if config.teacher_view == 'enhanced':
                    teacher_view = _enhanced(student_view, teacher_size)
            if dense is None:
                targets.append(
                    _match_with_truth(student, *_teacher_boxes(teacher, clean), truths[-1])
                )
            elif teacher_view is None:
                teacher_images.append(
                    cv2.resize(clean, teacher_size, interpolation=cv2.INTER_LINEAR)
                )
            else:
                teacher_images.append(teacher_view)
            images.append(student_view)
        batch = torch.from_numpy(np.stack(images)).to(where)
        value, parts = _loss(
            config,
            student,
            batch,
            np.stack(teacher_images) if teacher_images else None,
            targets,
            dense,
            uint8,
            mapping,
            truths,
        )
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        step += 1
        if step % checkpoint_every == 0 or step == config.steps:
            save()
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
    info = {
        'name': trained_name(stats.width_multiplier, config.resolution, variant_of(config)),
        'trained': True,
        'variant': variant_of(config),
        'alpha': stats.width_multiplier,
        'resolution': config.resolution,
        'model_file': MODEL_FILE,
        'labels_file': labels_file,
        'sha256': hashlib.sha256(model_path.read_bytes()).hexdigest(),
        'max_detections': int(student.post['max_detections']),
        'macs': stats.macs,
        'params': stats.params,
        'source': teacher_source.entry.name,
        'student_start': (
            f"backbone of {classifier_path(config.width).name} (ImageNet), the source's heads "
            'through fitted adapters, folded at export'
            if other_width(config)
            else 'zoo rebuild of the source at this resolution'
        ),
        'training_pools': list(shares),
        'pool_licences': {pool: POOL_LICENCES[pool] for pool in shares},
        'pool_shares': shares,
        'repeat_threshold': config.repeat_threshold,
        'ground_truth': sorted({pool_of(path) for path in truth}),
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
    }
    (folder / MODEL_INFO).write_text(json.dumps(info, indent=2) + '\n')
    return model_path
