"""PNG plots of benchmark results (matplotlib, no display needed)."""

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

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402


def _finish(fig, axes, path: Path, **legend) -> Path:
    """Grid and legend on every axis, then a tight PNG."""
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(**{'fontsize': 8, **legend})
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_sweep(result: dict, path: Path) -> Path:
    """Latency against MACs, one marker per threads/XNNPACK setting."""
    fig, ax = plt.subplots(figsize=(6, 4))
    settings = sorted({(r['threads'], r['xnnpack']) for r in result['rows']})
    for threads, xnn in settings:
        rows = [r for r in result['rows'] if (r['threads'], r['xnnpack']) == (threads, xnn)]
        ax.plot(
            [r['macs'] / 1e9 for r in rows],
            [r['latency_ms'] for r in rows],
            'o' if xnn else 'x',
            label=f'{threads} thread{"s" if threads > 1 else ""}, '
            f'XNNPACK {"on" if xnn else "off"}',
        )
        for r in rows:
            ax.annotate(
                f'{r["alpha"]:g}/{r["resolution"]}',
                (r['macs'] / 1e9, r['latency_ms']),
                textcoords='offset points',
                xytext=(4, 4),
                fontsize=7,
            )
    ax.set_xlabel('GMACs (from the model graph)')
    ax.set_ylabel('detect() latency, ms (640x480 frame)')
    ax.set_title('Latency against MACs')
    return _finish(fig, [ax], path)


def plot_node_latency(result: dict, path: Path) -> Path:
    """Latency of every output message over the run: newest-frame node vs naive node."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=False)
    for ax, suffix in zip(axes, ('', '_saturated'), strict=True):
        for name, style in ((f'ours_rgb8{suffix}', '-'), (f'naive_rgb8{suffix}', '--')):
            series = result['scenarios'].get(name, {}).get('latency_series_ms', [])
            ax.plot(range(len(series)), series, style, linewidth=0.8, label=name)
        hz = (
            next(iter(result['scenarios'].values()))['input_hz']
            if not suffix
            else result['scenarios'][f'ours_rgb8{suffix}']['input_hz']
        )
        ax.set_title(f'input {hz:.0f} Hz')
        ax.set_xlabel('output message')
        ax.set_ylabel('latency, ms (image stamp to receipt)')
        ax.set_yscale('log')
    return _finish(fig, axes, path)


def plot_core(result: dict, path: Path) -> Path:
    """Where the per-frame time goes, ours vs the reference pipeline."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    labels, y = [], 0
    colors = {
        'convert': 'tab:orange',
        'resize': 'tab:blue',
        'invoke': 'tab:gray',
        'postprocess': 'tab:green',
    }
    for size, r in result['sizes'].items():
        for who, parts in (
            (
                'ours',
                {
                    'convert': r['breakdown_ours_ms']['convert_rgb8'],
                    **{k: r['breakdown_ours_ms'][k] for k in ('resize', 'invoke', 'postprocess')},
                },
            ),
            ('reference', r['breakdown_reference_ms']),
        ):
            left = 0.0
            for stage, ms in parts.items():
                ax.barh(y, ms, left=left, color=colors[stage], label=stage if y == 0 else None)
                left += ms
            labels.append(f'{who} {size}')
            y += 1
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel('ms per frame (medians)')
    return _finish(fig, [ax], path, loc='upper center', bbox_to_anchor=(0.5, -0.18), ncol=4)


def plot_zoo(result: dict, path: Path) -> Path:
    """
    Plot mAP against latency (relative to the 300 model) for every model of the report.

    Per dataset, the untrained rebuilds form a line (solid with the 10-detection cap, dashed
    without) and the trained models are filled stars in the same colour, so what training
    bought at the same latency reads off vertically.
    """
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    rows = result['rows']
    datasets = list(rows[0]['map_cap10'])
    rebuilt = sorted((r for r in rows if r['kind'] == 'rebuilt'), key=lambda r: r['resolution'])
    trained = [r for r in rows if r['kind'] != 'rebuilt']
    for name in datasets:
        xs = [r['latency_ratio_to_300'] for r in rebuilt]
        (line,) = ax.plot(
            xs, [r['map_cap10'][name]['mAP'] for r in rebuilt], 'o-', markersize=4, label=name
        )
        uncapped = [r for r in rebuilt if r['map_cap100']]
        if uncapped:
            ax.plot(
                [r['latency_ratio_to_300'] for r in uncapped],
                [r['map_cap100'][name]['mAP'] for r in uncapped],
                's--',
                color=line.get_color(),
                markersize=3,
                alpha=0.6,
                label=f'{name} (cap 100)',
            )
        if trained:
            ax.plot(
                [r['latency_ratio_to_300'] for r in trained],
                [r['map_cap10'][name]['mAP'] for r in trained],
                '*',
                color=line.get_color(),
                markersize=11,
                label=f'{name}, trained',
            )
    for row in rebuilt + trained:
        ax.annotate(
            f'{row["alpha"]:g}/{row["resolution"]}'
            + (f' {row["kind"]}' if row['kind'] != 'rebuilt' else ''),
            (row['latency_ratio_to_300'], row['map_cap10'][datasets[0]]['mAP']),
            textcoords='offset points',
            xytext=(3, 4),
            fontsize=7,
        )
    ax.set_xlabel('latency relative to the 300x300 model (same run)')
    ax.set_ylabel('mAP@[.5:.95]')
    return _finish(fig, [ax], path, fontsize=7)
