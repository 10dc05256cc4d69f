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

"""The cross-platform comparison of two `detect --json` runs: what it excuses, what not."""

from __future__ import annotations

import json

from mobilenet_ssd_ros.offline.crosscheck import compare, main, SCORE_STEP, Tolerance


def det(label: str, score: float, box=(10.0, 10.0, 110.0, 110.0)) -> dict:
    return {'label': label, 'class_id': 0, 'score': score, 'bbox': list(box)}


TOL = Tolerance()


def test_the_same_objects_a_few_steps_apart_agree():
    reference = {'a.jpg': [det('car', 0.70), det('person', 0.40)]}
    candidate = {'a.jpg': [det('car', 0.70 + 5 * SCORE_STEP, (11, 10, 111, 111))]}
    problems, summary = compare(reference, candidate, TOL)
    assert problems == []
    assert summary['matched'] == 1 and 4.9 < summary['max_score_steps'] < 5.1


def test_a_score_beyond_the_tolerance_is_a_mismatch():
    problems, _ = compare(
        {'a.jpg': [det('car', 0.70)]}, {'a.jpg': [det('car', 0.70 + 7 * SCORE_STEP)]}, TOL
    )
    assert len(problems) == 1 and '7.0 steps > 6' in problems[0]
    # above the threshold only on the candidate's side: caught from there
    problems, _ = compare({'a.jpg': [det('car', 0.45)]}, {'a.jpg': [det('car', 0.55)]}, TOL)
    assert len(problems) == 1 and '(candidate) scored 0.450' in problems[0]


def test_another_label_or_a_moved_box_is_a_mismatch():
    moved = (30.0, 10.0, 130.0, 110.0)  # IoU 0.67
    for candidate in ([det('truck', 0.70)], [det('car', 0.70, moved)], []):
        problems, _ = compare({'a.jpg': [det('car', 0.70)]}, {'a.jpg': candidate}, TOL)
        assert problems and 'has no match on the other side' in problems[0], candidate


def test_an_object_only_the_candidate_sees_is_a_mismatch():
    problems, _ = compare({'a.jpg': []}, {'a.jpg': [det('dog', 0.9)]}, TOL)
    assert problems == [
        'a.jpg: dog 0.900 at [10, 10, 110, 110] (candidate) has no match on the other side '
        '(no such label, need IoU >= 0.9)'
    ]


def test_a_near_threshold_object_is_compared_below_the_threshold():
    """0.51 on one side, 0.49 on the other: listed in both runs (made at 0.3), so it agrees."""
    problems, _ = compare({'a.jpg': [det('car', 0.51)]}, {'a.jpg': [det('car', 0.49)]}, TOL)
    assert problems == []


def test_a_near_tie_cut_by_a_full_list_is_excused_a_clear_loss_is_not():
    full = [det('kite', 0.60, (i * 200, 0, i * 200 + 100, 100)) for i in range(10)]
    near = det('kite', 0.60 + 2 * SCORE_STEP, (5000, 0, 5100, 100))
    assert compare({'a.jpg': [*full[:9], near]}, {'a.jpg': full}, TOL)[0] == []
    far = det('kite', 0.9, (5000, 0, 5100, 100))
    assert compare({'a.jpg': [*full[:9], far]}, {'a.jpg': full}, TOL)[0]


def test_images_missing_on_either_side_are_reported():
    problems, _ = compare({'a.jpg': [], 'b.jpg': []}, {'a.jpg': [], 'c.jpg': []}, TOL)
    assert sorted(problems) == [
        'b.jpg: only in the reference run',
        'c.jpg: only in the candidate run',
    ]


def test_command_line_exit_status(tmp_path, capsys):
    def write(name, detections):
        path = tmp_path / name
        path.write_text(json.dumps({'image': 'x/a.jpg', 'detections': detections}) + '\n')
        return str(path)

    same = write('ref.jsonl', [det('car', 0.7)])
    assert main([same, write('ok.jsonl', [det('car', 0.7)])]) == 0
    assert '1 detections >= 0.5 matched' in capsys.readouterr().out
    assert main([same, write('bad.jsonl', [det('car', 0.3)])]) == 1
    assert 'MISMATCH a.jpg: car 0.700' in capsys.readouterr().out
    nothing = write('none.jsonl', [])
    assert main([nothing, nothing]) == 1  # nothing compared proves nothing
