"""
Layer 6, the CLI: `mobilenet-ssd`, the offline command line on the same core as the node.

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
                     [--ground-truth DIR --format F] [--tracking]
mobilenet-ssd track SEQUENCE_DIR [--every N] [--json] [--save FILE]
mobilenet-ssd bench [--suite core|node|sweep|soak|all] [--smoke] [--json FILE] [--plots DIR]
mobilenet-ssd zoo build --resolution R | --resolutions R,R,... [--source FILE | --alpha A]
mobilenet-ssd zoo report [--resolutions R,...] [--json FILE] [--plot FILE]

One module per command group, each defining its options next to the code that reads them
(detect, evaluation, bags, tracking, models, training, bench; model_options for the options they
share). May import every layer. The optional tools (rosbags, pycocotools, PyYAML,
matplotlib, PyTorch) are imported by the commands that use them, so that the core
requirements alone run `detect` (on a Pi).
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

import argparse
from collections.abc import Sequence
import sys

from . import bags, bench, detect, evaluation, models, tracking, training
from .. import zoo
from ..core.model import ModelError
from ..offline.datasets import DatasetError
from ..places import cli_command
from ..zoo.download import ModelDownloadError

COMMANDS = (detect, evaluation, bags, tracking, bench, models, training)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of every command."""
    parser = argparse.ArgumentParser(
        prog='mobilenet-ssd', description='the offline command line on the same core as the node'
    )
    sub = parser.add_subparsers(dest='command', required=True)
    for command in COMMANDS:
        command.add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit 2 with a one-line reason for every error a user can cause."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except zoo.ModelNotAvailableError as exc:
        print(f'error: {exc.hint(cli_command())}', file=sys.stderr)
        return 2
    except (
        ModelError,
        ModelDownloadError,
        DatasetError,
        KeyError,
        ValueError,
        ImportError,
    ) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f'error: {message}', file=sys.stderr)
        return 2
