"""
How a run stops and goes on: its checkpoint in the run folder.

`checkpoint.pt` holds the student, the optimizer, the step, both random states and the
training seconds spent so far. It is written to a temporary file and renamed, so a run
killed while saving never leaves half a checkpoint. A run started again in the same
folder continues from it if its configuration is the same (more steps allowed; options
added since the run began take their defaults, options since removed are ignored).
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

from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from .config import TrainConfig, TrainError
from .replica import Replica

CHECKPOINT = 'checkpoint.pt'


class Checkpoint:
    """The checkpoint file of one run folder."""

    def __init__(self, folder: Path):
        self.path = folder / CHECKPOINT

    def exists(self) -> bool:
        return self.path.exists()

    def restore(
        self,
        config: TrainConfig,
        student: Replica,
        optimizer: torch.optim.Optimizer,
        rng: np.random.Generator,
        device: torch.device,
    ) -> tuple[int, float]:
        """
        Load the saved state into the student, the optimizer and the random generators.

        Returns (step, seconds spent); refuses a folder that holds another configuration.
        """
        state = torch.load(self.path, weights_only=False, map_location=device)
        current = asdict(TrainConfig(config.resolution))
        saved = {**current, **state['config'], 'steps': 0}
        saved = {k: v for k, v in saved.items() if k in current}
        if saved != {**asdict(config), 'steps': 0}:
            raise TrainError(
                f'{self.path.parent} holds a run with another configuration '
                f'({state["config"]}); use another --output or the same options'
            )
        student.load_state_dict(state['model'])
        optimizer.load_state_dict(state['optimizer'])
        rng.bit_generator.state = state['rng']
        torch.set_rng_state(state['torch_rng'].cpu())
        return state['step'], state.get('seconds', 0.0)

    def save(
        self,
        config: TrainConfig,
        student: Replica,
        optimizer: torch.optim.Optimizer,
        rng: np.random.Generator,
        step: int,
        seconds: float,
    ) -> None:
        """Write the state after `step` (never a half-written file)."""
        state = {
            'config': asdict(config),
            'model': student.state_dict(),
            'optimizer': optimizer.state_dict(),
            'step': step,
            'rng': rng.bit_generator.state,
            'torch_rng': torch.get_rng_state(),
            'seconds': seconds,
        }
        torch.save(state, self.path.with_suffix('.tmp'))
        self.path.with_suffix('.tmp').replace(self.path)
