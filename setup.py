"""
pip install of the ROS-free core and the offline CLI (`mobilenet-ssd`).

The ROS 2 node, messages, launch and config files are built with colcon (CMakeLists.txt);
this file only makes the same Python package installable without ROS.
"""

from pathlib import Path

from setuptools import find_packages, setup


def shipped_models() -> list[tuple[str, list[str]]]:
    """List the trained models under models/, for <prefix>/share/mobilenet_ssd_ros/models."""
    root = Path(__file__).resolve().parent
    return [
        (
            f'share/mobilenet_ssd_ros/models/{folder.name}',
            sorted(str(f.relative_to(root)) for f in folder.iterdir() if f.is_file()),
        )
        for folder in sorted((root / 'models').glob('*/'))
        if (folder / 'model.json').is_file()
    ]


setup(
    name='mobilenet_ssd_ros',
    version='0.1.0',
    description='MobileNetV1-SSD (TFLite/LiteRT) object detection core, CLI and ROS 2 node',
    license='Apache-2.0',
    packages=find_packages(include=['mobilenet_ssd_ros', 'mobilenet_ssd_ros.*']),
    python_requires='>=3.10',
    install_requires=[
        'numpy>=1.23',
        'opencv-python-headless>=4.8',
        'ai-edge-litert>=1.2',
        'pycocotools>=2.0.7',
        'PyYAML>=5.4',
        'rosbags>=0.10',
        'rosbags-image>=0.10',
    ],
    extras_require={'train': ['torch>=2.1']},
    data_files=shipped_models(),
    entry_points={'console_scripts': ['mobilenet-ssd = mobilenet_ssd_ros.cli:main']},
)
