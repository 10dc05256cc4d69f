"""
/diagnostics for one camera: a pure function from its counters to a DiagnosticStatus.

WARN when frames were bad since start-up, or when most frames of the last second had an
image the model cannot be trusted on (dark, saturated, uniform); OK with the state's
name when the node is not active. The values are what an operator looks at first: fps,
latency, frames received, dropped, lost and deserialized, the model, the enhancement and
the image quality of the last frame.
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

from collections.abc import Mapping

from diagnostic_msgs.msg import DiagnosticStatus, KeyValue

from .camera import Snapshot

UNUSABLE_SHARE = 0.5  # WARN when more frames than this are not 'ok'


def camera_status(
    name: str,
    topic: str,
    counts: Snapshot,
    state: str,
    elapsed_s: float,
    context: Mapping[str, str],
) -> DiagnosticStatus:
    """
    Return the status of one camera over the last `elapsed_s` seconds.

    `context` holds the values that are the node's, not the camera's, in their order:
    transport, executor, frames_deserialized, model, enhance (and, with variant auto, fog:
    whether the camera runs the fog model; with tracking on, active_tracks: the camera's live
    tracks).
    """
    status = DiagnosticStatus(name=name, hardware_id=topic)
    processed = counts.processed
    total_errors = sum(counts.errors.values())
    unusable = {v: n for v, n in counts.verdicts.items() if v not in ('ok', 'unknown')}
    problems = []
    if total_errors:
        problems.append(f'{total_errors} bad frame(s)')
    if processed and sum(unusable.values()) > UNUSABLE_SHARE * processed:
        worst = max(unusable, key=unusable.get)
        problems.append(
            f'image unusable ({worst}): {sum(unusable.values())} of {processed} frames'
        )
    if state != 'active':
        status.level, status.message = DiagnosticStatus.OK, state
    elif problems:
        status.level, status.message = DiagnosticStatus.WARN, '; '.join(problems)
    else:
        status.level, status.message = DiagnosticStatus.OK, 'running'
    quality = counts.quality
    values = {
        'state': state,
        'fps': f'{processed / max(elapsed_s, 1e-6):.2f}',
        'latency_ms': f'{counts.latency_ms_sum / processed:.1f}' if processed else 'nan',
        'frames_received': str(counts.received),
        'frames_dropped': str(counts.dropped),
        'transport': context['transport'],
        'executor': context['executor'],
        'frames_deserialized': context['frames_deserialized'],
        'frames_lost': str(counts.lost),
        'model': context['model'],
        'enhance': context['enhance'],
        **({'fog': context['fog']} if context.get('fog') else {}),
        **({'active_tracks': context['active_tracks']} if context.get('active_tracks') else {}),
        'frames_enhanced': str(counts.enhanced),
        **{f'image_{v}': str(n) for v, n in sorted(counts.verdicts.items())},
        **(
            {
                'brightness': f'{quality.brightness:.3f}',
                'contrast': f'{quality.contrast:.3f}',
                'haze': f'{quality.haze:.3f}',
            }
            if quality
            else {}
        ),
        **{f'errors_{kind}': str(count) for kind, count in sorted(counts.errors.items())},
    }
    status.values = [KeyValue(key=k, value=v) for k, v in values.items()]
    return status
