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

"""Distillation targets and loss on boxes and anchors whose right answer is known."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

torch = pytest.importorskip('torch', reason='PyTorch is not installed (requirements/train.txt)')
from mobilenet_ssd_ros.training.replica import decode  # noqa: E402, I100
from mobilenet_ssd_ros.training.targets import (  # noqa: E402
    anchor_corners,
    encode,
    loss,
    match,
)

SCALES = (10.0, 10.0, 5.0, 5.0)
POST = {'y_scale': 10.0, 'x_scale': 10.0, 'h_scale': 5.0, 'w_scale': 5.0}
# a 4x4 grid of anchors 0.25 wide, and one large anchor
ANCHORS = torch.tensor(
    [[0.125 + 0.25 * i, 0.125 + 0.25 * j, 0.25, 0.25] for i in range(4) for j in range(4)]
    + [[0.5, 0.5, 0.9, 0.9]]
)


def test_encode_is_what_the_post_processing_op_decodes():
    boxes = torch.tensor([[0.1, 0.2, 0.4, 0.3], [0.5, 0.5, 0.9, 0.95]])
    anchors = ANCHORS[[1, 16]]
    encodings = encode(boxes, anchors, SCALES)
    fake = SimpleNamespace(post=POST, anchors=anchors)
    corners, _ = decode(fake, encodings, torch.zeros(2, 3))
    assert torch.allclose(corners, boxes, atol=1e-6)


def test_match_assigns_overlapping_anchors_and_every_box_its_best():
    exact = anchor_corners(ANCHORS[5:6])  # one grid cell exactly
    tiny = torch.tensor([[0.80, 0.80, 0.82, 0.82]])  # IoU < 0.5 with everything
    t = match(
        ANCHORS,
        torch.cat([exact, tiny]),
        torch.tensor([0, 17]),
        torch.tensor([0.9, 0.6]),
        num_classes=90,
        scales=SCALES,
    )
    assert t.matched[5] and torch.allclose(t.encodings[5], torch.zeros(4), atol=1e-5)
    assert t.scores[5, 0] == pytest.approx(0.9) and t.scores[5].sum() == pytest.approx(0.9)
    forced = 15  # the grid cell that holds the tiny box
    assert t.matched[forced] and t.scores[forced, 17] == pytest.approx(0.6)
    assert int(t.matched.sum()) == 2  # nothing else reaches IoU 0.5
    empty = match(
        ANCHORS, torch.zeros(0, 4), torch.zeros(0, dtype=torch.long), torch.zeros(0), 90, SCALES
    )
    assert not empty.matched.any() and empty.scores.sum() == 0


def test_loss_falls_as_outputs_approach_the_targets():
    t = match(
        ANCHORS, anchor_corners(ANCHORS[5:6]), torch.tensor([3]), torch.tensor([1.0]), 90, SCALES
    )
    encodings = torch.randn(1, len(ANCHORS), 4, requires_grad=True)
    logits = torch.zeros(1, len(ANCHORS), 91, requires_grad=True)
    optimizer = torch.optim.SGD([encodings, logits], lr=0.5)
    first = None
    for _ in range(50):
        value, parts = loss(encodings, logits, [t])
        first = first if first is not None else float(value.detach())
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
    assert float(value.detach()) < 0.2 * first and parts['matches'] == 1
    assert torch.sigmoid(logits[0, 5, 4]) > 0.9  # class 3 plus the background column
    assert torch.sigmoid(logits[0, 0, 4]) < 0.1


def test_dense_loss_is_at_its_minimum_when_the_student_equals_the_teacher():
    from mobilenet_ssd_ros.training.targets import anchor_map, dense_loss

    mapping = anchor_map(ANCHORS, ANCHORS)
    assert torch.equal(mapping, torch.arange(len(ANCHORS)))  # the same anchors: identity
    teacher_encodings = torch.randn(1, len(ANCHORS), 4) * 0.5
    teacher_logits = torch.randn(1, len(ANCHORS), 91) * 3
    fake = SimpleNamespace(post=POST, anchors=ANCHORS)
    corners, scores = decode(fake, teacher_encodings[0], teacher_logits[0])

    def gradient(encodings, logits):
        encodings = encodings.clone().requires_grad_(True)
        logits = logits.clone().requires_grad_(True)
        value, _ = dense_loss(
            encodings, logits, corners[None], scores[None], mapping, ANCHORS, SCALES
        )
        value.backward()
        return float(encodings.grad.abs().max()), float(logits.grad[..., 1:].abs().max())

    box_grad, class_grad = gradient(teacher_encodings, teacher_logits)
    assert box_grad < 1e-4 and class_grad < 1e-5
    box_grad, class_grad = gradient(teacher_encodings + 0.3, teacher_logits - 1.0)
    assert box_grad > 1e-3 and class_grad > 1e-3
