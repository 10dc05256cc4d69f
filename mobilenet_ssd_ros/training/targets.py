"""
Distillation targets: what the student at its own resolution and anchors should output.

Three kinds (train.py's `targets`): `mixed` (the default, mixed_loss), `dense`
(dense_loss) and `detections` (match + loss), described here for the last.

The teacher (the uint8 detector) sees the clean image and returns boxes, classes and
scores; the student may run at another resolution, with other anchors. As in SSD training,
each anchor takes the teacher box it overlaps most if that IoU is at least 0.5, and each
teacher box takes its best anchor whatever the IoU, so that no box is left without one.
A matched anchor learns the box's encoding (the post-processing op's scales) and the
teacher's score for the teacher's class; every other anchor learns background.

The loss: smooth L1 on the encodings of matched anchors, and sigmoid cross-entropy on the
class logits (the model scores classes independently with a sigmoid) against those soft
targets, over the matched anchors and the hardest unmatched ones (three per match), each
part divided by the number of matches.
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
import torch.nn.functional as F

IOU_MATCH = 0.5
BOX_CONFIDENCE = 0.5  # dense targets: boxes are learned where the teacher scores this
NEGATIVES_PER_MATCH = 3


@dataclass
class Targets:
    """Per-anchor targets of one image: encodings [A, 4], class scores [A, C], matched [A]."""

    encodings: torch.Tensor
    scores: torch.Tensor
    matched: torch.Tensor


def anchor_corners(anchors: torch.Tensor) -> torch.Tensor:
    """Return (ymin, xmin, ymax, xmax) of anchors given as (y_center, x_center, h, w)."""
    yc, xc, h, w = anchors.unbind(-1)
    return torch.stack([yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2], dim=-1)


def iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Return the IoU matrix [len(a), len(b)] of boxes given as (ymin, xmin, ymax, xmax)."""
    top_left = torch.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = torch.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = (bottom_right - top_left).clamp(min=0).prod(-1)
    area_a = (a[:, 2:] - a[:, :2]).clamp(min=0).prod(-1)
    area_b = (b[:, 2:] - b[:, :2]).clamp(min=0).prod(-1)
    return inter / (area_a[:, None] + area_b[None, :] - inter).clamp(min=1e-9)


def encode(boxes: torch.Tensor, anchors: torch.Tensor, scales: tuple[float, ...]) -> torch.Tensor:
    """Encode corner boxes against center-size anchors, as the post-processing op decodes."""
    y_scale, x_scale, h_scale, w_scale = scales
    h = (boxes[:, 2] - boxes[:, 0]).clamp(min=1e-6)
    w = (boxes[:, 3] - boxes[:, 1]).clamp(min=1e-6)
    yc, xc = boxes[:, 0] + h / 2, boxes[:, 1] + w / 2
    return torch.stack(
        [
            (yc - anchors[:, 0]) / anchors[:, 2] * y_scale,
            (xc - anchors[:, 1]) / anchors[:, 3] * x_scale,
            torch.log(h / anchors[:, 2]) * h_scale,
            torch.log(w / anchors[:, 3]) * w_scale,
        ],
        dim=-1,
    )


def match(
    anchors: torch.Tensor,
    boxes: torch.Tensor,
    classes: torch.Tensor,
    scores: torch.Tensor,
    num_classes: int,
    scales: tuple[float, ...],
) -> Targets:
    """
    Targets of one image from the teacher's `boxes` [N, 4] (corners, normalized).

    `classes` [N] are class indices without background (0 = the first real class) and
    `scores` [N] the teacher's scores.
    """
    count, device = anchors.shape[0], anchors.device
    boxes, classes, scores = boxes.to(device), classes.to(device), scores.to(device)
    encodings = torch.zeros(count, 4, device=device)
    soft = torch.zeros(count, num_classes, device=device)
    matched = torch.zeros(count, dtype=torch.bool, device=device)
    if len(boxes) == 0:
        return Targets(encodings, soft, matched)
    overlaps = iou(anchor_corners(anchors), boxes)  # [A, N]
    best, owner = overlaps.max(dim=1)
    matched = best >= IOU_MATCH
    forced = overlaps.argmax(dim=0)  # each box's best anchor
    owner[forced] = torch.arange(len(boxes), device=device)
    matched[forced] = True
    encodings[matched] = encode(boxes[owner[matched]], anchors[matched], scales)
    rows = matched.nonzero().squeeze(1)
    soft[rows, classes[owner[rows]]] = scores[owner[rows]]
    return Targets(encodings, soft, matched)


def with_truth(
    boxes: torch.Tensor,
    classes: torch.Tensor,
    scores: torch.Tensor,
    truth_boxes: torch.Tensor,
    truth_classes: torch.Tensor,
    complete: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """
    Add ground-truth boxes to the teacher's detections, as sure as can be (score 1).

    A teacher detection of a box's class that overlaps it by IOU_MATCH or more is the same
    object and gives way to it; the teacher's other detections stay (for objects the labels
    leave out, or classes they do not have), except those of a `complete` class (labelled
    exhaustively: no box, no object). All boxes are corners, normalized.
    """
    keep = torch.ones(len(boxes), dtype=torch.bool)
    if complete is not None and len(complete):
        keep &= ~torch.isin(classes, complete)
    if len(truth_boxes) == 0:
        return boxes[keep], classes[keep], scores[keep]
    same = (iou(boxes, truth_boxes) >= IOU_MATCH) & (classes[:, None] == truth_classes[None, :])
    keep &= ~same.any(dim=1)
    return (
        torch.cat([boxes[keep], truth_boxes]),
        torch.cat([classes[keep], truth_classes]),
        torch.cat([scores[keep], torch.ones(len(truth_boxes))]),
    )


def loss(
    box_encodings: torch.Tensor, class_logits: torch.Tensor, targets: list[Targets]
) -> tuple[torch.Tensor, dict[str, float]]:
    """
    Return the batch's loss and its parts, from the student's raw outputs.

    `class_logits` include the background column (the model's layout); it is not trained.
    """
    box_losses, class_losses, matches = [], [], 0
    for encodings, logits, t in zip(box_encodings, class_logits[..., 1:], targets):
        n = int(t.matched.sum())
        matches += n
        if n:
            box_losses.append(
                F.smooth_l1_loss(encodings[t.matched], t.encodings[t.matched], reduction='sum')
            )
        per_anchor = F.binary_cross_entropy_with_logits(logits, t.scores, reduction='none').sum(-1)
        negatives = per_anchor.masked_fill(t.matched, float('-inf'))
        hard = negatives.topk(min(max(NEGATIVES_PER_MATCH * n, 8), len(negatives))).values
        class_losses.append(per_anchor[t.matched].sum() + hard[torch.isfinite(hard)].sum())
    norm = max(matches, 1)
    box_loss = torch.stack(box_losses).sum() / norm if box_losses else box_encodings.sum() * 0
    class_loss = torch.stack(class_losses).sum() / norm
    return box_loss + class_loss, {
        'box': float(box_loss.detach()),
        'class': float(class_loss.detach()),
        'matches': matches / len(targets),
    }


def anchor_map(student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    """For each student anchor, the teacher anchor it overlaps most (both center-size)."""
    return iou(anchor_corners(student), anchor_corners(teacher)).argmax(dim=1)


def dense_loss(
    box_encodings: torch.Tensor,
    class_logits: torch.Tensor,
    teacher_corners: torch.Tensor,
    teacher_scores: torch.Tensor,
    mapping: torch.Tensor,
    student_anchors: torch.Tensor,
    scales: tuple[float, ...],
) -> tuple[torch.Tensor, dict[str, float]]:
    """
    Return the loss against the teacher's dense outputs, and its parts.

    Every student anchor learns all class scores of the teacher anchor it overlaps most
    (`mapping`), so the classes the pool images rarely show keep their teacher's answers
    instead of being taught background. Boxes are learned only where the teacher is
    confident (a score of at least BOX_CONFIDENCE): weighting every anchor's box by the
    teacher's score, however low, lowered the 224 student's COCO128 mAP (64 images) from
    0.186 to 0.175 in 40 steps; boxes only where confident raised it to 0.193
    (docs/TRAINING.md). `teacher_corners` [B, At, 4] and `teacher_scores` [B, At, C] are
    decoded (corners, sigmoid scores without background).
    """
    target_scores = teacher_scores[:, mapping]  # [B, As, C]
    class_loss = (
        F.binary_cross_entropy_with_logits(class_logits[..., 1:], target_scores, reduction='none')
        .sum(-1)
        .mean()
    )
    confident = (target_scores.max(dim=-1).values >= BOX_CONFIDENCE).float()  # [B, As]
    boxes = teacher_corners[:, mapping]  # [B, As, 4]
    targets = torch.stack([encode(b, student_anchors, scales) for b in boxes])
    per_anchor = F.smooth_l1_loss(box_encodings, targets, reduction='none').sum(-1)
    box_loss = (confident * per_anchor).sum() / confident.sum().clamp(min=1.0)
    return class_loss + box_loss, {
        'box': float(box_loss.detach()),
        'class': float(class_loss.detach()),
        'matches': float(confident.sum()) / len(confident),
    }


def mixed_loss(
    box_encodings: torch.Tensor,
    class_logits: torch.Tensor,
    teacher_scores: torch.Tensor,
    mapping: torch.Tensor,
    matched: list[Targets],
    complete: list[torch.Tensor] | None = None,
) -> tuple[torch.Tensor, dict[str, float]]:
    """
    Return the loss of dense class targets sharpened by the teacher's matched detections.

    Every student anchor learns the class scores of the teacher anchor it overlaps most (as
    in dense_loss), except where the teacher's detections, SSD-matched to the student's own
    anchors (`matched`, from match()), say more: there the detected class's target is the
    teacher's score, and the box is learned. The student's coarser grid then holds the
    teacher's peaks at its own best anchors, which copying the nearest teacher anchor cannot
    do. For the classes an image labels completely (`complete[i]`), the matched boxes are
    the whole target: background everywhere else, whatever the teacher says.
    """
    target_scores = teacher_scores[:, mapping].clone()  # [B, As, C]
    box_losses, matches = [], 0
    for i, t in enumerate(matched):
        target_scores[i] = torch.maximum(target_scores[i], t.scores)
        if complete is not None and len(complete[i]):
            target_scores[i][:, complete[i]] = t.scores[:, complete[i]]
        n = int(t.matched.sum())
        matches += n
        if n:
            box_losses.append(
                F.smooth_l1_loss(
                    box_encodings[i][t.matched], t.encodings[t.matched], reduction='sum'
                )
            )
    class_loss = (
        F.binary_cross_entropy_with_logits(class_logits[..., 1:], target_scores, reduction='none')
        .sum(-1)
        .mean()
    )
    box_loss = (
        torch.stack(box_losses).sum() / max(matches, 1) if box_losses else box_encodings.sum() * 0
    )
    return class_loss + box_loss, {
        'box': float(box_loss.detach()),
        'class': float(class_loss.detach()),
        'matches': matches / len(matched),
    }
