"""Label maps in all three forms, and where the detector takes them from."""
from __future__ import annotations

import io
import zipfile

import pytest
from conftest import MODEL_DIR

from mobilenet_ssd_ros.core.labels import LabelMap
from mobilenet_ssd_ros.core.model import Model


def test_labelmap_txt_with_background_line():
    labels = LabelMap.from_file(MODEL_DIR / "labelmap.txt")
    assert labels[0] == "person"  # line 1: output class 0
    assert labels[2] == "car"
    assert labels[89] == "toothbrush"
    assert 11 not in labels  # `???`: COCO id 12 has no class
    assert len(labels) == 80
    assert labels.name(11) == "class_11"


def test_id_name_form_is_zero_indexed():
    labels = LabelMap.parse("0  person\n1  bicycle\n2  car\n4 airplane\n\n")
    assert dict(labels) == {0: "person", 1: "bicycle", 2: "car", 4: "airplane"}


def test_id_name_form_keeps_multiword_names():
    labels = LabelMap.parse("9: traffic light\n10: fire hydrant")
    assert labels[9] == "traffic light" and labels[10] == "fire hydrant"


def test_plain_lines_without_background():
    labels = LabelMap.parse("person\nbicycle\ncar\n")
    assert dict(labels) == {0: "person", 1: "bicycle", 2: "car"}


def test_ids_for_resolves_and_rejects():
    labels = LabelMap.parse("???\nperson\ncar\n")
    assert labels.ids_for(["car", "person"]) == frozenset({0, 1})
    with pytest.raises(KeyError, match=r"unknown label\(s\) 'cat'; valid labels: car, person"):
        labels.ids_for(["cat"])


def _with_metadata(model_bytes: bytes, text: str) -> bytes:
    """Pack a label file the way the TFLite metadata writer does: a zip appended to the model."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("labelmap.txt", text)
    return model_bytes + buf.getvalue()


def test_labels_embedded_in_the_model_win_over_a_file_next_to_it(tmp_path, model_bytes):
    model_file = tmp_path / "detect.tflite"
    model_file.write_bytes(_with_metadata(model_bytes, "???\nhuman\nbike\n"))
    (tmp_path / "labelmap.txt").write_text("???\nperson\nbicycle\n")
    model = Model(model_file)
    assert model.info.embedded_labels is not None
    assert model.labels()[0] == "human"
    explicit = tmp_path / "mine.txt"
    explicit.write_text("0 walker\n")
    assert model.labels(explicit)[0] == "walker"


def test_labels_file_next_to_the_model(tmp_path, model_bytes):
    (tmp_path / "detect.tflite").write_bytes(model_bytes)
    (tmp_path / "labels.txt").write_text("0 someone\n")
    assert Model(tmp_path / "detect.tflite").labels()[0] == "someone"


def test_missing_labels_is_a_clear_error(tmp_path, model_bytes):
    (tmp_path / "detect.tflite").write_bytes(model_bytes)
    with pytest.raises(ValueError, match="no label map"):
        Model(tmp_path / "detect.tflite").labels()
