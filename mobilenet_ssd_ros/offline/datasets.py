"""
Labeled image sets in the formats we evaluate on, read into one common form.

Every loader returns `Sample`s whose boxes are in continuous pixel coordinates of the
image (x right, y down, [xmin, xmax) covering the object), and whose labels use COCO
names, so that the model's labels and the ground truth are compared by name.

Formats:
- `yolo` / `coco128`: `images/*`, `labels/<stem>.txt` with `class cx cy w h`
  (normalized), class names from `names.yaml`/`data.yaml` (`names:` list or dict).
- `voc`: Pascal VOC XML in `annotations/` (or `Annotations/`), images in `images/`
  (or `JPEGImages/`); `difficult` objects are marked to be ignored.
- `pennfudan`: Penn-Fudan `Annotation/*.txt` (PASCAL v1 text, 1-based inclusive pixels),
  images in `PNGImages/`; every object is a `person`.
- `kitti`: `label_2/*.txt` next to `image_2/`; KITTI classes are mapped to COCO names
  (Car/Van -> car, Truck -> truck, Pedestrian/Person_sitting/Cyclist -> person,
  Tram -> train); DontCare and Misc are dropped.
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

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
import re
import xml.etree.ElementTree as ET

import cv2

from ..core.detection import BBox
from ..core.imageio import image_files
from ..places import shared_dir

# Dataset class names that differ from the COCO names the model uses.
COCO_ALIASES = {
    'motorbike': 'motorcycle',
    'aeroplane': 'airplane',
    'sofa': 'couch',
    'tvmonitor': 'tv',
    'diningtable': 'dining table',
    'pottedplant': 'potted plant',
}
KITTI_TO_COCO = {
    'Car': 'car',
    'Van': 'car',
    'Truck': 'truck',
    'Pedestrian': 'person',
    'Person_sitting': 'person',
    'Cyclist': 'person',
    'Tram': 'train',
}


class DatasetError(ValueError):
    """A dataset folder that does not have the layout of its format."""


@dataclass(frozen=True)
class GroundTruth:
    label: str
    bbox: BBox
    ignore: bool = False  # counted neither as a hit nor as a miss (VOC `difficult`)


@dataclass(frozen=True)
class Sample:
    image_path: Path
    width: int
    height: int
    objects: tuple[GroundTruth, ...]


def shared_data(name: str) -> Path:
    """Return a folder of the project's shared data (`$MOBILENET_SSD_SHARED_DIR/data/<name>`)."""
    root = shared_dir()
    if root is None:
        raise DatasetError(
            f'the shared data set {name} needs MOBILENET_SSD_SHARED_DIR (the folder with data/ '
            'and '
            'models/; tools/env.sh sets it to ../shared)'
        )
    path = root / 'data' / name
    if not path.is_dir():
        raise DatasetError(f'{path}: no such shared data set')
    return path


def coco_name(name: str) -> str:
    name = name.strip().lower()
    return COCO_ALIASES.get(name, name)


def _first_dir(root: Path, *names: str) -> Path:
    for name in names:
        if (root / name).is_dir():
            return root / name
    raise DatasetError(f'{root}: none of {", ".join(n + "/" for n in names)} exists')


def _image_size(path: Path) -> tuple[int, int]:
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise DatasetError(f'{path}: cannot read image')
    return image.shape[1], image.shape[0]


def load_yolo(root: Path) -> list[Sample]:
    names_file = next(
        (root / n for n in ('names.yaml', 'data.yaml') if (root / n).is_file()), None
    )
    if names_file is None:
        raise DatasetError(f'{root}: no names.yaml or data.yaml with the class names')
    import yaml  # PyYAML: only for YOLO datasets, not needed to detect

    names = yaml.safe_load(names_file.read_text())['names']
    names = (
        dict(enumerate(names))
        if isinstance(names, list)
        else {int(k): v for k, v in names.items()}
    )
    labels_dir = _first_dir(root, 'labels')
    samples = []
    for image in image_files(_first_dir(root, 'images')):
        width, height = _image_size(image)
        objects = []
        label_file = labels_dir / (image.stem + '.txt')
        if label_file.is_file():
            for line in label_file.read_text().splitlines():
                if not line.strip():
                    continue
                cls, cx, cy, w, h = line.split()[:5]
                cx, cy, w, h = (
                    float(cx) * width,
                    float(cy) * height,
                    float(w) * width,
                    float(h) * height,
                )
                box = BBox(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2).clip(width, height)
                objects.append(GroundTruth(coco_name(names[int(cls)]), box))
        samples.append(Sample(image, width, height, tuple(objects)))
    return samples


def load_voc(root: Path) -> list[Sample]:
    ann_dir = _first_dir(root, 'annotations', 'Annotations')
    img_dir = _first_dir(root, 'images', 'JPEGImages')
    samples = []
    for xml_file in sorted(ann_dir.glob('*.xml')):
        tree = ET.parse(xml_file).getroot()
        image = img_dir / tree.findtext('filename', default=xml_file.stem + '.jpg')
        if not image.is_file():
            raise DatasetError(f'{xml_file}: image {image} not found')
        size = tree.find('size')
        if size is not None and int(size.findtext('width', '0')) > 0:
            width, height = int(size.findtext('width')), int(size.findtext('height'))
        else:
            width, height = _image_size(image)
        objects = []
        for obj in tree.iter('object'):
            bb = obj.find('bndbox')
            # VOC pixel indices are 1-based and inclusive; some tools write 0 anyway.
            box = BBox(
                float(bb.findtext('xmin')) - 1,
                float(bb.findtext('ymin')) - 1,
                float(bb.findtext('xmax')),
                float(bb.findtext('ymax')),
            ).clip(width, height)
            difficult = obj.findtext('difficult', '0').strip() == '1'
            objects.append(GroundTruth(coco_name(obj.findtext('name')), box, ignore=difficult))
        samples.append(Sample(image, width, height, tuple(objects)))
    return samples


_PENNFUDAN_BOX = re.compile(
    r'\(Xmin, Ymin\) - \(Xmax, Ymax\)\s*:\s*\((\d+),\s*(\d+)\)\s*-\s*\((\d+),\s*(\d+)\)'
)
_PENNFUDAN_SIZE = re.compile(r'Image size \(X x Y x C\)\s*:\s*(\d+)\s*x\s*(\d+)')
_PENNFUDAN_FILE = re.compile(r'Image filename\s*:\s*"([^"]+)"')


def load_pennfudan(root: Path) -> list[Sample]:
    ann_dir = _first_dir(root, 'Annotation')
    img_dir = _first_dir(root, 'PNGImages')
    samples = []
    for ann in sorted(ann_dir.glob('*.txt')):
        text = ann.read_text(errors='replace')
        name = _PENNFUDAN_FILE.search(text)
        image = img_dir / Path(name.group(1) if name else ann.stem + '.png').name
        size = _PENNFUDAN_SIZE.search(text)
        width, height = (int(size.group(1)), int(size.group(2))) if size else _image_size(image)
        objects = tuple(
            GroundTruth(
                'person',
                BBox(float(x0) - 1, float(y0) - 1, float(x1), float(y1)).clip(width, height),
            )
            for x0, y0, x1, y1 in _PENNFUDAN_BOX.findall(text)
        )
        samples.append(Sample(image, width, height, objects))
    return samples


def load_kitti(root: Path) -> list[Sample]:
    label_dir = _first_dir(root, 'label_2')
    img_dir = _first_dir(root, 'image_2')
    samples = []
    for image in image_files(img_dir):
        width, height = _image_size(image)
        objects = []
        label_file = label_dir / (image.stem + '.txt')
        for line in label_file.read_text().splitlines() if label_file.is_file() else []:
            fields = line.split()
            if len(fields) < 8 or fields[0] not in KITTI_TO_COCO:
                continue
            x0, y0, x1, y1 = map(float, fields[4:8])
            objects.append(
                GroundTruth(KITTI_TO_COCO[fields[0]], BBox(x0, y0, x1, y1).clip(width, height))
            )
        samples.append(Sample(image, width, height, tuple(objects)))
    return samples


LOADERS: dict[str, Callable[[Path], list[Sample]]] = {
    'coco128': load_yolo,
    'yolo': load_yolo,
    'voc': load_voc,
    'pennfudan': load_pennfudan,
    'kitti': load_kitti,
}


def load_dataset(root: str | Path, fmt: str) -> list[Sample]:
    """All samples of the dataset at `root` in format `fmt` (one of LOADERS)."""
    if fmt not in LOADERS:
        raise DatasetError(f'unknown dataset format {fmt!r}; known: {", ".join(LOADERS)}')
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f'{root}: not a directory')
    samples = LOADERS[fmt](root)
    if not samples:
        raise DatasetError(f'{root}: no labeled images found in {fmt} layout')
    return samples
