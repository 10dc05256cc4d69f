"""
Layer 2, the zoo: which models exist, where they are, how to get, build and open them.

May import core/ and places; nothing of ROS. `lookup` maps (alpha, resolution) to files
on this machine, `metadata` reads and writes the model.json beside a model made here,
`detectors` opens a Detector from one DetectorSettings, `download` fetches the manifest's
releases (only when asked), `graph` reads a model's graph (MACs, parameters, the width it
really has, the post-processing op's options) and `build` edits a source model for another
input resolution. The lookup API is re-exported here: `zoo.find(0.75, 300)`.
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

from .detectors import AUTO, DetectorSettings, open_detector, open_two_models
from .lookup import (
    available_pairs,
    Catalogue,
    DEFAULT_ENTRY,
    entries,
    find,
    format_pair,
    locate,
    MANIFEST,
    ModelNotAvailableError,
    ResolvedModel,
    ZooEntry,
)
from .metadata import MetadataError, MODEL_INFO, ModelMetadata

__all__ = [
    'AUTO',
    'open_two_models',
    'Catalogue',
    'DEFAULT_ENTRY',
    'DetectorSettings',
    'MANIFEST',
    'MODEL_INFO',
    'MetadataError',
    'ModelMetadata',
    'ModelNotAvailableError',
    'ResolvedModel',
    'ZooEntry',
    'available_pairs',
    'entries',
    'find',
    'format_pair',
    'locate',
    'open_detector',
]
