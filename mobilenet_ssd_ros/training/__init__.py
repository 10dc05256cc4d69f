"""
Layer 5, making models: distil the detector into a student and export it (needs PyTorch).

`train` runs one distillation; `config` what decides a run, `pools` the training images
and how often each is drawn, `teachers` the targets and the loss of each kind of run,
`checkpoint` how a run stops and resumes; `replica` is the trainable float copy of the
uint8 graph, `export` writes it back as uint8, `targets` the distillation losses,
`width` a student of another width, `weather` synthetic bad weather, `teacher` the uint8
teacher. May import places, core/, zoo/, convert/ and offline/; nothing of ROS.
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
