"""
The zoo table: every model, untrained rebuilds and trained ones side by side.

Build each resolution, add the trained models the zoo finds for those resolutions, of any
width or variant (the distillation trainer's, with what they cost to make from their
model.json), measure latency against the 300 model in the same run, mAP on the labeled
sets with the 10-detection cap (and, for the rebuilds, without it), and robustness (rPC
over the 15 COCO-C corruptions at severities 1-5, on the first `robustness_images` COCO128
images: the same corrupted pixels for every model).

    mobilenet-ssd zoo report [--resolutions 128,...] [--json FILE] [--plot FILE]
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

from pathlib import Path
import statistics
import tempfile
import time

from .core import bench_frame
from ..core.detector import Detector, FrameSettings
from ..core.imageio import read_rgb
from ..core.postprocess import DetectionFilter
from ..offline.corruptions import NAMES, SEVERITIES
from ..offline.datasets import load_dataset, shared_data
from ..offline.evaluate import evaluate
from ..offline.robustness import run as run_robustness
from ..zoo.build import build
from ..zoo.lookup import Catalogue, ZooEntry
from ..zoo.metadata import ModelMetadata

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
    keep = FrameSettings(DetectionFilter(score_threshold=0.0))
    result = {}
    for name, (samples, images) in data.items():
        predictions = {
            s.image_path.name: detector.detect(img, keep).detections
            for s, img in zip(samples, images, strict=True)
        }
        r = evaluate(samples, predictions)
        result[name] = {'mAP': r.map, 'mAP50': r.map50}
    return result


def _latency(detectors: dict[str, Detector], frames: int, rounds: int) -> dict[str, float]:
    rgb = bench_frame((640, 480))
    samples: dict[str, list[float]] = {r: [] for r in detectors}
    for d in detectors.values():
        d.detect(rgb)
    for _ in range(rounds):
        for r, d in detectors.items():
            for _ in range(frames):
                start = time.perf_counter()
                d.detect(rgb)
                samples[r].append((time.perf_counter() - start) * 1e3)
    return {r: statistics.median(v) for r, v in samples.items()}


def trained_models(resolution: int, extra_dirs=()) -> list[ZooEntry]:
    """List the trained models of `resolution` on this machine, any width or variant."""
    catalogue = Catalogue(extra_dirs)
    return [
        e
        for e in catalogue.select(None, resolution)
        if e.trained and catalogue.locate(e) is not None
    ]


def report(
    resolutions=RESOLUTIONS,
    limit: int | None = None,
    frames: int = 40,
    rounds: int = 8,
    robustness_images: int = 32,
    corruptions=NAMES,
    severities=SEVERITIES,
    extra_dirs=(),
) -> dict:
    data = _datasets(limit)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        models, uncapped = {}, {}  # label -> (row fields, detector)
        for r in resolutions:
            info = build(r, output=tmp)
            label = f'{r} rebuilt'
            fields = {
                'name': info.name,
                'kind': 'rebuilt',
                'alpha': info.alpha,
                'resolution': r,
                'macs': info.macs,
                'params': info.params,
                'cost': None,
            }
            models[label] = (fields, Detector(Path(tmp) / info.name / 'detect.tflite'))
            info_u = build(r, max_detections=UNCAPPED, output=tmp)
            uncapped[label] = Detector(Path(tmp) / info_u.name / 'detect.tflite')
            for entry in trained_models(r, extra_dirs):
                found = Catalogue(extra_dirs).locate(entry)
                facts = ModelMetadata.read(found.model_path.parent)
                models[entry.name] = (  # by name: a shipped and a new model may share a key
                    {
                        'name': entry.name,
                        'kind': entry.kind,
                        'alpha': entry.alpha,
                        'resolution': r,
                        'macs': facts.macs,
                        'params': facts.params,
                        'cost': {'steps': facts.details['steps'], **facts.details['cost']},
                    },
                    Detector(found.model_path),
                )
        latency = _latency({k: d for k, (_, d) in models.items()}, frames, rounds)
        base = latency.get('300 rebuilt') or max(latency.values())
        keep = FrameSettings(DetectionFilter(score_threshold=0.0))
        samples, images = data['coco128_val2017']
        robust = run_robustness(
            {k: (lambda im, d=d: d.detect(im, keep).detections) for k, (_, d) in models.items()},
            samples[:robustness_images],
            images[:robustness_images],
            corruptions,
            severities,
        )
        for label, (fields, detector) in models.items():
            rows.append(
                {
                    **fields,
                    'latency_ms': latency[label],
                    'latency_ratio_to_300': latency[label] / base,
                    'map_cap10': _map(detector, data),
                    f'map_cap{UNCAPPED}': (
                        _map(uncapped[label], data) if label in uncapped else None
                    ),
                    'rPC': robust[label]['rPC'],
                    'mPC': robust[label]['mPC'],
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


def _cost(row: dict) -> str:
    cost = row['cost']
    if cost is None:
        return '-'
    return f'{cost["steps"]} steps, {cost["seconds"] / 60:.0f} min ({cost["device"]})'


def mean_map(row: dict) -> float:
    """Return the model's mAP averaged over the three dev sets (cap 10): what it is ranked by."""
    return sum(row['map_cap10'][n]['mAP'] for n, _ in DATASETS) / len(DATASETS)


def pareto_front(rows: list[dict]) -> list[dict]:
    """Return the rows no other row beats: as fast or faster and as accurate (mean mAP) or more."""
    return [
        r
        for r in rows
        if not any(
            o is not r
            and o['latency_ratio_to_300'] <= r['latency_ratio_to_300']
            and mean_map(o) >= mean_map(r)
            and (o['latency_ratio_to_300'], mean_map(o))
            != (r['latency_ratio_to_300'], mean_map(r))
            for o in rows
        )
    ]


# The Pi 4 estimate of docs/PERFORMANCE.md: invoke() of the 300 model about 42 ms with a
# 64-bit OS, XNNPACK and 4 threads (about 83 ms with a 32-bit OS and an older TFLite); the
# node's own overhead about 3 ms per rgb8 frame.
PI4_INVOKE_300_MS = 42.0
PI4_INVOKE_300_MS_32BIT = 83.0
PI4_OVERHEAD_MS = 3.0


def pi4_fps(row: dict, invoke_300_ms: float = PI4_INVOKE_300_MS) -> float:
    """Estimate the node's rate on a Pi 4 from the latency ratio measured here."""
    return 1000.0 / (invoke_300_ms * row['latency_ratio_to_300'] + PI4_OVERHEAD_MS)


def recommend(
    rows: list[dict], targets=(10, 15, 20), invoke_300_ms: float = PI4_INVOKE_300_MS
) -> dict[int, dict | None]:
    """For each frame rate, the most accurate model (mean mAP) whose Pi 4 estimate reaches it."""
    return {
        fps: max((r for r in rows if pi4_fps(r, invoke_300_ms) >= fps), key=mean_map, default=None)
        for fps in targets
    }


def format_markdown(result: dict) -> str:
    names = [n for n, _ in DATASETS]
    head = (
        '| width | resolution | model | GMACs | M params | latency / 300 | Pi 4 FPS (est.) | '
        + ' | '.join(f'{n} mAP (cap 10 / {UNCAPPED})' for n in names)
        + ' | mean mAP | rPC | cost to make |'
    )
    lines = [head, '|' + '---|' * (10 + len(names))]
    front = pareto_front(result['rows'])
    keys = [(r['alpha'], r['resolution'], r['kind']) for r in result['rows']]
    for row in result['rows']:
        model = row['kind']
        if keys.count((row['alpha'], row['resolution'], row['kind'])) > 1:
            model += f' ({row["name"]})'  # two models of one key: say which is which
        uncapped = row[f'map_cap{UNCAPPED}']
        cells = [
            f'{row["map_cap10"][n]["mAP"]:.3f} / '
            + (f'{uncapped[n]["mAP"]:.3f}' if uncapped else '-')
            for n in names
        ]
        mark = ' **(front)**' if row in front else ''
        lines.append(
            f'| {row["alpha"]:g} | {row["resolution"]} | {model}{mark} | '
            f'{row["macs"] / 1e9:.3f} | '
            f'{row["params"] / 1e6:.2f} | {row["latency_ratio_to_300"]:.2f} | '
            f'{pi4_fps(row):.0f} | '
            + ' | '.join(cells)
            + f' | {mean_map(row):.3f} | {row["rPC"]:.2f} | {_cost(row)} |'
        )
    lines.append('')
    for setup, invoke_ms in (
        ('64-bit OS', PI4_INVOKE_300_MS),
        ('32-bit OS', PI4_INVOKE_300_MS_32BIT),
    ):
        for fps, row in recommend(result['rows'], invoke_300_ms=invoke_ms).items():
            lines.append(
                f'- {fps} FPS on a Pi 4 ({setup}): '
                + (
                    f'{row["alpha"]:g} x {row["resolution"]} {row["kind"]} (estimated '
                    f'{pi4_fps(row, invoke_ms):.0f} FPS, mean mAP {mean_map(row):.3f})'
                    if row
                    else 'no model reaches it'
                )
            )
    return '\n'.join(lines)
