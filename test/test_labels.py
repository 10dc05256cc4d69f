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

"""Label maps in all three forms, and where the detector takes them from."""

from __future__ import annotations

import io
import zipfile

from conftest import MODEL_DIR
from mobilenet_ssd_ros.core.labels import LabelMap, LabelMapError
from mobilenet_ssd_ros.core.model import Model
import pytest


def test_labelmap_txt_with_background_line():
    labels = LabelMap.from_file(MODEL_DIR / 'labelmap.txt')
    assert labels[0] == 'person'  # line 1: output class 0
    assert labels[2] == 'car'
    assert labels[89] == 'toothbrush'
    assert 11 not in labels  # `???`: COCO id 12 has no class
    assert len(labels) == 80
    assert labels.name(11) == 'class_11'


def test_id_name_form_is_zero_indexed():
    labels = LabelMap.parse('0  person\n1  bicycle\n2  car\n4 airplane\n\n')
    assert dict(labels) == {0: 'person', 1: 'bicycle', 2: 'car', 4: 'airplane'}


def test_id_name_form_keeps_multiword_names():
    labels = LabelMap.parse('9: traffic light\n10: fire hydrant')
    assert labels[9] == 'traffic light' and labels[10] == 'fire hydrant'


def test_plain_lines_without_background():
    labels = LabelMap.parse('person\nbicycle\ncar\n')
    assert dict(labels) == {0: 'person', 1: 'bicycle', 2: 'car'}


def test_ids_for_resolves_and_rejects():
    labels = LabelMap.parse('???\nperson\ncar\n')
    assert labels.ids_for(['car', 'person']) == frozenset({0, 1})
    with pytest.raises(KeyError, match=r"unknown label\(s\) 'cat'; valid labels: car, person"):
        labels.ids_for(['cat'])


def _with_metadata(model_bytes: bytes, text: str) -> bytes:
    """Pack a label file the way the TFLite metadata writer does: a zip appended to the model."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as z:
        z.writestr('labelmap.txt', text)
    return model_bytes + buf.getvalue()


def test_labels_embedded_in_the_model_win_over_a_file_next_to_it(tmp_path, model_bytes):
    model_file = tmp_path / 'detect.tflite'
    model_file.write_bytes(_with_metadata(model_bytes, '???\nhuman\nbike\n' + 'thing\n' * 88))
    (tmp_path / 'labelmap.txt').write_text('???\nperson\nbicycle\n')
    model = Model(model_file)
    assert model.info.embedded_labels is not None
    assert model.labels()[0] == 'human'
    explicit = tmp_path / 'mine.txt'
    explicit.write_text('0 walker\n89 toothbrush\n')
    assert model.labels(explicit)[0] == 'walker'


def test_labels_file_next_to_the_model(tmp_path, model_bytes):
    (tmp_path / 'detect.tflite').write_bytes(model_bytes)
    (tmp_path / 'labels.txt').write_text('0 someone\n89 toothbrush\n')
    assert Model(tmp_path / 'detect.tflite').labels()[0] == 'someone'


def test_missing_labels_is_a_clear_error(tmp_path, model_bytes):
    (tmp_path / 'detect.tflite').write_bytes(model_bytes)
    with pytest.raises(ValueError, match='no label map'):
        Model(tmp_path / 'detect.tflite').labels()


def test_label_files_that_are_not_label_maps_are_rejected(tmp_path, model_bytes):
    (tmp_path / 'detect.tflite').write_bytes(model_bytes)
    model = Model(tmp_path / 'detect.tflite')
    passwd = tmp_path / 'passwd'
    passwd.write_text(
        ''.join(f'user{i}:x:{1000 + i}:{1000 + i}::/home/user{i}:/bin/sh\n' for i in range(20))
    )
    with pytest.raises(
        LabelMapError, match='passwd: the label map names 20 class ids, the model outputs 90'
    ):
        model.labels(passwd)
    empty = tmp_path / 'empty.txt'
    empty.write_text('\n\n')
    with pytest.raises(LabelMapError, match='empty.txt: the label map is empty'):
        model.labels(empty)
    binary = tmp_path / 'binary.txt'
    binary.write_bytes(bytes(range(256)))
    with pytest.raises(LabelMapError, match='not a label map \\(not UTF-8 text\\)'):
        model.labels(binary)
    with pytest.raises(
        LabelMapError, match='cannot read the label file: No such file or directory'
    ):
        model.labels(tmp_path / 'missing.txt')
    with pytest.raises(LabelMapError, match='cannot read the label file: Is a directory'):
        model.labels(tmp_path)
    long = tmp_path / 'long.txt'
    long.write_text('x' * 100 + '\n' + 'person\n' * 89)
    with pytest.raises(LabelMapError, match='longer than 64 characters'):
        model.labels(long)


def test_unknown_names_are_listed_boundedly():
    labels = LabelMap.parse('???\nperson\ncar\n')
    with pytest.raises(KeyError) as info:
        labels.ids_for([f'unicorn{i}' for i in range(10_000)])
    message = str(info.value.args[0])
    assert "'unicorn0'" in message and 'and 9990 more' in message and len(message) < 500
