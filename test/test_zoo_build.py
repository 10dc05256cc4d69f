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

"""The zoo builder: exact anchors, models for other resolutions, lookup and errors."""

from __future__ import annotations

import json
import math
import shutil
import sys

from ai_edge_litert import schema_py_generated as fb
from conftest import read_rgb, REPO, SAMPLES, SHARED
from mobilenet_ssd_ros import cli, places, zoo
from mobilenet_ssd_ros.core import anchors
from mobilenet_ssd_ros.core.detector import Detector, FrameSettings
from mobilenet_ssd_ros.core.postprocess import DetectionFilter
from mobilenet_ssd_ros.offline.datasets import load_dataset
from mobilenet_ssd_ros.offline.evaluate import evaluate
from mobilenet_ssd_ros.zoo.build import (
    build,
    BuildError,
    edit_model,
    source_file,
    source_for_alpha,
)
from mobilenet_ssd_ros.zoo.graph import graph_stats, SchemaNotFoundError
import numpy as np
import pytest


def _embedded_anchors(content: bytes) -> tuple[np.ndarray, float, int]:
    model = fb.ModelT.InitFromPackedBuf(content, 0)
    tensor = next(t for t in model.subgraphs[0].tensors if t.name == b'anchors')
    raw = np.frombuffer(bytes(model.buffers[tensor.buffer].data), np.uint8).reshape(-1, 4)
    return raw, float(tensor.quantization.scale[0]), int(tensor.quantization.zeroPoint[0])


def test_generated_anchors_reproduce_the_embedded_ones(model_bytes):
    raw, scale, zero = _embedded_anchors(model_bytes)
    assert anchors.feature_map_sizes(300) == [19, 10, 5, 3, 2, 1]
    generated = anchors.generate(anchors.feature_map_sizes(300))
    assert generated.shape == raw.shape == (1917, 4)
    dequantized = (raw.astype(np.float64) - zero) * scale
    assert (
        np.abs(generated - dequantized).max() <= scale / 2 + 1e-7
    )  # within half a quantization step
    assert np.array_equal(
        np.clip(np.round(generated / scale) + zero, 0, 255).astype(np.uint8), raw
    )
    assert np.array_equal(anchors.for_resolution(300), generated)  # no shift at the trained size


def test_anchor_counts_follow_the_feature_maps():
    assert anchors.feature_map_sizes(128) == [8, 4, 2, 1, 1, 1]
    assert anchors.count(128) == 8 * 8 * 3 + (16 + 4 + 1 + 1 + 1) * 6
    assert anchors.count(384) == len(anchors.for_resolution(384))


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp('zoo')
    return out, {r: build(r, output=out) for r in (128, 160, 224, 300)}


def test_rebuilt_300_is_the_original(built, model_path):
    out, infos = built
    original, rebuilt = Detector(model_path), Detector(out / infos[300].name / 'detect.tflite')
    keep = FrameSettings(DetectionFilter(score_threshold=0.0))
    for path in sorted(SAMPLES.glob('*.*')):
        rgb = read_rgb(path)
        assert rebuilt.detect(rgb, keep).detections == original.detect(rgb, keep).detections, (
            path.name
        )


@pytest.fixture(scope='module')
def coco128():
    samples = load_dataset(SHARED / 'data' / 'coco128_val2017', 'coco128')
    return samples, [read_rgb(s.image_path) for s in samples]


# COCO128 mAP@[.5:.95] (all 128 images, score threshold 0, cap 10) of the rebuilds, as
# measured on 2026-11-29 (x86_64, ai-edge-litert 2.3.0). The same run with XNNPACK off
# (other kernels) moved them by at most 0.001; the tolerance is four times that. Without
# the pixel-true anchor size they fall to 0.002 (160) and 0.048 (224); without the
# centre-offset shift to 0.096 and 0.150: both corrections are guarded.
EXPECTED_MAP = {160: 0.107, 224: 0.168}
MAP_TOLERANCE = 0.004


@pytest.mark.parametrize('resolution', sorted(EXPECTED_MAP))
def test_rebuilt_resolutions_keep_their_measured_accuracy(built, coco128, resolution):
    out, infos = built
    detector = Detector(out / infos[resolution].name / 'detect.tflite')
    samples, images = coco128
    keep = FrameSettings(DetectionFilter(score_threshold=0.0))
    result = evaluate(
        samples,
        {
            s.image_path.name: detector.detect(im, keep).detections
            for s, im in zip(samples, images)
        },
    )
    assert result.map == pytest.approx(EXPECTED_MAP[resolution], abs=MAP_TOLERANCE)


def test_built_128_finds_a_pedestrian_where_the_annotation_has_one(built):
    """
    Tight ground truth.

    The annotated box of a Penn-Fudan pedestrian who fills a fifth of the frame, on its right side
    (a swapped axis or a wrong anchor size would miss it).
    """
    out, infos = built
    info = infos[128]
    assert (info.resolution, info.details['anchors'], info.max_detections) == (128, 330, 10)
    detector = Detector(out / info.name / 'detect.tflite')
    assert detector.input_size == (128, 128)
    sample = next(
        s
        for s in load_dataset(SHARED / 'data' / 'pennfudan_dev', 'pennfudan')
        if s.image_path.name == 'FudanPed00010.png'
    )
    (truth,) = sample.objects
    people = [
        d
        for d in detector.detect(
            read_rgb(sample.image_path), FrameSettings(DetectionFilter(0.5))
        ).detections
        if d.label == 'person'
    ]
    assert max(d.bbox.iou(truth.bbox) for d in people) > 0.75
    stats = graph_stats(out / info.name / 'detect.tflite')
    assert (
        stats.macs == info.macs
        and stats.macs < graph_stats(out / infos[300].name / 'detect.tflite').macs / 4
    )


def test_model_json_records_the_measured_width_and_lookup_uses_it(built, monkeypatch):
    out, infos = built
    assert infos[128].name == 'ssd_mobilenet_v1_0.75_128_quant_coco'
    record = json.loads((out / infos[128].name / 'model.json').read_text())
    assert record['alpha'] == 0.75 and record['first_conv_channels'] == 24
    assert (
        record['resolution'] == 128 and record['source_resolution'] == 300 and record['macs'] > 0
    )
    assert (
        'sha256:' + record['source_sha256'] == zoo.DEFAULT_ENTRY.digest
        and 'reused' in record['calibration']
    )
    monkeypatch.setenv('MOBILENET_SSD_MODEL_DIR', str(out))
    found = zoo.find(0.75, 128)
    assert (
        found.model_path == out / infos[128].name / 'detect.tflite' and found.labels_path.is_file()
    )
    detector = zoo.open_detector(resolution=128)
    assert (detector.model_id, detector.alpha) == (infos[128].name, 0.75)
    assert zoo.find(0.75, 300).entry is zoo.DEFAULT_ENTRY  # the release wins over a rebuild
    assert (0.75, 160) in zoo.available_pairs()


def test_build_from_an_explicit_source_file(tmp_path, model_path):
    source = tmp_path / 'src' / 'my_ssd.tflite'
    source.parent.mkdir()
    shutil.copy(model_path, source)
    shutil.copy(model_path.parent / 'labelmap.txt', source.parent / 'labelmap.txt')
    info = build(192, output=tmp_path / 'zoo', source=source_file(source))
    assert (info.name, info.alpha, info.source) == (
        'ssd_mobilenet_v1_0.75_192_quant_coco',
        0.75,
        'my_ssd',
    )
    assert (tmp_path / 'zoo' / info.name / 'labelmap.txt').is_file()
    with pytest.raises(BuildError, match='no such source model'):
        source_file(tmp_path / 'missing.tflite')
    with pytest.raises(
        zoo.ModelNotAvailableError,
        match=r'no source of width 1: ssd_mobilenet_v1_coco_quant_postprocess is not on this',
    ) as missing:
        source_for_alpha(1.0)
    assert missing.value.command == ('models', '--download')
    with pytest.raises(BuildError, match='no release has width 0.5'):
        source_for_alpha(0.5)


def test_another_source_never_overwrites_a_built_model(tmp_path, model_path, model_bytes):
    """
    Names carry the measured width.

    A different source of the same width and resolution is refused instead of silently replacing
    the first build.
    """
    build(128, output=tmp_path)
    other = tmp_path / 'other.tflite'
    other.write_bytes(model_bytes[:-4] + b'\0\0\0\0')  # same graph, other bytes (a retrained copy)
    with pytest.raises(BuildError, match='holds a model built from another source'):
        build(128, output=tmp_path, source=source_file(other))
    assert (
        build(128, output=tmp_path).name == 'ssd_mobilenet_v1_0.75_128_quant_coco'
    )  # the same source: fine


def test_max_detections_lifts_the_cap(tmp_path):
    info = build(300, max_detections=50, output=tmp_path)
    assert info.name == 'ssd_mobilenet_v1_0.75_300_quant_coco_max50'
    detector = Detector(tmp_path / info.name / 'detect.tflite')
    assert detector.model.info.max_detections == 50
    assert (
        len(
            detector.detect(
                read_rgb(SAMPLES / 'kite_and_cold.jpg'), FrameSettings(DetectionFilter(0.0))
            ).detections
        )
        == 50
    )


@pytest.mark.parametrize('resolution', [16, 0, -300, 2048])
def test_impossible_resolutions(resolution, model_bytes):
    with pytest.raises(BuildError, match='resolution must be an integer from 32 to 1024'):
        edit_model(model_bytes, resolution)


def test_bad_requests_are_clear(model_bytes, monkeypatch, tmp_path, capsys):
    with pytest.raises(BuildError, match='max_detections must be at least 1'):
        edit_model(model_bytes, 300, max_detections=0)
    assert cli.main(['zoo', 'build', '--resolution', '8', '--output', str(tmp_path)]) == 2
    assert 'resolution must be an integer' in capsys.readouterr().err
    import ai_edge_litert

    monkeypatch.setitem(
        sys.modules, 'ai_edge_litert.schema_py_generated', None
    )  # as with tflite_runtime
    monkeypatch.delattr(ai_edge_litert, 'schema_py_generated')
    with pytest.raises(SchemaNotFoundError, match='needs the ai-edge-litert package'):
        edit_model(model_bytes, 128)


def test_cli_builds_a_list(tmp_path, capsys):
    assert cli.main(['zoo', 'build', '--resolutions', '160,192', '--output', str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert (
        'built ssd_mobilenet_v1_0.75_160_quant_coco: alpha 0.75 (measured), 160x160' in out
        and '192x192' in out
    )
    for resolution in (160, 192):  # each folder holds a model that takes that size
        built = tmp_path / f'ssd_mobilenet_v1_0.75_{resolution}_quant_coco' / 'detect.tflite'
        assert Detector(built).input_size == (resolution, resolution)
    assert (
        cli.main(
            ['zoo', 'build', '--resolution', '160', '--alpha', '1.0', '--output', str(tmp_path)]
        )
        == 2
    )
    command = places.cli_command()  # a pip install's console script, or ros2 run under colcon
    hint = f'releases here: (alpha 0.75, resolution 300); get it: `{command} models --download`'
    assert hint in capsys.readouterr().err


SHIPPED_FOLDERS = [f.parent for f in (REPO / 'models').glob('*/model.json')]


def test_zoo_report_has_latency_map_and_rpc_per_model(tmp_path, monkeypatch):
    """
    Make a small report: two resolutions, trained 160 models of widths 0.75 and 0.5.

    Every column is filled.

    The trained model sits beside the rebuild of its resolution, with its cost to make.
    """
    pytest.importorskip('torch', reason='PyTorch is not installed (requirements/train.txt)')
    from mobilenet_ssd_ros.bench import zoo_report
    from mobilenet_ssd_ros.bench.plots import plot_zoo

    monkeypatch.setenv('MOBILENET_SSD_MODEL_DIR', str(tmp_path / 'cache'))
    trained = tmp_path / 'trained'
    args = ['--resolution', '160', '--batch', '2', '--images', '4', '--steps', '1']
    assert cli.main(['train', *args, '--output', str(trained / 'distilled_160')]) == 0
    narrow = ['--width', '0.5', '--output', str(trained / 'narrow_160')]
    assert cli.main(['train', *args, *narrow]) == 0
    result = zoo_report.report(
        (160, 300),
        limit=2,
        frames=2,
        rounds=1,
        robustness_images=2,
        corruptions=('fog',),
        severities=(1, 5),
        extra_dirs=[trained],
    )
    rows = {row['name']: row for row in result['rows']}
    shipped = {  # the package's own trained 160 models are found too, beside the new ones
        info.name: info
        for info in map(zoo.ModelMetadata.read, SHIPPED_FOLDERS)
        if info.resolution == 160
    }
    assert set(rows) == {
        'ssd_mobilenet_v1_0.75_160_quant_coco',
        'distilled_160',
        'narrow_160',
        'ssd_mobilenet_v1_0.75_300_quant_coco',
        *shipped,
    }
    rebuilt_160, rebuilt_300 = (rows[f'ssd_mobilenet_v1_0.75_{r}_quant_coco'] for r in (160, 300))
    assert rebuilt_300['latency_ratio_to_300'] == 1.0
    assert rows['distilled_160']['cost']['steps'] == 1  # its own row, not a shipped model's
    for name, info in shipped.items():
        assert rows[name]['cost']['steps'] == info.details['steps']
    assert rows['distilled_160']['map_cap100'] is None  # the cap 100 build: rebuilds only
    assert rows['distilled_160']['macs'] == rebuilt_160['macs']  # same graph
    assert rows['narrow_160']['macs'] < 0.6 * rebuilt_160['macs']
    for name, row in rows.items():
        # rPC is mPC over the clean mAP of the same images, which the mAP columns measured
        clean = row['map_cap10']['coco128_val2017']['mAP']
        if clean > 0:
            assert row['rPC'] == pytest.approx(row['mPC'] / clean)
        else:  # the 0.5 student, one step from its ImageNet start, finds nothing on 2 images
            assert name == 'narrow_160' and math.isnan(row['rPC'])
    table = zoo_report.format_markdown(result)
    lines = table.splitlines()
    assert lines[0].endswith('| rPC | cost to make |')
    assert len(lines) == 9 + len(rows)  # header, rule, the models, blank, 2 x 3 picks
    assert lines[-1].startswith('- 20 FPS on a Pi 4 (32-bit OS): ')
    assert '| 0.5 | 160 | trained' in table and '1 steps' in table
    same_key = ['distilled_160', *(n for n, i in shipped.items() if i.alpha == 0.75)]
    for name in same_key:  # two trained 0.75 x 160 rows: each says which model it is
        assert (f'| 0.75 | 160 | trained ({name})' in table) == (len(same_key) > 1), name
    assert result['robustness'] == {'images': 2, 'corruptions': ['fog'], 'severities': [1, 5]}
    assert plot_zoo(result, tmp_path / 'zoo.png').stat().st_size > 0


def test_pareto_front_and_pi4_recommendations():
    """A model slower and less accurate than another is off the front; targets pick by mAP."""
    from mobilenet_ssd_ros.bench import zoo_report

    def row(name, latency, value):
        sets = {n: {'mAP': value} for n, _ in zoo_report.DATASETS}
        return {'name': name, 'latency_ratio_to_300': latency, 'map_cap10': sets}

    fast, slow_good, dominated = row('fast', 0.3, 0.10), row('good', 1.0, 0.30), row('x', 1.1, 0.2)
    rows = [fast, slow_good, dominated]
    assert zoo_report.pareto_front(rows) == [fast, slow_good]
    # Pi 4 estimate: 1000 / (42 ms x ratio + 3 ms): 64 FPS, 22 FPS, 20 FPS
    assert round(zoo_report.pi4_fps(fast)) == 64 and round(zoo_report.pi4_fps(slow_good)) == 22
    picks = zoo_report.recommend(rows, targets=(20, 30, 100))
    assert picks[20] is slow_good and picks[30] is fast and picks[100] is None
    slower_pi = zoo_report.recommend(rows, targets=(20,), invoke_300_ms=83.0)
    assert slower_pi[20] is fast  # 1000 / (83 + 3) = 11.6 FPS for the 300 model
