"""
The model.json beside every model this project makes: one type, read and written here.

The zoo builder writes it for a rebuild, the trainer for a trained model, and the lookup
reads it to know the model's key; the zoo report reads what a trained model cost. Fields
every model has are attributes; what only one kind of model records (the trainer's pools,
steps and cost, the builder's source resolution...) is kept in `details`, written flat
beside them so that the file stays one plain JSON object.
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

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
import json
from pathlib import Path
from typing import Any

MODEL_INFO = 'model.json'


class MetadataError(ValueError):
    """A model.json that is not ours: unreadable, not JSON, or missing a field."""


@dataclass(frozen=True)
class ModelMetadata:
    """What a made model is: its key, its files, and where it came from."""

    name: str  # folder name in a model directory
    alpha: float  # width measured from the graph (first convolution channels / 32)
    resolution: int
    sha256: str  # of the model file
    max_detections: int
    macs: int
    params: int
    source: str  # the model it was made from
    model_file: str = 'detect.tflite'
    labels_file: str = 'labelmap.txt'
    trained: bool = False  # made by the distillation trainer, not an untrained rebuild
    variant: str = ''  # a named variant (e.g. 'weather') is found only when asked for
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """Return the file's text: the fields, then the details, as one flat object."""
        own = {f.name: getattr(self, f.name) for f in fields(self) if f.name != 'details'}
        return json.dumps({**own, **self.details}, indent=2) + '\n'

    def write(self, folder: str | Path) -> Path:
        """Write `folder`/model.json; return its path."""
        path = Path(folder) / MODEL_INFO
        path.write_text(self.to_json())
        return path

    @classmethod
    def read(cls, folder: str | Path) -> ModelMetadata:
        """Read `folder`/model.json, or raise MetadataError with the reason."""
        path = Path(folder) / MODEL_INFO
        try:
            data = json.loads(path.read_text())
            names = {f.name for f in fields(cls)} - {'details'}
            info = cls(
                **{k: v for k, v in data.items() if k in names},
                details={k: v for k, v in data.items() if k not in names},
            )
            return replace(  # the types the rest of the package relies on
                info,
                alpha=float(info.alpha),
                resolution=int(info.resolution),
                max_detections=int(info.max_detections),
                trained=bool(info.trained),
                variant=str(info.variant),
            )
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise MetadataError(f'{path}: not a model.json of this project ({exc})') from exc
