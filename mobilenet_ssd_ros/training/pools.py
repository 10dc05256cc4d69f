"""
The training pools: their images, how often each is drawn, and their ground truth.

The pools differ in size and in what they show: 1,813 street frames (people, cars,
traffic lights) beside 128 COCO train2017 photos and 1,000 ImageNet images that hold the
rest of COCO's classes. Drawn uniformly, street frames would fill 62% of every batch
and a class the teacher finds in one image would be seen once per epoch. So images are
drawn by repeat-factor sampling over the classes the teacher finds in them (Gupta et al.,
LVIS, 2019): a class found in a fraction f of the images has the factor
max(1, sqrt(t / f)), an image the largest factor of its classes (1 when it shows none),
and images are drawn in proportion to their factors. The teacher pass is cached in the
run folder (about 80 s for the 2,941 images here).

Where a pool has boxes of COCO's classes (GROUND_TRUTH), they are targets beside the
teacher's detections (train.py), carried through the same crop and flip as the image.
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

from collections import Counter
from dataclasses import dataclass, field
import json
from pathlib import Path

import numpy as np

from ..core.detector import Detector
from ..core.imageio import read_rgb
from ..core.labels import LabelMap
from ..offline.datasets import coco_name, load_dataset, Sample, shared_data

# Every pool of ../shared/data/train_pool (../shared/README.md), with what a model trained
# on it must say about the pool's licence (model.json, the README's model table).
POOL_LICENCES = {
    'carla_town_clear': 'MIT (CARLA street frames)',
    'coco128_train2017': 'COCO annotations CC BY 4.0, images under their Flickr licences',
    'imagenet_sample': 'ImageNet terms of access: non-commercial research and education only',
    'street_pedestrians': 'no licence stated by its authors: experiments only',
}
POOLS = tuple(sorted(POOL_LICENCES))
GROUND_TRUTH = {'coco128_train2017': 'yolo'}  # pools whose boxes are COCO classes: format
TEACHER_SCORE = 0.5  # a detection at least this sure says the image shows its class
CLASSES_FILE = 'pool_classes.json'
FOG = 'dawn_fog_dev'  # the real-fog evaluation set: trains only under k-fold (fog_folds)
FOG_CLASSES = ('person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck')  # all labelled
FOG_LICENCE = (
    'DAWN (research dataset, rights with its authors): an evaluation set, trained on only '
    'under k-fold cross-validation'
)


class PoolError(RuntimeError):
    """A pool that cannot be read, with the reason."""


def pool_images(pools: tuple[str, ...], limit: int | None) -> list[Path]:
    """List the training images, in a fixed order (never the evaluation sets)."""
    unknown = [pool for pool in pools if pool not in POOL_LICENCES]
    if unknown:
        raise PoolError(
            f'unknown training pool {", ".join(unknown)}; the pools are {", ".join(POOLS)}'
        )
    files = sorted(
        p
        for pool in pools
        for p in (shared_data('train_pool') / pool / 'images').iterdir()
        if p.suffix.lower() in ('.jpg', '.jpeg', '.png')
    )
    if not files:
        raise PoolError(f'no images in the training pools {", ".join(pools)}')
    return files[:limit] if limit else files


def pool_of(path: Path) -> str:
    """Name the pool an image belongs to (the folder above `images/`)."""
    return path.parent.parent.name


def ground_truth(pools: tuple[str, ...]) -> dict[Path, Sample]:
    """Read the boxes of the pools that have COCO's classes (GROUND_TRUTH), by image."""
    truth: dict[Path, Sample] = {}
    for pool in pools:
        if pool in GROUND_TRUTH:
            for sample in load_dataset(shared_data('train_pool') / pool, GROUND_TRUTH[pool]):
                truth[sample.image_path] = sample
    return truth


def teacher_classes(
    files: list[Path], teacher: Detector, cache: Path, log=print
) -> list[frozenset[str]]:
    """
    Return the classes the teacher finds (score >= TEACHER_SCORE) in each image.

    Cached in `cache` by file name, so that a resumed run draws from the same weights
    without running the teacher again.
    """
    known = json.loads(cache.read_text()) if cache.exists() else {}
    missing = [f for f in files if str(f) not in known]
    if missing:
        log(f'teacher pass over {len(missing)} pool images (for the sampling weights)')
        for path in missing:
            rgb = read_rgb(path)
            if rgb is None:
                raise PoolError(f'{path}: not a readable image')
            keep = [d.label for d in teacher.detect(rgb).detections if d.score >= TEACHER_SCORE]
            known[str(path)] = sorted(set(keep))
        tmp = cache.with_suffix('.tmp')
        tmp.write_text(json.dumps(known, indent=0, sort_keys=True) + '\n')
        tmp.replace(cache)
    return [frozenset(known[str(f)]) for f in files]


def repeat_factors(classes: list[frozenset[str]], threshold: float) -> np.ndarray:
    """
    Return each image's repeat factor: max over its classes of max(1, sqrt(threshold / f)).

    `f` is the fraction of images that show the class; images without a class get 1, and
    a threshold of 0 gives every image 1 (uniform sampling).
    """
    seen = Counter(c for shown in classes for c in shown)
    n = max(len(classes), 1)
    factor = {c: max(1.0, float(np.sqrt(threshold / (k / n)))) for c, k in seen.items()}
    return np.array([max([1.0, *(factor[c] for c in shown)]) for shown in classes])


@dataclass(frozen=True)
class Sampler:
    """Draws pool images in proportion to their repeat factors."""

    files: list[Path]
    weights: np.ndarray  # probabilities, summing to 1

    @classmethod
    def build(cls, files: list[Path], classes: list[frozenset[str]], threshold: float) -> Sampler:
        """Weigh `files` by the repeat factors of their `classes`."""
        factors = repeat_factors(classes, threshold)
        return cls(files, factors / factors.sum())

    def with_extra(self, extra: list[Path], share: float) -> Sampler:
        """Return a sampler that draws `extra` images `share` of the time, evenly."""
        weights = np.concatenate(
            [self.weights * (1 - share), np.full(len(extra), share / len(extra))]
        )
        return Sampler([*self.files, *extra], weights)

    def draw(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """Return `count` image indices, drawn with replacement."""
        return rng.choice(len(self.files), size=count, p=self.weights)

    def shares(self) -> dict[str, float]:
        """Return the share of draws each pool gets (written into model.json)."""
        out: Counter[str] = Counter()
        for path, weight in zip(self.files, self.weights):
            out[pool_of(path)] += float(weight)
        return {pool: round(share, 4) for pool, share in sorted(out.items())}


@dataclass(frozen=True)
class Truth:
    """
    One image's labelled boxes (normalized ymin, xmin, ymax, xmax) and model class ids.

    `complete` names the classes whose every object in the image is labelled (DAWN labels
    all its six classes): a teacher detection of one of them that no box confirms is false,
    and the student learns background there instead of the teacher's score.
    """

    boxes: np.ndarray
    classes: np.ndarray
    complete: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def moved(self, crop) -> Truth:
        """Return the truth in an augmented view: boxes through `crop` (augment.Crop)."""
        boxes, kept = crop.boxes(self.boxes)
        return Truth(boxes, self.classes[kept], self.complete)


NO_TRUTH = Truth(np.zeros((0, 4), np.float32), np.zeros(0, np.int64))


def fog_folds(seed: int, folds: int) -> list[list[Path]]:
    """
    Split the DAWN fog dev images into `folds` folds of a seeded permutation.

    The only evaluation set that may train (../shared/README.md), under k-fold
    cross-validation: a model of fold k trains on the other folds and is measured on k.
    """
    files = sorted((shared_data(FOG) / 'images').iterdir())
    order = np.random.default_rng(seed).permutation(len(files))
    return [sorted(files[i] for i in order[k::folds]) for k in range(folds)]


# Which classes count as completely labelled on a fog image (TrainConfig.fog_complete).
FOG_COMPLETE = ('dawn', 'all')
# How a fog image is cut before training (TrainConfig.fog_crop): as every image, or whole.
FOG_CROP = ('random', 'off')


def fog_truth(labels: LabelMap, complete_classes: str = 'dawn') -> dict[Path, Truth]:
    """
    Return the DAWN boxes of every fog image, with the classes taken as complete.

    'dawn': the six classes DAWN labels. 'all': every class the model names, so that a
    teacher detection no box confirms is background whatever its class; DAWN labels none of
    the other 74, and left to the teacher they filled the 10 detection slots of the fog
    images with unchecked "traffic lights" (docs/TRAINING.md).
    """
    if complete_classes not in FOG_COMPLETE:
        raise ValueError(f'complete classes must be one of {", ".join(FOG_COMPLETE)}')
    names = FOG_CLASSES if complete_classes == 'dawn' else labels.values()
    complete = np.array(sorted(labels.ids_for(names)), dtype=np.int64)
    return {
        sample.image_path: truth_boxes(sample, labels, complete)
        for sample in load_dataset(shared_data(FOG), 'voc')
    }


def truth_boxes(sample: Sample, labels: LabelMap, complete: np.ndarray | None = None) -> Truth:
    """
    Return a sample's boxes as normalized (ymin, xmin, ymax, xmax) and model class ids.

    Objects whose class the model does not name are left out.
    """
    ids = {coco_name(name): class_id for class_id, name in labels.items()}
    keep = [o for o in sample.objects if coco_name(o.label) in ids and not o.ignore]
    boxes = np.array(
        [
            [
                o.bbox.ymin / sample.height,
                o.bbox.xmin / sample.width,
                o.bbox.ymax / sample.height,
                o.bbox.xmax / sample.width,
            ]
            for o in keep
        ],
        dtype=np.float32,
    ).reshape(-1, 4)
    classes = np.array([ids[coco_name(o.label)] for o in keep], dtype=np.int64)
    return Truth(boxes, classes) if complete is None else Truth(boxes, classes, complete)
