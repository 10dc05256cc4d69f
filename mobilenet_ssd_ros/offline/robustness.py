"""
The COCO-C robustness report: mAP under each corruption and severity, mPC and rPC.

mPC (mean performance under corruption) is mAP@[.5:.95] averaged over severities, per
corruption and then over corruptions; rPC is mPC divided by the clean mAP (Michaelis et al.
2019). Each corrupted image is made once (seeded by its position in the dataset) and
given to every detector, so several models are compared on the same pixels.
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

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from .corruptions import corrupt, NAMES, SEVERITIES
from .datasets import Sample
from .evaluate import evaluate
from ..core.detection import Detection

Detect = Callable[[np.ndarray], list[Detection]]
QUICK = {'limit': 8, 'corruptions': ('fog', 'contrast', 'gaussian_noise'), 'severities': (1, 3, 5)}


def run(
    detectors: Mapping[str, Detect],
    samples: Sequence[Sample],
    images: Sequence[np.ndarray],
    corruptions: Sequence[str] = NAMES,
    severities: Sequence[int] = SEVERITIES,
    seed: int = 0,
) -> dict[str, dict]:
    """Return, per detector, the clean mAP, mAP per corruption and severity, mPC and rPC."""
    clean = {
        key: evaluate(samples, {s.image_path.name: d(im) for s, im in zip(samples, images)}).map
        for key, d in detectors.items()
    }
    maps: dict[str, dict[str, dict[int, float]]] = {key: {} for key in detectors}
    for name in corruptions:
        for severity in severities:
            corrupted = [corrupt(im, name, severity, seed + i) for i, im in enumerate(images)]
            for key, detect in detectors.items():
                predictions = {s.image_path.name: detect(im) for s, im in zip(samples, corrupted)}
                maps[key].setdefault(name, {})[severity] = evaluate(samples, predictions).map
    return {key: summarize(clean[key], maps[key]) for key in detectors}


def summarize(clean: float, maps: Mapping[str, Mapping[int, float]]) -> dict:
    """Compute mPC and rPC per corruption and overall from mAP per corruption and severity."""
    per = {}
    for name, by_severity in maps.items():
        mpc = float(np.mean(list(by_severity.values())))
        per[name] = {
            'mAP': {str(s): m for s, m in by_severity.items()},
            'mPC': mpc,
            'rPC': mpc / clean if clean else float('nan'),
        }
    mpc = float(np.mean([p['mPC'] for p in per.values()])) if per else float('nan')
    return {
        'clean_mAP': clean,
        'mPC': mpc,
        'rPC': mpc / clean if clean else float('nan'),
        'corruptions': per,
    }


def format_table(result: Mapping, title: str = '') -> str:
    """Format one detector's result: mAP per severity, mPC and rPC per corruption."""
    severities = sorted({int(s) for p in result['corruptions'].values() for s in p['mAP']})
    lines = [title] if title else []
    lines.append(
        f'{"corruption":<18}' + ''.join(f'{"s" + str(s):>7}' for s in severities) + '    mPC   rPC'
    )
    for name, p in result['corruptions'].items():
        cells = ''.join(f'{p["mAP"].get(str(s), float("nan")):>7.3f}' for s in severities)
        lines.append(f'{name:<18}{cells}{p["mPC"]:>7.3f}{p["rPC"]:>6.2f}')
    pad = ' ' * (18 + 7 * len(severities))
    lines.append(f'{"overall":<18}{pad[18:]}{result["mPC"]:>7.3f}{result["rPC"]:>6.2f}')
    lines.append(f'clean mAP@[.5:.95] {result["clean_mAP"]:.3f}')
    return '\n'.join(lines)


def plot(results: Mapping[str, Mapping], path: Path) -> Path:
    """Bar chart of rPC per corruption (one bar per detector), overall rPC last."""
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    names = list(next(iter(results.values()))['corruptions'])
    fig, ax = plt.subplots(figsize=(max(6, 0.6 * len(names) + 2), 4))
    width = 0.8 / len(results)
    for j, (key, result) in enumerate(results.items()):
        values = [result['corruptions'][n]['rPC'] for n in names] + [result['rPC']]
        ax.bar(np.arange(len(names) + 1) + j * width, values, width, label=key)
    ax.set_xticks(np.arange(len(names) + 1) + 0.4 - width / 2)
    ax.set_xticklabels([*names, 'overall'], rotation=45, ha='right')
    ax.set_ylabel('rPC (mAP under corruption / clean mAP)')
    ax.axhline(1.0, color='grey', lw=0.5)
    ax.legend(fontsize='small')
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
