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

"""
Compare offline/corruptions.py with the reference `imagecorruptions` 1.1.2, image by image.

The reference needs an environment of its own (pkg_resources, scikit-image, scipy):

    python3.11 -m venv /tmp/icv
    /tmp/icv/bin/pip install numpy opencv-python-headless scikit-image scipy pillow \
        'setuptools<81'
    /tmp/icv/bin/pip install --no-deps imagecorruptions==1.1.2
    /tmp/icv/bin/python tools/corruptions_vs_reference.py ../shared/data/coco128_val2017/images

Two of its functions fail on current libraries (glass_blur: scikit-image's removed
`multichannel`; fog: numpy's removed `np.float_`); for this comparison only, they are
patched back in the reference. Prints, per corruption and severity, the mean absolute
difference (grey levels) between the two on the same seed, and both images' mean and std.
"""

import importlib.util
from pathlib import Path
import sys
import warnings

import cv2
import numpy as np

warnings.filterwarnings('ignore')
np.float_ = np.float64  # the reference's fog needs numpy 1's alias
from imagecorruptions import corrupt as reference_corrupt  # noqa: E402, I100
import imagecorruptions.corruptions as reference  # noqa: E402, I100
from skimage.filters import gaussian  # noqa: E402, I100


def _gaussian(x, sigma, multichannel=False, **kwargs):
    return gaussian(x, sigma=sigma, channel_axis=-1 if multichannel else None, **kwargs)


reference.gaussian = _gaussian
_spec = importlib.util.spec_from_file_location(
    'corruptions', Path(__file__).resolve().parents[1] / 'mobilenet_ssd_ros/offline/corruptions.py'
)
ours = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ours)


def main(folder: str, count: int = 3) -> None:
    """Print the comparison for the first `count` images of `folder`."""
    files = sorted(Path(folder).glob('*.jpg'))[:count]
    images = [cv2.cvtColor(cv2.imread(str(f)), cv2.COLOR_BGR2RGB) for f in files]
    print(f'{"corruption":<18} sev  |ours-ref|  mean ours/ref    std ours/ref')
    for name in ours.NAMES:
        for severity in ours.SEVERITIES:
            rows = []
            for seed, image in enumerate(images):
                mine = ours.corrupt(image, name, severity, seed=seed).astype(float)
                np.random.seed(seed)
                theirs = reference_corrupt(image, corruption_name=name, severity=severity)
                rows.append(
                    (
                        np.abs(mine - theirs).mean(),
                        mine.mean(),
                        theirs.mean(),
                        mine.std(),
                        theirs.std(),
                    )
                )
            d, m1, m2, s1, s2 = np.mean(rows, axis=0)
            print(f'{name:<18} {severity}   {d:8.2f}   {m1:6.1f}/{m2:6.1f}   {s1:6.1f}/{s2:6.1f}')


if __name__ == '__main__':
    main(sys.argv[1])
