"""
Layer 0, places: where this machine keeps the shared data, the models, and the CLI.

Every folder the package reads comes from here, decided by environment variables and the
install, never by the working directory, so an installed node searches the same places
wherever it was started. Imports nothing of the package; every layer may use it.

Model folders, in lookup order (model_dirs()):
1. the cache directory: `$MOBILENET_SSD_MODEL_DIR`, default
   `~/.cache/mobilenet_ssd_ros/models` (honours `$XDG_CACHE_HOME`);
2. directories the caller adds, then those in `$MOBILENET_SSD_MODEL_PATH`
   (`os.pathsep`-separated);
3. the models this package ships (shipped_dir(): the top-level `models/` folder, installed
   to `share/mobilenet_ssd_ros/models` by colcon and by pip);
4. `$MOBILENET_SSD_SHARED_DIR/models`, where a development checkout keeps the project's
   shared data (tools/env.sh sets it to `../shared`).
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
import os
from pathlib import Path
import shutil
import sys

PACKAGE = 'mobilenet_ssd_ros'


def shared_dir() -> Path | None:
    """Return the shared data folder (models/, data/) if `$MOBILENET_SSD_SHARED_DIR` names it."""
    env = os.environ.get('MOBILENET_SSD_SHARED_DIR')
    return Path(env).expanduser() if env else None


def cache_dir() -> Path:
    """Where downloads and builds go and where lookups look first."""
    env = os.environ.get('MOBILENET_SSD_MODEL_DIR')
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get('XDG_CACHE_HOME') or str(Path.home() / '.cache')
    return Path(xdg) / PACKAGE / 'models'


def shipped_dir() -> Path | None:
    """
    Return the folder of the trained models this package ships, where it is installed.

    Running from a source checkout (an editable install, the tests), the checkout's own
    `models/` next to package.xml: the code that runs is the checkout's, so are its models, even
    where an older install of the package sits on the ament index. Otherwise, in a ROS install,
    the package's share directory (from the ament index); in a pip install
    `<prefix>/share/mobilenet_ssd_ros/models` (setup.py's data_files).
    """
    checkout = Path(__file__).resolve().parents[1]
    candidates = [checkout / 'models'] if (checkout / 'package.xml').is_file() else []
    try:
        from ament_index_python.packages import get_package_share_directory

        candidates.append(Path(get_package_share_directory(PACKAGE)) / 'models')
    except (ImportError, LookupError, ValueError):
        pass  # no ROS, or this package is not in the ament index
    candidates.append(Path(sys.prefix) / 'share' / PACKAGE / 'models')
    return next((c for c in candidates if c.is_dir()), None)


def model_dirs(extra_dirs: Iterable[str | Path] = ()) -> list[Path]:
    """Model directories in lookup order (see the module docstring), without duplicates."""
    dirs = [cache_dir(), *map(Path, extra_dirs)]
    dirs += [
        Path(p) for p in os.environ.get('MOBILENET_SSD_MODEL_PATH', '').split(os.pathsep) if p
    ]
    shipped = shipped_dir()
    if shipped is not None:
        dirs.append(shipped)
    shared = shared_dir()
    if shared is not None:
        dirs.append(shared / 'models')
    unique: list[Path] = []
    for d in dirs:
        d = d.expanduser()
        if d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def cli_command() -> str:
    """
    Return how the CLI is run in this install, for hints in messages.

    The console script of a pip install, or `ros2 run` in a colcon workspace, which installs no
    console script.
    """
    return (
        'mobilenet-ssd' if shutil.which('mobilenet-ssd') else f'ros2 run {PACKAGE} mobilenet-ssd'
    )
