"""The zoo builder: exact anchors, models for other resolutions, lookup and errors."""
from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as fb
from conftest import SAMPLES, read_rgb

from mobilenet_ssd_ros import anchors, cli, zoo
from mobilenet_ssd_ros.detection import BBox
from mobilenet_ssd_ros.detector import Detector
from mobilenet_ssd_ros.graph_stats import graph_stats
from mobilenet_ssd_ros.postprocess import DetectionFilter
from mobilenet_ssd_ros.zoo_build import BuildError, build, edit_model


def _embedded_anchors(content: bytes) -> tuple[np.ndarray, float, int]:
    model = fb.ModelT.InitFromPackedBuf(content, 0)
    tensor = next(t for t in model.subgraphs[0].tensors if t.name == b"anchors")
    raw = np.frombuffer(bytes(model.buffers[tensor.buffer].data), np.uint8).reshape(-1, 4)
    return raw, float(tensor.quantization.scale[0]), int(tensor.quantization.zeroPoint[0])


def test_generated_anchors_reproduce_the_embedded_ones(model_bytes):
    raw, scale, zero = _embedded_anchors(model_bytes)
    assert anchors.feature_map_sizes(300) == [19, 10, 5, 3, 2, 1]
    generated = anchors.generate(anchors.feature_map_sizes(300))
    assert generated.shape == raw.shape == (1917, 4)
    dequantized = (raw.astype(np.float64) - zero) * scale
    assert np.abs(generated - dequantized).max() <= scale / 2 + 1e-7  # within half a quantization step
    assert np.array_equal(np.clip(np.round(generated / scale) + zero, 0, 255).astype(np.uint8), raw)
    assert np.array_equal(anchors.for_resolution(300), generated)  # no shift at the trained size


def test_anchor_counts_follow_the_feature_maps():
    assert anchors.feature_map_sizes(128) == [8, 4, 2, 1, 1, 1]
    assert anchors.count(128) == 8 * 8 * 3 + (16 + 4 + 1 + 1 + 1) * 6
    assert anchors.count(384) == len(anchors.for_resolution(384))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("zoo")
    return out, {r: build(r, output=out) for r in (128, 300)}


def test_rebuilt_300_is_the_original(built, model_path):
    out, infos = built
    original, rebuilt = Detector(model_path), Detector(out / infos[300].name / "detect.tflite")
    keep = DetectionFilter(score_threshold=0.0)
    for path in sorted(SAMPLES.glob("*.*")):
        rgb = read_rgb(path)
        assert rebuilt.detect(rgb, keep) == original.detect(rgb, keep), path.name


def test_built_128_runs_and_finds_grace_hopper(built):
    out, infos = built
    info = infos[128]
    assert (info.resolution, info.anchors, info.max_detections) == (128, 330, 10)
    detector = Detector(out / info.name / "detect.tflite")
    assert detector.input_size == (128, 128)
    best = detector.detect(read_rgb(SAMPLES / "grace_hopper.bmp"), DetectionFilter(0.5))[0]
    figure = BBox(0, 20, 512, 600)  # the eye-checked box of test_detector
    assert best.label == "person"
    inside = BBox(max(best.bbox.xmin, figure.xmin), max(best.bbox.ymin, figure.ymin),
                  min(best.bbox.xmax, figure.xmax), min(best.bbox.ymax, figure.ymax)).area / best.bbox.area
    assert inside > 0.95
    stats = graph_stats(out / info.name / "detect.tflite")
    assert stats.macs == info.macs and stats.macs < graph_stats(out / infos[300].name / "detect.tflite").macs / 4


def test_manifest_entry_and_lookup(built, monkeypatch):
    out, infos = built
    record = json.loads((out / infos[128].name / "model.json").read_text())
    assert record["resolution"] == 128 and record["alpha"] == 1.0 and record["macs"] > 0
    assert record["source_sha256"] == zoo.DEFAULT_ENTRY.sha256 and "reused" in record["calibration"]
    monkeypatch.setenv("MOBILENET_SSD_MODEL_DIR", str(out))
    found = zoo.find(1.0, 128)
    assert found.model_path == out / infos[128].name / "detect.tflite" and found.labels_path.is_file()
    assert Detector(resolution=128).model_id == infos[128].name
    assert zoo.find(1.0, 300).entry is zoo.DEFAULT_ENTRY  # the release wins over a rebuild


def test_max_detections_lifts_the_cap(tmp_path):
    info = build(300, max_detections=50, output=tmp_path)
    detector = Detector(tmp_path / info.name / "detect.tflite")
    assert detector.model.info.max_detections == 50
    assert len(detector.detect(read_rgb(SAMPLES / "kite_and_cold.jpg"), DetectionFilter(0.0))) == 50


@pytest.mark.parametrize("resolution", [16, 0, -300, 2048])
def test_impossible_resolutions(resolution, model_bytes):
    with pytest.raises(BuildError, match="resolution must be an integer from 32 to 1024"):
        edit_model(model_bytes, resolution)


def test_bad_requests_are_clear(model_bytes, monkeypatch, tmp_path, capsys):
    with pytest.raises(BuildError, match="max_detections must be at least 1"):
        edit_model(model_bytes, 300, max_detections=0)
    assert cli.main(["zoo", "build", "--resolution", "8", "--output", str(tmp_path)]) == 2
    assert "resolution must be an integer" in capsys.readouterr().err
    import ai_edge_litert

    monkeypatch.setitem(sys.modules, "ai_edge_litert.schema_py_generated", None)  # as with tflite_runtime
    monkeypatch.delattr(ai_edge_litert, "schema_py_generated")
    with pytest.raises(BuildError, match="needs ai-edge-litert"):
        edit_model(model_bytes, 128)


def test_cli_builds_a_list(tmp_path, capsys):
    assert cli.main(["zoo", "build", "--resolutions", "160,192", "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "built ssd_mobilenet_v1_1_160_quant_coco: 160x160" in out and "192x192" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ssd_mobilenet_v1_1_160_quant_coco",
                                                         "ssd_mobilenet_v1_1_192_quant_coco"]
