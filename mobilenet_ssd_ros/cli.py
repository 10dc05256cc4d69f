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
`mobilenet-ssd`: the offline command line on the same core as the ROS node.

mobilenet-ssd detect IMAGE_OR_DIR... [--json] [--annotate DIR]
mobilenet-ssd eval --dataset DIR --format coco128|yolo|voc|pennfudan|kitti
                   [--corruption NAME[:SEVERITY]] [--enhance off|stretch|auto]
                   [--compare PREDICTIONS | --compare-enhance MODE] [--save-predictions FILE]
mobilenet-ssd robustness --dataset DIR --format F [--corruptions A,B] [--severities 1,3,5]
                         [--quick] [--json FILE] [--plot FILE]
mobilenet-ssd train --resolution R --output DIR [--width W] [--steps N] [--batch B] [--lr LR]
                    [--images N] [--weather P [--weather-effects A,B] [--teacher-view V]]
                    [--front N]
mobilenet-ssd models [--download]
mobilenet-ssd make-bag IMAGES... --output BAG [--rate HZ] [--compressed] [--storage mcap|sqlite3]
mobilenet-ssd replay BAG --output OUT_BAG [--topic T] [--every-frame | --frame-ms MS]
                     [--ground-truth DIR --format F]
mobilenet-ssd bench [--suite core|node|sweep|soak|all] [--smoke] [--json FILE] [--plots DIR]
mobilenet-ssd zoo build --resolution R | --resolutions R,R,... [--source FILE | --alpha A]
mobilenet-ssd zoo report [--resolutions R,...] [--json FILE] [--plot FILE]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
import json
from pathlib import Path
import sys
import time

from . import zoo
from .core.detector import Detector
from .core.draw import annotate
from .core.enhance import Enhancer, METHODS
from .core.imageio import read_rgb, write_rgb
from .core.model import ModelError
from .offline.bag import DEFAULT_TOPIC, STORAGES
from .offline.corruptions import corrupt, CorruptionError, NAMES, parse, SEVERITIES
from .offline.datasets import DatasetError, image_files, load_dataset, LOADERS
from .zoo.download import download, ModelDownloadError

# The optional tools (rosbags, pycocotools, PyYAML, matplotlib, PyTorch) are imported by the
# commands that use them, so that the core requirements alone run `detect` (on a Pi).


def _add_model_args(p: argparse.ArgumentParser, threshold: float) -> None:
    g = p.add_argument_group('model')
    g.add_argument(
        '--alpha',
        type=float,
        default=zoo.DEFAULT_ENTRY.alpha,
        help=f'width multiplier of the zoo model, as measured from its graph '
        f'(default {zoo.DEFAULT_ENTRY.alpha:g}; `mobilenet-ssd models` lists what is here)',
    )
    g.add_argument(
        '--resolution',
        type=int,
        default=zoo.DEFAULT_ENTRY.resolution,
        help=f'input resolution of the zoo model (default {zoo.DEFAULT_ENTRY.resolution})',
    )
    g.add_argument(
        '--variant',
        default='',
        help="a named variant of the zoo model, e.g. 'weather' (trained on synthetic bad "
        'weather); default: the plain model',
    )
    g.add_argument('--model', help='explicit .tflite file (overrides the zoo lookup)')
    g.add_argument(
        '--labels', help='label map file (default: embedded in the model or next to it)'
    )
    g.add_argument(
        '--model-dir', action='append', default=[], help='extra directory to search for zoo models'
    )
    g.add_argument(
        '--threshold', type=float, default=threshold, help=f'score threshold (default {threshold})'
    )
    g.add_argument('--classes', help='comma-separated allow-list of label names')
    g.add_argument(
        '--max-detections', type=int, help='keep at most this many detections per image'
    )
    g.add_argument('--threads', type=int, help='interpreter threads (default: all cores)')
    g.add_argument(
        '--enhance',
        choices=list(METHODS),
        default='off',
        help='test-time enhancement of the model-sized image (auto: hazy/flat frames only)',
    )
    g.add_argument('--no-xnnpack', action='store_true', help='disable the XNNPACK delegate')


def _detector(args: argparse.Namespace) -> Detector:
    return zoo.open_detector(
        args.model,
        alpha=args.alpha,
        resolution=args.resolution,
        labels=args.labels,
        extra_dirs=args.model_dir,
        variant=args.variant,
        num_threads=args.threads,
        use_xnnpack=not args.no_xnnpack,
        score_threshold=args.threshold,
        classes=[c.strip() for c in args.classes.split(',')] if args.classes else None,
        max_detections=args.max_detections,
        enhance=args.enhance,
    )


def cmd_detect(args: argparse.Namespace) -> int:
    detector = _detector(args)
    files = [f for p in args.paths for f in image_files(Path(p))]
    missing = [p for p in args.paths if not Path(p).exists()]
    for p in missing:
        print(f'error: {p}: no such file or directory', file=sys.stderr)
    if args.annotate:
        Path(args.annotate).mkdir(parents=True, exist_ok=True)
    failures = len(missing)
    total_ms = invoke_ms = 0.0
    for path in files:
        rgb = read_rgb(path)
        if rgb is None:
            print(f'error: {path}: not a readable image', file=sys.stderr)
            failures += 1
            continue
        detections = detector.detect(rgb)
        total_ms += detector.last_timings.total_ms
        invoke_ms += detector.last_timings.inference_ms
        if args.json:
            print(
                json.dumps(
                    {
                        'image': str(path),
                        'width': rgb.shape[1],
                        'height': rgb.shape[0],
                        'detections': [d.to_dict() for d in detections],
                    }
                )
            )
        else:
            print(f'{path}: {len(detections)} detection(s)')
            for d in detections:
                b = d.bbox
                print(
                    f'  {d.label:<14} {d.score:.2f}  [{b.xmin:.0f} {b.ymin:.0f} {b.xmax:.0f} '
                    f'{b.ymax:.0f}]'
                )
        if args.annotate:
            out = Path(args.annotate) / (path.stem + '.jpg')
            write_rgb(out, annotate(rgb, detections))
    done = len(files) - (failures - len(missing))
    if done:
        print(
            f'{done} image(s) with {detector.model_id} ({detector.model.info.runtime}): '
            f'detect {total_ms / done:.1f} ms/image, of which invoke {invoke_ms / done:.1f} ms '
            f'(detect/invoke {total_ms / invoke_ms:.3f})'
            + (f'; annotated images in {args.annotate}' if args.annotate else ''),
            file=sys.stderr,
        )
    if not files and not missing:
        print('error: no images found', file=sys.stderr)
        return 1
    return 1 if failures else 0


def _predict(
    detector: Detector, samples, corruption: tuple[str, int] | None, seed: int
) -> dict[str, list]:
    """Run `detector` on every sample, corrupted first if asked (seed + the image's index)."""
    predictions = {}
    for i, sample in enumerate(samples):
        rgb = read_rgb(sample.image_path)
        if rgb is None:
            raise DatasetError(f'{sample.image_path}: not a readable image')
        if corruption:
            rgb = corrupt(rgb, *corruption, seed=seed + i)
        predictions[sample.image_path.name] = detector.detect(rgb)
    return predictions


def cmd_eval(args: argparse.Namespace) -> int:
    from .offline.bootstrap import format_changes, paired_bootstrap
    from .offline.evaluate import evaluate, format_table, read_predictions, write_predictions

    samples = load_dataset(args.dataset, args.format)
    if args.limit:
        samples = samples[: args.limit]
    name, severities = parse(args.corruption) if args.corruption else (None, (0,))
    if args.predictions and name:
        raise CorruptionError('--corruption needs the model; saved --predictions are fixed')
    if args.predictions and args.compare_enhance:
        raise ValueError(
            '--compare-enhance runs the model; with saved --predictions use --compare'
        )
    if args.save_predictions and len(severities) > 1:
        raise CorruptionError('--save-predictions needs one condition: give NAME:SEVERITY')
    detector = None if args.predictions else _detector(args)
    report: dict = {}
    for severity in severities:
        condition = f'{name}:{severity}' if name else 'clean'
        start = time.perf_counter()
        if args.predictions:
            predictions = read_predictions(args.predictions)
            source = f'predictions from {args.predictions}'
        else:
            predictions = _predict(
                detector, samples, (name, severity) if name else None, args.seed
            )
            source = f'{detector.model_id}, threshold {args.threshold}, enhance {args.enhance}'
        result = evaluate(samples, predictions)
        took = time.perf_counter() - start
        title = f'{args.dataset} ({args.format}, {condition}) -- {source} -- {took:.1f} s'
        print(format_table(result, title))
        entry = result.to_dict()
        if args.compare or args.compare_enhance:
            if args.compare:
                baseline, label = read_predictions(args.compare), args.compare
            else:
                setting, detector.enhancer = detector.enhancer, Enhancer(args.compare_enhance)
                try:
                    baseline = _predict(
                        detector, samples, (name, severity) if name else None, args.seed
                    )
                finally:
                    detector.enhancer = setting
                label = f'enhance {args.compare_enhance}'
            changes = paired_bootstrap(samples, baseline, predictions, args.bootstrap)
            print(
                format_changes(
                    changes, f'change from {label}: paired bootstrap, {args.bootstrap} resamples'
                )
            )
            entry['comparison'] = {
                'baseline': label,
                'resamples': args.bootstrap,
                'changes': {k: c.to_dict() for k, c in changes.items()},
            }
        if args.save_predictions:
            write_predictions(args.save_predictions, samples, predictions)
        report[condition] = entry
    if name and len(severities) > 1:
        mpc = sum(r['mAP'] for r in report.values()) / len(report)
        print(f'{name}: mPC (mean mAP@[.5:.95] over severities) {mpc:.3f}')
        report = {'corruption': name, 'mPC': mpc, 'severities': report}
    else:
        report = next(iter(report.values()))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


def _int_list(text: str) -> list[int]:
    return [int(v) for v in text.split(',')]


def cmd_robustness(args: argparse.Namespace) -> int:
    from .offline import robustness

    corruptions = args.corruptions or (robustness.QUICK['corruptions'] if args.quick else NAMES)
    unknown = [c for c in corruptions if c not in NAMES]
    if unknown:
        raise CorruptionError(
            f'unknown corruption {", ".join(unknown)}; known: {", ".join(NAMES)}'
        )
    severities = args.severities or (robustness.QUICK['severities'] if args.quick else SEVERITIES)
    if not set(severities) <= set(SEVERITIES):
        raise CorruptionError(f'severities must be 1-5, got {severities}')
    limit = args.limit or (robustness.QUICK['limit'] if args.quick else None)
    samples = load_dataset(args.dataset, args.format)[:limit]
    images = [read_rgb(s.image_path) for s in samples]
    detectors = {}
    for enhance in dict.fromkeys([args.enhance, *(args.compare_enhance or [])]):
        detector = _detector(args)
        detector.enhancer = Enhancer(enhance)
        detectors[f'{detector.model_id} enhance {enhance}'] = detector.detect
    start = time.perf_counter()
    results = robustness.run(detectors, samples, images, corruptions, severities, args.seed)
    took = time.perf_counter() - start
    for key, result in results.items():
        title = f'{args.dataset} ({args.format}), {len(samples)} images -- {key} -- {took:.0f} s'
        print(robustness.format_table(result, title))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        report = {'dataset': args.dataset, 'images': len(samples), 'seed': args.seed, **results}
        Path(args.json).write_text(json.dumps(report, indent=1))
    if args.plot:
        print(f'plot: {robustness.plot(results, Path(args.plot))}')
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    try:
        from .training.train import train, TrainConfig, TrainError
    except ImportError as exc:
        raise ImportError(
            f'training needs PyTorch ({exc}): pip install -r requirements/train.txt'
        ) from exc
    config = TrainConfig(
        resolution=args.resolution,
        alpha=args.alpha,
        steps=args.steps,
        batch=args.batch,
        lr=args.lr,
        seed=args.seed,
        images=args.images,
        **({'pools': tuple(args.pools.split(','))} if args.pools else {}),
        repeat_threshold=args.repeat_threshold,
        ground_truth=not args.no_ground_truth,
        targets=args.targets,
        weather=args.weather,
        weather_effects=tuple(args.weather_effects.split(',')) if args.weather_effects else (),
        teacher=args.teacher,
        teacher_view=args.teacher_view,
        width=args.width or 0.0,
        feature_weight=args.feature_weight,
        front=args.front,
    )
    try:
        path = train(
            config, args.output, checkpoint_every=args.checkpoint_every, device=args.device
        )
    except TrainError as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    print(f'trained model: {path}')
    return 0


def cmd_zoo_build(args: argparse.Namespace) -> int:
    from .zoo.build import build, source_file, source_for_alpha

    source = source_file(args.source) if args.source else source_for_alpha(args.alpha)
    resolutions = args.resolutions or [args.resolution]
    for resolution in resolutions:
        info = build(
            resolution, max_detections=args.max_detections, output=args.output, source=source
        )
        where = Path(args.output) if args.output else zoo.cache_dir()
        print(
            f'built {info.name}: alpha {info.alpha:g} (measured), '
            f'{info.resolution}x{info.resolution}, '
            f'{info.macs / 1e9:.3f} GMACs, '
            f'{info.params / 1e6:.2f} M params, {info.anchors} anchors, max {info.max_detections} '
            'detections '
            f'-> {where / info.name}'
        )
    return 0


def cmd_zoo_report(args: argparse.Namespace) -> int:
    from .bench import zoo_report

    result = zoo_report.report(
        args.resolutions,
        limit=args.limit,
        robustness_images=args.robustness_images,
        extra_dirs=args.model_dir,
    )
    print(zoo_report.format_markdown(result))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=1))
    if args.plot:
        from .bench.plots import plot_zoo

        print(f'plot: {plot_zoo(result, Path(args.plot))}')
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    """
    List every known model with its (alpha, resolution) and where it is.

    Exit 1 when the default model is not on this machine (nothing will run without it).
    """
    if args.download:
        for entry in zoo.MANIFEST:
            found = download(entry)
            print(
                f'downloaded {entry.name} -> {found.model_path} ({entry.digest.partition(":")[0]} '
                'verified)'
            )
    print(f'cache directory: {zoo.cache_dir()}')
    print('search path: ' + ', '.join(str(d) for d in zoo.search_dirs(args.model_dir)))
    print(f'{"(alpha, resolution)":<32} {"kind":<8} {"name":<48} location')
    for entry in sorted(
        zoo.entries(extra_dirs=args.model_dir), key=lambda e: (e.alpha, e.resolution)
    ):
        found = zoo.locate(entry, args.model_dir)
        where = (
            str(found.model_path)
            if found
            else f'not on this machine ({zoo.cli_command()} models --download)'
        )
        kind = 'release' if entry in zoo.MANIFEST else 'trained' if entry.trained else 'rebuilt'
        kind += f' ({entry.variant})' if entry.variant else ''
        print(
            f'{zoo.format_pair(entry.alpha, entry.resolution):<32} {kind:<8} {entry.name:<48} '
            f'{where}'
        )
    pairs = zoo.available_pairs(args.model_dir)
    print('available here: ' + (', '.join(zoo.format_pair(a, r) for a, r in pairs) or 'none'))
    if zoo.locate(zoo.DEFAULT_ENTRY, args.model_dir) is None:
        print(
            f'error: the default model {zoo.DEFAULT_ENTRY.name} is not on this machine',
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_make_bag(args: argparse.Namespace) -> int:
    from .offline.bag import make_bag

    files = [f for p in args.images for f in image_files(Path(p))]
    if not files:
        print('error: no images found', file=sys.stderr)
        return 1
    n = make_bag(
        files,
        args.output,
        topic=args.topic,
        rate=args.rate,
        compressed=args.compressed,
        storage=args.storage,
        frame_id=args.frame_id,
    )
    topic = args.topic + ('/compressed' if args.compressed else '')
    print(f'wrote {n} frames at {args.rate:g} Hz to {args.output} ({args.storage}, topic {topic})')
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from .offline.replay import replay, ReplayError

    truth = load_dataset(args.ground_truth, args.format) if args.ground_truth else None
    detector = _detector(args)
    try:
        report = replay(
            args.bag,
            args.output,
            detector,
            topic=args.topic,
            every_frame=args.every_frame,
            frame_ms=args.frame_ms,
            storage=args.storage,
            ground_truth=truth,
        )
    except ReplayError as exc:
        print(exc.report.format())
        print(f'error: {exc}', file=sys.stderr)
        return 1
    print(report.format())
    return 0


SMOKE = {'frames': 5, 'rounds': 1, 'duration_s': 2.0, 'soak_frames': 200, 'inactive_s': 2.0}


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the suites, print their tables, write JSON (and plots with --plots)."""
    from .bench import core as bench

    suites = ['core', 'sweep', 'node', 'soak'] if args.suite == 'all' else [args.suite]
    smoke = SMOKE if args.smoke else None
    results: dict = {'smoke': bool(args.smoke), 'date': time.strftime('%Y-%m-%d %H:%M:%S %Z')}
    for suite in suites:
        if suite == 'core':
            r = bench.core_suite(
                **({'frames': smoke['frames'], 'rounds': smoke['rounds']} if smoke else {})
            )
            print(bench.format_core(r))
        elif suite == 'sweep':
            r = bench.sweep_suite(
                **({'frames': smoke['frames'], 'rounds': smoke['rounds']} if smoke else {})
            )
            print(bench.format_sweep(r))
        elif suite == 'node':
            from .bench import node as bench_node

            r = bench_node.node_suite(duration_s=smoke['duration_s'] if smoke else args.duration)
            print(bench_node.format_node(r))
        else:
            from .bench import node as bench_node

            r = bench_node.soak_suite(
                **(
                    {'frames': smoke['soak_frames'], 'inactive_s': smoke['inactive_s']}
                    if smoke
                    else {}
                )
            )
            print(bench_node.format_soak(r))
        results[suite] = r
        print()
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=1))
    print(f'results: {args.json}')
    if args.plots:
        from .bench import plots as bench_plots

        out = Path(args.plots)
        out.mkdir(parents=True, exist_ok=True)
        plotters = {
            'core': bench_plots.plot_core,
            'sweep': bench_plots.plot_sweep,
            'node': bench_plots.plot_node_latency,
        }
        for suite, plot in plotters.items():
            if suite in results:
                print(f'plot: {plot(results[suite], out / f"{suite}.png")}')
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog='mobilenet-ssd', description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)

    p = sub.add_parser('detect', help='detect objects in images')
    p.add_argument('paths', nargs='+', help='image files or folders (searched recursively)')
    p.add_argument('--json', action='store_true', help='print one JSON object per image')
    p.add_argument('--annotate', metavar='DIR', help='write annotated images into DIR')
    _add_model_args(p, threshold=0.5)
    p.set_defaults(func=cmd_detect)

    p = sub.add_parser('eval', help='COCO-style mAP on a labeled dataset')
    p.add_argument('--dataset', required=True, help='dataset folder')
    p.add_argument(
        '--format', required=True, choices=['coco128', 'yolo', 'voc', 'pennfudan', 'kitti']
    )
    p.add_argument(
        '--predictions', help='evaluate saved `detect --json` output instead of running the model'
    )
    p.add_argument('--limit', type=int, help='only the first N images')
    p.add_argument('--json', metavar='FILE', help='also write the results as JSON')
    p.add_argument(
        '--corruption',
        metavar='NAME[:SEVERITY]',
        help='corrupt every image first (COCO-C; no severity: all five). '
        f'Names: {", ".join(NAMES)}',
    )
    p.add_argument('--seed', type=int, default=0, help='corruption seed (image i uses seed + i)')
    p.add_argument('--save-predictions', metavar='FILE', help='write the predictions (JSON lines)')
    compare = p.add_mutually_exclusive_group()
    compare.add_argument(
        '--compare', metavar='PREDICTIONS', help='baseline predictions (--save-predictions output)'
    )
    compare.add_argument(
        '--compare-enhance',
        choices=list(METHODS),
        help='baseline: this run with another --enhance',
    )
    p.add_argument(
        '--bootstrap', type=int, default=1000, help='paired bootstrap resamples (default 1000)'
    )
    _add_model_args(p, threshold=0.0)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser('robustness', help='mAP under the COCO-C corruptions: mPC and rPC')
    p.add_argument('--dataset', required=True, help='dataset folder')
    p.add_argument(
        '--format', required=True, choices=['coco128', 'yolo', 'voc', 'pennfudan', 'kitti']
    )
    p.add_argument(
        '--corruptions',
        type=lambda t: t.split(','),
        help='comma-separated names (default: all 15)',
    )
    p.add_argument('--severities', type=_int_list, help='comma-separated, 1-5 (default: all)')
    p.add_argument('--limit', type=int, help='only the first N images')
    p.add_argument(
        '--quick',
        action='store_true',
        help='8 images, fog/contrast/gaussian_noise, severities 1,3,5',
    )
    p.add_argument('--seed', type=int, default=0, help='corruption seed (image i uses seed + i)')
    p.add_argument('--json', metavar='FILE', help='write the results as JSON')
    p.add_argument('--plot', metavar='FILE', help='write a PNG of rPC per corruption')
    p.add_argument(
        '--compare-enhance',
        action='append',
        choices=list(METHODS),
        help='also run with this --enhance, on the same corrupted images (repeatable)',
    )
    _add_model_args(p, threshold=0.0)
    p.set_defaults(func=cmd_robustness)

    p = sub.add_parser('make-bag', help='turn images into a camera bag (rosbag2)')
    p.add_argument('images', nargs='+', help='image files or folders (sorted, recursively)')
    p.add_argument('--output', required=True, help='new bag folder')
    p.add_argument('--rate', type=float, default=10.0, help='frames per second (default 10)')
    p.add_argument(
        '--compressed', action='store_true', help='JPEG CompressedImage on TOPIC/compressed'
    )
    p.add_argument('--storage', choices=sorted(STORAGES), default='mcap')
    p.add_argument('--topic', default=DEFAULT_TOPIC, help=f'image topic (default {DEFAULT_TOPIC})')
    p.add_argument('--frame-id', default='camera', help='header.frame_id (default camera)')
    p.set_defaults(func=cmd_make_bag)

    p = sub.add_parser(
        'replay', help='run the detector over a camera bag, write a results bag and a report'
    )
    p.add_argument(
        'bag', help='rosbag2 folder (sqlite3 or mcap) with Image or CompressedImage messages'
    )
    p.add_argument('--output', required=True, help='new bag folder for detections and stats')
    p.add_argument('--topic', help='image topic (needed when the bag has several)')
    timing = p.add_mutually_exclusive_group()
    timing.add_argument(
        '--every-frame',
        action='store_true',
        help='process every frame (deterministic); '
        'default: drop frames as the node would in real time',
    )
    timing.add_argument(
        '--frame-ms',
        type=float,
        help='simulate a machine that takes this long per frame (default: the measured time)',
    )
    p.add_argument(
        '--storage', choices=sorted(STORAGES), default='mcap', help='storage of the output bag'
    )
    p.add_argument(
        '--ground-truth',
        metavar='DIR',
        help="dataset whose images, in order, are the bag's frames",
    )
    p.add_argument(
        '--format', default='yolo', choices=sorted(LOADERS), help='format of --ground-truth'
    )
    _add_model_args(p, threshold=0.5)
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser(
        'bench', help='benchmarks: ratios against invoke(), a reference pipeline, a naive node'
    )
    p.add_argument('--suite', choices=['core', 'node', 'sweep', 'soak', 'all'], default='core')
    p.add_argument(
        '--smoke', action='store_true', help='a few frames per suite (checks that they run)'
    )
    p.add_argument(
        '--duration', type=float, default=60.0, help='seconds per node scenario (default 60)'
    )
    p.add_argument('--json', default='out/bench/results.json', help='where to write the results')
    p.add_argument('--plots', metavar='DIR', help='write PNG plots into DIR')
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser('zoo', help='build models for other input resolutions')
    zoo_sub = p.add_subparsers(dest='zoo_command', required=True)
    b = zoo_sub.add_parser(
        'build', help='the pretrained model rebuilt for R x R inputs (no TensorFlow needed)'
    )
    group = b.add_mutually_exclusive_group(required=True)
    group.add_argument('--resolution', type=int, help='square input size in pixels')
    group.add_argument(
        '--resolutions',
        type=lambda text: [int(v) for v in text.split(',')],
        help='comma-separated list, e.g. 128,160,192,224,256,300,384',
    )
    b.add_argument(
        '--max-detections', type=int, help="raise (or lower) the model's cap of 10 detections"
    )
    b.add_argument('--output', help='zoo directory to write into (default: the cache directory)')
    source = b.add_mutually_exclusive_group()
    source.add_argument(
        '--source',
        metavar='FILE',
        help='any MobileNetV1-SSD .tflite with TFLite_Detection_PostProcess (labels beside it)',
    )
    source.add_argument(
        '--alpha',
        type=float,
        default=zoo.DEFAULT_ENTRY.alpha,
        help=f"the zoo's release of this width (default {zoo.DEFAULT_ENTRY.alpha:g})",
    )
    b.set_defaults(func=cmd_zoo_build)
    rep = zoo_sub.add_parser(
        'report',
        help='MACs, latency ratio, mAP and rPC per resolution, untrained rebuilds (built in a '
        'temp dir) and trained models side by side',
    )
    rep.add_argument(
        '--resolutions',
        type=lambda text: [int(v) for v in text.split(',')],
        default=[128, 160, 192, 224, 256, 300, 384],
    )
    rep.add_argument('--limit', type=int, help='only the first N images of each dataset')
    rep.add_argument(
        '--robustness-images',
        type=int,
        default=32,
        help='COCO128 images for the rPC column (15 corruptions x 5 severities; default 32)',
    )
    rep.add_argument(
        '--model-dir',
        action='append',
        default=[],
        help='extra directory to search for trained models (repeatable)',
    )
    rep.add_argument('--json', help='write the results as JSON')
    rep.add_argument('--plot', help='write a PNG of mAP against latency')
    rep.set_defaults(func=cmd_zoo_report)

    p = sub.add_parser(
        'train', help='distil the detector into a student at another resolution or width (PyTorch)'
    )
    p.add_argument('--resolution', type=int, required=True, help="the student's input size")
    p.add_argument('--alpha', type=float, default=0.75, help='width of the teacher')
    p.add_argument(
        '--width',
        type=float,
        help="the student's width if not the teacher's: its backbone starts from the ImageNet "
        "MobileNetV1 classifier of that width, its heads are the teacher's through adapters",
    )
    p.add_argument(
        '--feature-weight',
        type=float,
        default=1.0,
        help="with --width: weight of imitating the teacher's feature maps (default 1)",
    )
    p.add_argument('--output', required=True, help='run folder: checkpoint, model, model.json')
    p.add_argument('--steps', type=int, default=1000)
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--lr', type=float, default=1e-4)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--images', type=int, help='only the first N pool images')
    p.add_argument(
        '--pools',
        metavar='A,B',
        help='train only on these pools of ../shared/data/train_pool (default: all of '
        'carla_town_clear, coco128_train2017, imagenet_sample, street_pedestrians)',
    )
    p.add_argument(
        '--repeat-threshold',
        type=float,
        default=0.1,
        help='repeat-factor sampling: an image showing a class the teacher finds in a fraction '
        'f < T of the pool images is drawn sqrt(T / f) times as often (default 0.1; 0: uniform)',
    )
    p.add_argument(
        '--no-ground-truth',
        action='store_true',
        help='ignore the boxes of the pools that have them (coco128_train2017); by default they '
        "are targets beside the teacher's detections",
    )
    p.add_argument('--checkpoint-every', type=int, default=100, help='steps between checkpoints')
    p.add_argument(
        '--targets',
        choices=['mixed', 'dense', 'detections'],
        default='mixed',
        help="mixed: the teacher's per-anchor scores, its detections SSD-matched for peaks and "
        'boxes; dense: per-anchor scores and confident boxes; detections: SSD matching only',
    )
    p.add_argument(
        '--weather',
        type=float,
        default=0.0,
        help='share of student images given synthetic fog, rain, snow, night, noise, blur or '
        'low contrast while the teacher sees them clean (default 0)',
    )
    p.add_argument(
        '--weather-effects',
        metavar='A,B',
        help='with --weather: only these effects, comma-separated, of fog, rain, snow, night, '
        'noise, blur, low_contrast (default: all)',
    )
    p.add_argument(
        '--teacher-view',
        choices=['clean', 'enhanced'],
        default='clean',
        help='what the teacher sees of a weathered frame: the clean frame (default), or the '
        'weathered frame through enhance auto (targets hold only what can be seen)',
    )
    p.add_argument(
        '--teacher',
        choices=['float', 'uint8'],
        default='float',
        help='where mixed/dense targets come from: the float replica of the source (default) '
        'or the uint8 source itself through LiteRT',
    )
    p.add_argument(
        '--front',
        type=int,
        default=0,
        help="train only the first N convolutions, to give from the student's view (e.g. "
        "with --weather) the teacher's feature map of the clean image; later layers stay the "
        "teacher's (default 0: train all)",
    )
    p.add_argument(
        '--device',
        default='cpu',
        help='where to train: cpu (default) or cuda[:N]; a run may resume on another device',
    )
    p.set_defaults(func=cmd_train)

    p = sub.add_parser('models', help='list the model zoo and what is on this machine')
    p.add_argument(
        '--download',
        action='store_true',
        help='download and verify the zoo models (needs internet)',
    )
    p.add_argument('--model-dir', action='append', default=[], help='extra directory to search')
    p.set_defaults(func=cmd_models)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (
        ModelError,
        zoo.ModelNotAvailableError,
        ModelDownloadError,
        DatasetError,
        KeyError,
        ValueError,
        ImportError,
    ) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f'error: {message}', file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
