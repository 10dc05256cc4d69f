"""
The teachers: what the student learns from for each kind of run, and the loss of a step.

One Teacher per run, chosen by the configuration (make_teacher):
- DetectionTeacher (`--targets detections`): the uint8 detector on the clean frame; its
  detections (and the ground truth) SSD-matched to the student's anchors;
- DenseTeacher (`mixed`, `dense`): the float replica of the source (or, with `--teacher
  uint8`, the uint8 model through LiteRT) on the clean frame, or with `--teacher-view
  enhanced` on the weathered frame through `enhance: auto`; for a student of another
  width, feature imitation too;
- FrontTeacher (`--front N`): the replica's own first layers on the clean frame, whose
  feature map the student's first N convolutions learn to give.
Each step the loop hands every image to `add()` and then asks for `loss()`, which also
empties the batch.
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

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from .config import other_width, TrainConfig, TrainError
from .pools import Truth
from .replica import decode, detections, Replica
from .targets import anchor_map, dense_loss, loss, match, mixed_loss, with_truth
from .teacher import Uint8Teacher
from .width import backbone_steps, feature_loss, WidthError
from ..core.detector import Detector
from ..core.enhance import Enhancer

Loss = tuple[torch.Tensor, dict[str, float]]


def _match_with_truth(student: Replica, boxes, classes, scores, truth: Truth):
    """SSD-match the teacher's detections and an image's ground truth to the student's anchors."""
    return match(
        student.anchors,
        *with_truth(
            boxes,
            classes,
            scores,
            torch.from_numpy(truth.boxes),
            torch.from_numpy(truth.classes),
            torch.from_numpy(truth.complete),
        ),
        student.num_classes,
        student.scales,
    )


def enhanced(view: np.ndarray, size: tuple[int, int]) -> np.ndarray:
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


class DetectionTeacher:
    """The uint8 detector's detections on the clean frame, SSD-matched (with the truth)."""

    def __init__(self, config: TrainConfig, student: Replica, source, device: torch.device):
        self._detector = Detector(
            source.model_path, labels=source.labels_path, score_threshold=config.teacher_threshold
        )
        self._student = student
        self._targets: list = []

    def add(self, clean: np.ndarray, view: np.ndarray, weathered: bool, truth: Truth) -> None:
        """Take one image: `clean` as augmented, `view` the student's (maybe weathered)."""
        h, w = clean.shape[:2]
        found = self._detector.detect(clean).detections
        boxes = torch.tensor(
            [[d.bbox.ymin / h, d.bbox.xmin / w, d.bbox.ymax / h, d.bbox.xmax / w] for d in found],
            dtype=torch.float32,
        ).reshape(-1, 4)
        classes = torch.tensor([d.class_id for d in found], dtype=torch.long)
        scores = torch.tensor([d.score for d in found], dtype=torch.float32)
        self._targets.append(_match_with_truth(self._student, boxes, classes, scores, truth))

    def loss(self, student: Replica, batch: torch.Tensor) -> Loss:
        """Return the step's loss on the images added since the last call."""
        targets, self._targets = self._targets, []
        return loss(*student(batch), targets)


class DenseTeacher:
    """The source model's per-anchor outputs (mixed: sharpened by its matched detections)."""

    def __init__(self, config: TrainConfig, student: Replica, source, device: torch.device):
        self._config = config
        self.replica = Replica(source.model_path).to(device).eval()
        self._mapping = anchor_map(student.anchors, self.replica.anchors)
        self._uint8 = (
            Uint8Teacher(source.model_path, self.replica.boxes_index, self.replica.logits_index)
            if config.teacher == 'uint8'
            else None
        )
        self._size = (self.replica.input_size[1], self.replica.input_size[0])  # (width, height)
        self._images: list[np.ndarray] = []
        self._truths: list[Truth] = []

    def add(self, clean: np.ndarray, view: np.ndarray, weathered: bool, truth: Truth) -> None:
        """Take one image: the teacher sees `clean`, or the weathered `view` enhanced."""
        if weathered and self._config.teacher_view == 'enhanced':
            self._images.append(enhanced(view, self._size))
        else:
            self._images.append(cv2.resize(clean, self._size, interpolation=cv2.INTER_LINEAR))
        self._truths.append(truth)

    def _take(self, device: torch.device) -> tuple[torch.Tensor, list[Truth], np.ndarray]:
        images, truths = np.stack(self._images), self._truths
        self._images, self._truths = [], []
        return torch.from_numpy(images).to(device), truths, images

    def loss(self, student: Replica, batch: torch.Tensor) -> Loss:
        """Return the step's loss on the images added since the last call."""
        config, teacher = self._config, self.replica
        images, truths, pixels = self._take(batch.device)
        mine: dict[int, torch.Tensor] = {}
        box_encodings, class_logits = student(batch, keep=mine)
        theirs: dict[int, torch.Tensor] = {}
        with torch.no_grad():
            if self._uint8 is not None:  # the model users run, through LiteRT
                t_boxes, t_logits = (t.to(batch.device) for t in self._uint8(pixels))
            else:
                t_boxes, t_logits = teacher(images, keep=theirs)
            decoded = [decode(teacher, b, lg) for b, lg in zip(t_boxes, t_logits)]
        if config.targets == 'mixed':
            matched = []
            for b, lg, truth in zip(t_boxes, t_logits, truths):
                found = detections(teacher, b, lg, config.teacher_threshold)
                matched.append(
                    _match_with_truth(
                        student,
                        torch.tensor(
                            np.array([c for _, _, c in found]), dtype=torch.float32
                        ).reshape(-1, 4),
                        torch.tensor([k for k, _, _ in found], dtype=torch.long),
                        torch.tensor([v for _, v, _ in found], dtype=torch.float32),
                        truth,
                    )
                )
            value, parts = mixed_loss(
                box_encodings,
                class_logits,
                torch.stack([s for _, s in decoded]),
                self._mapping,
                matched,
                [torch.from_numpy(t.complete).to(batch.device) for t in truths],
            )
        else:
            value, parts = dense_loss(
                box_encodings,
                class_logits,
                torch.stack([c for c, _ in decoded]),
                torch.stack([s for _, s in decoded]),
                self._mapping,
                student.anchors,
                student.scales,
            )
        if len(student.adapters):  # another width: imitate the teacher's feature maps too
            features = feature_loss(student, mine, theirs)
            value = value + config.feature_weight * features
            parts['features'] = float(features.detach())
        return value, parts


class FrontTeacher(DenseTeacher):
    """
    The replica's first layers on the clean frame: what the student's first ones learn.

    The first `config.front` convolutions learn to give, from the student's view, the
    feature map the teacher's own first layers give from the clean image. The loss reaches
    no later layer, so those stay the teacher's (and COCO's classes, which the pools do not
    show, keep what the teacher knows of them).
    """

    def __init__(self, config: TrainConfig, student: Replica, source, device: torch.device):
        super().__init__(config, student, source, device)
        if (
            config.front < 0
            or config.teacher != 'float'
            or other_width(config)
            or self.replica.input_size != student.input_size
        ):
            raise TrainError(
                "--front trains the first convolutions towards the teacher's own features: it "
                "needs the teacher's width and resolution, mixed or dense targets and "
                '--teacher float'
            )
        try:
            backbone_steps(student, config.front)
        except WidthError as exc:
            raise TrainError(f'--front {config.front}: {exc}') from exc

    def loss(self, student: Replica, batch: torch.Tensor) -> Loss:
        """Return the mean squared difference of the two front feature maps."""
        images, _, _ = self._take(batch.device)
        front = self._config.front
        with torch.no_grad():
            goal = self.replica.front(images, front)
        value = F.mse_loss(student.front(batch, front), goal)
        return value, {'features': float(value.detach())}


def make_teacher(config: TrainConfig, student: Replica, source, device: torch.device):
    """Return the teacher the configuration asks for (see the module docstring)."""
    if config.front:
        if config.targets == 'detections':
            raise TrainError(
                "--front trains the first convolutions towards the teacher's own features: it "
                "needs the teacher's width and resolution, mixed or dense targets and "
                '--teacher float'
            )
        return FrontTeacher(config, student, source, device)
    if config.targets == 'detections':
        return DetectionTeacher(config, student, source, device)
    return DenseTeacher(config, student, source, device)
