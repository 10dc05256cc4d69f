"""
Benchmarks of the core, as ratios measured in one run (shared machines are noisy).

- core: `Detector.detect()` against the bare `invoke()` of the same model (the limit)
  and against the reference pipeline of TensorFlow Lite's Raspberry Pi object detection
  example (OpenCV frame -> cvtColor -> resize -> expand_dims -> set_tensor -> invoke ->
  get_tensor per output -> Python loop), written out faithfully below.
- sweep: threads x XNNPACK x every zoo model on this machine, with MACs and parameters
  counted from the graph.
Variants are measured interleaved, in rounds, so drift of the machine hits all of them
alike; per-frame medians are reported. The node suites live in bench/node.py (rclpy).
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
from dataclasses import dataclass, field
import os
from pathlib import Path
import statistics
import time

import cv2
import numpy as np

from .. import zoo
from ..convert.image_input import message_to_image
from ..core.detector import Detector
from ..core.enhance import Enhancer, measure
from ..core.imageio import read_rgb
from ..core.labels import LabelMap
from ..core.runtime import find_runtime, make_interpreter
from ..offline.datasets import shared_data
from ..zoo.graph import graph_stats

FRAME_SIZES = ((640, 480), (1280, 720))


@dataclass
class Timer:
    """Per-frame samples (ms) of named stages."""

    samples: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, ms: float) -> None:
        self.samples.setdefault(name, []).append(ms)

    def median(self, name: str) -> float:
        return statistics.median(self.samples[name])


BENCH_IMAGE = 'kite_and_cold.jpg'  # people and kites, 1352x900, in the shared samples


def bench_frame(size: tuple[int, int]) -> np.ndarray:
    """Return a real photo from the shared data stretched to `size`, RGB."""
    rgb = read_rgb(shared_data('samples') / BENCH_IMAGE)
    if rgb is None:
        raise FileNotFoundError(
            f'benchmark image {BENCH_IMAGE} not found in {shared_data("samples")}'
        )
    return cv2.resize(rgb, size)


def image_message(rgb: np.ndarray, encoding: str):
    """Wrap `rgb` in a duck-typed sensor_msgs/Image (no ROS needed) as rgb8 or bgr8."""
    from types import SimpleNamespace

    data = rgb if encoding == 'rgb8' else cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    return SimpleNamespace(
        encoding=encoding,
        height=rgb.shape[0],
        width=rgb.shape[1],
        step=rgb.shape[1] * 3,
        is_bigendian=0,
        data=np.ascontiguousarray(data).reshape(-1),
    )


class ReferencePipeline:
    """TensorFlow Lite's Raspberry Pi object detection example, stage by stage."""

    def __init__(self, model_path: Path, labels: LabelMap, threshold: float = 0.5):
        self.interpreter = make_interpreter(Path(model_path).read_bytes())
        self.interpreter.allocate_tensors()
        self.input_details = self.interpreter.get_input_details()
        self.output_details = self.interpreter.get_output_details()
        self.height = self.input_details[0]['shape'][1]
        self.width = self.input_details[0]['shape'][2]
        self.labels = labels
        self.threshold = threshold

    def detect(self, frame_bgr: np.ndarray, timer: Timer | None = None) -> list:
        t0 = time.perf_counter()
        frame_rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        t1 = time.perf_counter()
        frame_resized = cv2.resize(frame_rgb, (self.width, self.height))
        input_data = np.expand_dims(frame_resized, axis=0)
        self.interpreter.set_tensor(self.input_details[0]['index'], input_data)
        t2 = time.perf_counter()
        self.interpreter.invoke()
        t3 = time.perf_counter()
        boxes = self.interpreter.get_tensor(self.output_details[0]['index'])[0]
        classes = self.interpreter.get_tensor(self.output_details[1]['index'])[0]
        scores = self.interpreter.get_tensor(self.output_details[2]['index'])[0]
        im_h, im_w = frame_bgr.shape[:2]
        results = []
        for i in range(len(scores)):
            if self.threshold < scores[i] <= 1.0:
                ymin = int(max(1, boxes[i][0] * im_h))
                xmin = int(max(1, boxes[i][1] * im_w))
                ymax = int(min(im_h, boxes[i][2] * im_h))
                xmax = int(min(im_w, boxes[i][3] * im_w))
                results.append(
                    {
                        'label': self.labels.name(int(classes[i])),
                        'score': float(scores[i]),
                        'box': (xmin, ymin, xmax, ymax),
                    }
                )
        t4 = time.perf_counter()
        if timer is not None:
            for name, a, b in (
                ('convert', t0, t1),
                ('resize', t1, t2),
                ('invoke', t2, t3),
                ('postprocess', t3, t4),
            ):
                timer.add(name, (b - a) * 1e3)
        return results


def _interleave(
    variants: dict[str, Callable[[], None]], frames: int, rounds: int
) -> dict[str, list[float]]:
    """Run each variant `frames` times per round, rounds interleaved; per-frame ms."""
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for run in variants.values():  # warm-up: allocation, caches, XNNPACK packing
        for _ in range(3):
            run()
    for _ in range(rounds):
        for name, run in variants.items():
            for _ in range(frames):
                start = time.perf_counter()
                run()
                samples[name].append((time.perf_counter() - start) * 1e3)
    return samples


def core_suite(frames: int = 50, rounds: int = 6) -> dict:
    """Detector.detect vs bare invoke vs the reference pipeline, per frame size."""
    found = zoo.find()
    results = {'model': found.entry.name, 'frames_per_variant': frames * rounds, 'sizes': {}}
    for size in FRAME_SIZES:
        rgb = bench_frame(size)
        bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        ours = Detector(found.model_path)
        bare = Detector(found.model_path)  # its own interpreter, same settings
        bare_input = bare.model.interpreter.tensor(bare.model.info.input.index)
        bare_input()[0][:] = cv2.resize(rgb, bare.input_size)
        reference = ReferencePipeline(
            found.model_path, ours.labels, threshold=ours.defaults.keep.score_threshold
        )
        bgr_msg, rgb_msg = image_message(rgb, 'bgr8'), image_message(rgb, 'rgb8')
        ours_timer, ref_timer, convert_timer = Timer(), Timer(), Timer()

        def ours_rgb8():
            start = time.perf_counter()
            image = message_to_image(rgb_msg)
            convert_timer.add('rgb8', (time.perf_counter() - start) * 1e3)
            t = ours.detect(image).timings
            for name, ms in (
                ('resize', t.preprocess_ms),
                ('invoke', t.inference_ms),
                ('postprocess', t.postprocess_ms),
            ):
                ours_timer.add(name, ms)

        def ours_bgr8():
            start = time.perf_counter()
            image = message_to_image(bgr_msg)
            convert_timer.add('bgr8', (time.perf_counter() - start) * 1e3)
            ours.detect(image)

        samples = _interleave(
            {
                'invoke': bare.model.interpreter.invoke,
                'ours_rgb8': ours_rgb8,
                'ours_bgr8': ours_bgr8,
                'reference': lambda: reference.detect(bgr, ref_timer),
            },
            frames,
            rounds,
        )
        med = {name: statistics.median(v) for name, v in samples.items()}
        results['sizes'][f'{size[0]}x{size[1]}'] = {
            'median_ms': med,
            'ratio_ours_rgb8_to_invoke': med['ours_rgb8'] / med['invoke'],
            'ratio_ours_bgr8_to_invoke': med['ours_bgr8'] / med['invoke'],
            'ratio_reference_to_invoke': med['reference'] / med['invoke'],
            'ratio_ours_rgb8_to_reference': med['ours_rgb8'] / med['reference'],
            'ratio_ours_bgr8_to_reference': med['ours_bgr8'] / med['reference'],
            'breakdown_ours_ms': {
                'convert_rgb8': convert_timer.median('rgb8'),
                'convert_bgr8': convert_timer.median('bgr8'),
                **{k: ours_timer.median(k) for k in ('resize', 'invoke', 'postprocess')},
            },
            'breakdown_reference_ms': {
                k: ref_timer.median(k) for k in ('convert', 'resize', 'invoke', 'postprocess')
            },
        }
    results['enhance'] = enhance_cost(found.model_path, frames, rounds)
    return results


def enhance_cost(model_path: Path, frames: int, rounds: int) -> dict:
    """
    Measure what image quality and `enhance` cost, 640x480 frames, in one run.

    Every frame is measured (brightness, contrast, haze: the numbers of ~/stats), whatever
    `enhance` says; `stretch` adds the lookup table on top. Timed three ways: measure() and
    the stretch alone on the model-sized image, and detect() with `off` against `stretch`.
    """
    frame = bench_frame((640, 480))
    detectors = {m: Detector(model_path, enhance=m) for m in ('off', 'stretch')}
    small = cv2.resize(frame, detectors['off'].input_size)
    scratch = small.copy()

    def stretch_only() -> None:
        np.copyto(scratch, small)
        Enhancer('stretch')(scratch)

    samples = _interleave(
        {
            'measure': lambda: measure(small),
            'copy_measure_stretch': stretch_only,
            'copy': lambda: np.copyto(scratch, small),
            'detect_off': lambda: detectors['off'].detect(frame),
            'detect_stretch': lambda: detectors['stretch'].detect(frame),
        },
        frames,
        rounds,
    )
    med = {name: statistics.median(v) for name, v in samples.items()}
    return {
        'median_ms': med,
        'measure_ms': med['measure'],
        'stretch_ms': med['copy_measure_stretch'] - med['copy'] - med['measure'],
        'ratio_detect_stretch_to_off': med['detect_stretch'] / med['detect_off'],
    }


def sweep_suite(frames: int = 30, rounds: int = 3) -> dict:
    """Latency of every zoo model on this machine under threads x XNNPACK."""
    threads = [1, 2] + ([4] if (os.cpu_count() or 1) >= 4 else [])
    rgb = bench_frame(FRAME_SIZES[0])
    rows = []
    for entry in zoo.entries():
        found = zoo.locate(entry)
        if found is None:
            continue
        stats = graph_stats(found.model_path)
        variants = {}
        for n in threads:
            for xnn in (True, False):
                detector = Detector(found.model_path, num_threads=n, use_xnnpack=xnn)
                variants[(n, xnn)] = lambda d=detector: d.detect(rgb)
        samples = _interleave(
            {f'{n}/{x}': run for (n, x), run in variants.items()}, frames, rounds
        )
        for n, xnn in variants:
            ms = statistics.median(samples[f'{n}/{xnn}'])
            rows.append(
                {
                    'model': entry.name,
                    'alpha': entry.alpha,
                    'resolution': entry.resolution,
                    'graph_width_multiplier': stats.width_multiplier,
                    'macs': stats.macs,
                    'params': stats.params,
                    'threads': n,
                    'xnnpack': xnn,
                    'latency_ms': ms,
                    'fps': 1e3 / ms,
                }
            )
    fastest = min(r['latency_ms'] for r in rows)
    for r in rows:
        r['latency_ratio_to_fastest'] = r['latency_ms'] / fastest
    return {'runtime': find_runtime().name, 'cpu_count': os.cpu_count(), 'rows': rows}


def format_core(result: dict) -> str:
    lines = [
        f'core suite: {result["model"]}, {result["frames_per_variant"]} frames per variant '
        '(medians, ms)'
    ]
    lines.append(
        f'{"frame":>10} {"invoke":>7} {"ours rgb8":>10} {"ours bgr8":>10} {"reference":>10} '
        f'{"ours/invoke":>12} {"ours/ref":>9} {"bgr8/ref":>9}'
    )
    for size, r in result['sizes'].items():
        m = r['median_ms']
        lines.append(
            f'{size:>10} {m["invoke"]:>7.2f} {m["ours_rgb8"]:>10.2f} {m["ours_bgr8"]:>10.2f} '
            f'{m["reference"]:>10.2f} {r["ratio_ours_rgb8_to_invoke"]:>12.3f} '
            f'{r["ratio_ours_rgb8_to_reference"]:>9.3f} {r["ratio_ours_bgr8_to_reference"]:>9.3f}'
        )
    lines.append(
        'breakdown (ms): ours convert/resize/invoke/postprocess | reference '
        'convert/resize+set/invoke/post'
    )
    for size, r in result['sizes'].items():
        o, f = r['breakdown_ours_ms'], r['breakdown_reference_ms']
        lines.append(
            f'{size:>10} ours rgb8 {o["convert_rgb8"]:.3f} (bgr8 {o["convert_bgr8"]:.3f}) / '
            f'{o["resize"]:.3f} / {o["invoke"]:.2f} / {o["postprocess"]:.3f} | reference '
            f'{f["convert"]:.3f} / {f["resize"]:.3f} / {f["invoke"]:.2f} / {f["postprocess"]:.3f}'
        )
    e = result.get('enhance')
    if e:
        lines.append(
            f'image quality and enhance, 300x300 input (medians): measure '
            f'{e["measure_ms"]:.3f} ms (every frame), stretch {e["stretch_ms"]:.3f} ms more; '
            f'detect() stretch/off {e["ratio_detect_stretch_to_off"]:.3f} (640x480)'
        )
    return '\n'.join(lines)


def format_sweep(result: dict) -> str:
    lines = [
        f'sweep suite ({result["runtime"]}, {result["cpu_count"]} cores)',
        f'{"model":<34}{"alpha":>6}{"res":>5}{"GMACs":>7}{"Mparams":>8}{"thr":>4}{"xnn":>5}'
        f'{"ms":>8}{"fps":>7}{"ratio":>7}',
    ]
    for r in result['rows']:
        lines.append(
            f'{r["model"]:<34}{r["alpha"]:>6.2f}{r["resolution"]:>5}{r["macs"] / 1e9:>7.3f}'
            f'{r["params"] / 1e6:>8.2f}{r["threads"]:>4}{"on" if r["xnnpack"] else "off":>5}'
            f'{r["latency_ms"]:>8.2f}{r["fps"]:>7.1f}{r["latency_ratio_to_fastest"]:>7.2f}'
        )
    return '\n'.join(lines)
