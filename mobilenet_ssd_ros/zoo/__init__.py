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
The model zoo: which models exist, where they are, how to get or build them.

Imports only the core. `lookup` maps (alpha, resolution) to files on this machine,
`download` fetches the manifest's releases (only when asked), `graph` reads a model's
graph (MACs, parameters, the width it really has) and `build` edits a source model for
another input resolution. The lookup API is re-exported here: `zoo.find(0.75, 300)`.
"""

from .lookup import (
    available_pairs,
    cache_dir,
    cli_command,
    DEFAULT_ENTRY,
    entries,
    find,
    format_pair,
    locate,
    MANIFEST,
    MODEL_INFO,
    ModelNotAvailableError,
    open_detector,
    resolve,
    ResolvedModel,
    search_dirs,
    shared_dir,
    shipped_dir,
    ZooEntry,
)

__all__ = [
    'DEFAULT_ENTRY',
    'MANIFEST',
    'MODEL_INFO',
    'ModelNotAvailableError',
    'ResolvedModel',
    'ZooEntry',
    'available_pairs',
    'cache_dir',
    'cli_command',
    'entries',
    'find',
    'format_pair',
    'locate',
    'open_detector',
    'resolve',
    'search_dirs',
    'shared_dir',
    'shipped_dir',
]
