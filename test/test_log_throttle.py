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

"""The per-kind log throttle of the node (no ROS needed)."""

from __future__ import annotations

from mobilenet_ssd_ros.ros.log_throttle import KindThrottle


def test_each_kind_has_its_own_period_and_counts_what_it_held_back():
    now = [100.0]
    throttle = KindThrottle(5.0, clock=lambda: now[0])
    assert throttle.allow('front/truncated') == 0
    assert throttle.allow('front/truncated') is None
    assert throttle.allow('front/too_large') == 0  # another kind is not held back by the first
    now[0] += 4.9
    assert throttle.allow('front/truncated') is None
    now[0] += 0.2
    assert throttle.allow('front/truncated') == 2  # two were suppressed in between
    assert throttle.allow('front/truncated') is None
