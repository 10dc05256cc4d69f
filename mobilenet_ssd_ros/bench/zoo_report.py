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
The resolution table.

Build each resolution, measure latency against the 300 model in the same run, mAP on the
labeled sets with and without the 10-detection cap, and robustness (rPC over the 15 COCO-C
corruptions at severities 1-5, on the first `robustness_images` COCO128 images: the same
corrupted pixels for every model).

    mobilenet-ssd zoo report [--resolutions 128,...] [--json FILE] [--plot FILE]
"""

from __future__ import annotations

from pathlib import Path
import statistics
import tempfile
import time

from .core import bench_frame
from ..core.detector import Detector
from ..core.imageio import read_rgb
from ..core.postprocess import DetectionFilter
from ..offline.corruptions import NAMES, SEVERITIES
from ..offline.datasets import load_dataset, shared_data
from ..offline.evaluate import evaluate
from ..offline.robustness import run as run_robustness
from ..zoo.build import build

RESOLUTIONS = (128, 160, 192, 224, 256, 300, 384)
DATASETS = (
    ('coco128_val2017', 'coco128'),
    ('dawn_fog_dev', 'voc'),
    ('pennfudan_dev', 'pennfudan'),
)
UNCAPPED = 100


def _datasets(limit: int | None) -> dict[str, tuple[list, list]]:
    """Load each dataset once for every model: name -> (samples, RGB images)."""
    out = {}
    for folder, fmt in DATASETS:
        samples = load_dataset(shared_data(folder), fmt)[:limit]
        images = [read_rgb(s.image_path) for s in samples]
        out[folder] = (samples, images)
    return out


def _map(detector: Detector, data) -> dict[str, float]:
    keep = DetectionFilter(score_threshold=0.0)
    result = {}
    for name, (samples, images) in data.items():
        predictions = {
            s.image_path.name: detector.detect(img, keep)
            for s, img in zip(samples, images, strict=True)
        }
        r = evaluate(samples, predictions)
        result[name] = {'mAP': r.map, 'mAP50': r.map50}
    return result


def _latency(detectors: dict[int, Detector], frames: int, rounds: int) -> dict[int, float]:
    rgb = bench_frame((640, 480))
    samples: dict[int, list[float]] = {r: [] for r in detectors}
    for d in detectors.values():
        d.detect(rgb)
    for _ in range(rounds):
        for r, d in detectors.items():
            for _ in range(frames):
                start = time.perf_counter()
                d.detect(rgb)
                samples[r].append((time.perf_counter() - start) * 1e3)
    return {r: statistics.median(v) for r, v in samples.items()}


def report(
    resolutions=RESOLUTIONS,
    limit: int | None = None,
    frames: int = 40,
    rounds: int = 8,
    robustness_images: int = 32,
    corruptions=NAMES,
    severities=SEVERITIES,
) -> dict:
    data = _datasets(limit)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        capped, uncapped = {}, {}
        for r in resolutions:
            info = build(r, output=tmp)
            capped[r] = (info, Detector(Path(tmp) / info.name / 'detect.tflite'))
            info_u = build(r, max_detections=UNCAPPED, output=tmp)
            uncapped[r] = Detector(Path(tmp) / info_u.name / 'detect.tflite')
        latency = _latency({r: d for r, (_, d) in capped.items()}, frames, rounds)
        base = latency.get(300) or max(latency.values())
        keep = DetectionFilter(score_threshold=0.0)
        samples, images = data['coco128_val2017']
        robust = run_robustness(
            {r: (lambda im, d=d: d.detect(im, keep)) for r, (_, d) in capped.items()},
            samples[:robustness_images],
            images[:robustness_images],
            corruptions,
            severities,
        )
        for r in resolutions:
            info, detector = capped[r]
            rows.append(
                {
                    'resolution': r,
                    'macs': info.macs,
                    'params': info.params,
                    'anchors': info.anchors,
                    'latency_ms': latency[r],
                    'latency_ratio_to_300': latency[r] / base,
                    'map_cap10': _map(detector, data),
                    f'map_cap{UNCAPPED}': _map(uncapped[r], data),
                    'rPC': robust[r]['rPC'],
                    'mPC': robust[r]['mPC'],
                }
            )
    return {
        'limit': limit,
        'robustness': {
            'images': min(robustness_images, len(samples)),
            'corruptions': list(corruptions),
            'severities': list(severities),
        },
        'rows': rows,
    }


def format_markdown(result: dict) -> str:
    names = [n for n, _ in DATASETS]
    head = (
        '| resolution | GMACs | M params | anchors | latency / 300 | '
        + ' | '.join(f'{n} mAP (cap 10 / {UNCAPPED})' for n in names)
        + ' | rPC |'
    )
    lines = [head, '|' + '---|' * (6 + len(names))]
    for row in result['rows']:
        cells = [
            f'{row["map_cap10"][n]["mAP"]:.3f} / {row[f"map_cap{UNCAPPED}"][n]["mAP"]:.3f}'
            for n in names
        ]
        lines.append(
            f'| {row["resolution"]} | {row["macs"] / 1e9:.3f} | {row["params"] / 1e6:.2f} | '
            f'{row["anchors"]} | {row["latency_ratio_to_300"]:.2f} | '
            + ' | '.join(cells)
            + f' | {row["rPC"]:.2f} |'
        )
    return '\n'.join(lines)
