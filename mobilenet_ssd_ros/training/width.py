"""
A student of another width: an ImageNet classifier's backbone under the teacher's heads.

No SSD of width 0.5 exists to start from, but the ImageNet MobileNetV1 classifiers of
every width do (../shared/models/mobilenet_v1_imagenet_quant/), and the detector's
backbone is that classifier's convolutions up to its pooling. So the student is the
teacher's own graph (built at the student's resolution) with:
- the backbone's convolutions replaced one for one by the classifier's, dequantized (the
  same kernels, strides and padding; fewer channels);
- the teacher's extra layers and box predictors kept, each feature map they read (layers
  11 and 13) passed through a 1x1 linear adapter from the student's channels to the
  teacher's (256 -> 384 and 512 -> 768 at width 0.5). The adapters start as the
  least-squares map from the student's features to the teacher's on pool images, so the
  untrained student already detects something, and training imitates the teacher's
  features there (feature_loss) as well as its outputs.
At export the adapters are folded into the 1x1 convolutions that read those feature maps
(a linear map followed by a 1x1 convolution is a 1x1 convolution): the exported graph has
the teacher's ops and anchors with narrower tensors, and its first convolution's channels
make the zoo key it by the student's width.
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
from pathlib import Path

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from .replica import adapted_key, read_convs, Replica
from ..places import shared_dir

CLASSIFIERS = 'mobilenet_v1_imagenet_quant'
RIDGE = 1e-3  # relative to the mean feature energy: keeps rarely active channels finite


class WidthError(ValueError):
    """A student width that cannot be built, with the reason."""


def classifier_path(width: float, folder: str | Path | None = None) -> Path:
    """
    Find the uint8 ImageNet MobileNetV1 classifier of `width` (any input resolution).

    `folder` defaults to `$MOBILENET_SSD_SHARED_DIR/models/mobilenet_v1_imagenet_quant`.
    """
    if folder is None:
        shared = shared_dir()
        if shared is None:
            raise WidthError(
                'a student of another width starts from an ImageNet MobileNetV1 classifier; '
                'set MOBILENET_SSD_SHARED_DIR to the folder whose models/ holds '
                f'{CLASSIFIERS}/ (tools/env.sh sets ../shared)'
            )
        folder = shared / 'models' / CLASSIFIERS
    folder = Path(folder)
    found = sorted(folder.glob(f'mobilenet_v1_{width:g}_*_quant.tflite'))
    if not found:
        have = sorted(p.name for p in folder.glob('mobilenet_v1_*_quant.tflite'))
        raise WidthError(
            f'no ImageNet MobileNetV1 classifier of width {width:g} in {folder} '
            f'(there: {", ".join(have) or "none"})'
        )
    return found[0]


def backbone_steps(student: Replica, count: int) -> list:
    """Return the student's first `count` conv steps, checked to be a chain from the input."""
    steps = [s for s in student.steps if s.kind == 'conv'][:count]
    previous = student.input_index
    for step in steps:
        if step.inputs[0] != previous:
            raise WidthError(
                f'{student.source}: convolution {step.module} does not follow the one before '
                'it: not a MobileNetV1 backbone'
            )
        previous = step.output
    return steps


def narrow(student: Replica, classifier: str | Path) -> list[int]:
    """
    Give `student` the backbone of `classifier` and adapters to its heads (zero-initialised).

    Returns the indices of the feature maps that the heads read (the adapters' keys).
    Every convolution's uint8 grid then follows its own weights (Replica.fake_quantize):
    the student is expected to move far from where it starts.
    """
    backbone = read_convs(classifier)
    steps = backbone_steps(student, len(backbone))
    teacher_channels = {}
    for step, conv in zip(steps, backbone):
        own = student.convs[step.module]
        if (own.weight.shape[2:], own.stride, own.groups > 1) != (
            conv.weight.shape[2:],
            conv.stride,
            conv.groups > 1,
        ):
            raise WidthError(
                f'{classifier}: its convolutions do not line up with the detector backbone '
                f'at {step.module}'
            )
        teacher_channels[step.output] = own.weight.shape[0]
        own.weight = nn.Parameter(conv.weight.detach().clone())
        own.bias = nn.Parameter(conv.bias.detach().clone())
        own.groups = conv.groups
    for conv in student.convs.values():
        conv.grid = None
    inside = {s.module for s in steps}
    taps = sorted(
        {
            s.inputs[0]
            for s in student.steps
            if s.kind == 'conv' and s.module not in inside and s.inputs[0] in teacher_channels
        }
    )
    for tap in taps:
        for step in student.steps:
            if step.kind == 'conv' and step.inputs[0] == tap and step.module not in inside:
                student.adapter_of[step.module] = tap
        for conv in _readers(student, tap):
            if conv.weight.shape[2:] != (1, 1) or conv.stride != (1, 1):
                raise WidthError('the heads read a feature map with a convolution not 1x1')
        writer = next(s for s in steps if s.output == tap)
        adapter = nn.Conv2d(student.convs[writer.module].weight.shape[0], teacher_channels[tap], 1)
        nn.init.zeros_(adapter.weight)
        nn.init.zeros_(adapter.bias)
        student.adapters[str(tap)] = adapter
    return [int(tap) for tap in taps]


def _readers(student: Replica, tap: int) -> list:
    """Return the head convolutions that read feature map `tap` (through its adapter)."""
    return [
        student.convs[s.module]
        for s in student.steps
        if s.kind == 'conv' and s.inputs[0] == tap and student.adapter_of.get(s.module) == tap
    ]


def fit_adapters(student: Replica, teacher: Replica, images: Iterable[np.ndarray]) -> dict:
    """
    Fit each adapter: the ridge least-squares map from the student's features to the teacher's.

    Over every position of `images` (model-sized HxWx3 uint8), at the same feature map.
    `teacher` is the teacher's graph at the student's resolution (the same tensor indices).
    Returns the share of the teacher features' variance each adapter explains (R^2).
    """
    taps = [int(key) for key in student.adapters]
    seen: dict[int, list[torch.Tensor]] = {tap: [] for tap in taps}
    target: dict[int, list[torch.Tensor]] = {tap: [] for tap in taps}
    with torch.no_grad():
        for image in images:
            batch = torch.from_numpy(np.ascontiguousarray(image)[None])
            mine: dict[int, torch.Tensor] = {}
            theirs: dict[int, torch.Tensor] = {}
            student(batch, keep=mine)
            teacher(batch, keep=theirs)
            for tap in taps:
                seen[tap].append(mine[tap].double())
                target[tap].append(theirs[tap].double())
    explained = {}
    for tap in taps:
        x = torch.cat([v.permute(0, 2, 3, 1).reshape(-1, v.shape[1]) for v in seen[tap]])
        y = torch.cat([v.permute(0, 2, 3, 1).reshape(-1, v.shape[1]) for v in target[tap]])
        x_mean, y_mean = x.mean(0), y.mean(0)
        xc, yc = x - x_mean, y - y_mean
        gram = xc.T @ xc
        gram += RIDGE * gram.diagonal().mean() * torch.eye(len(gram), dtype=gram.dtype)
        weight = torch.linalg.solve(gram, xc.T @ yc).T  # [teacher, student]
        bias = y_mean - weight @ x_mean
        adapter = student.adapters[str(tap)]
        adapter.weight.data = weight[:, :, None, None].float()
        adapter.bias.data = bias.float()
        residual = ((yc - xc @ weight.T) ** 2).sum()
        explained[tap] = float(1 - residual / (yc**2).sum().clamp(min=1e-12))
    return explained


def feature_loss(student: Replica, mine: dict, teacher: dict) -> torch.Tensor:
    """
    Mean squared difference of the adapted feature maps from the teacher's.

    `mine` and `teacher` are forward(..., keep=) dictionaries; a teacher map of another
    size (another resolution) is resampled to the student's.
    """
    losses = []
    for key in student.adapters:
        tap = int(key)
        own, goal = mine[adapted_key(tap)], teacher[tap]
        if goal.shape[2:] != own.shape[2:]:
            goal = F.interpolate(goal, size=own.shape[2:], mode='bilinear', align_corners=False)
        losses.append(F.mse_loss(own, goal))
    return torch.stack(losses).mean()


def fold_adapters(student: Replica) -> None:
    """Fold every adapter into the 1x1 convolutions that read its map, and drop it."""
    for key in list(student.adapters):
        adapter = student.adapters[key]
        a_weight = adapter.weight.detach()[:, :, 0, 0]  # [teacher, student]
        a_bias = adapter.bias.detach()
        for conv in _readers(student, int(key)):
            weight = conv.weight.detach()[:, :, 0, 0]  # [out, teacher]
            conv.bias = nn.Parameter(conv.bias.detach() + weight @ a_bias)
            conv.weight = nn.Parameter((weight @ a_weight)[:, :, None, None].contiguous())
            conv.grid = None
        student.adapter_of = {m: t for m, t in student.adapter_of.items() if t != int(key)}
        del student.adapters[key]
