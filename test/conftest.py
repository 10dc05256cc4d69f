"""Shared fixtures: the project's shared data (../shared, or $MOBILENET_SSD_SHARED_DIR)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # test helpers (tflite_builder)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MOBILENET_SSD_SHARED_DIR", REPO.parent / "shared"))
MODEL_DIR = SHARED / "models" / "ssd_mobilenet_v1_1.0_quant_coco"
SAMPLES = SHARED / "data" / "samples"


def pytest_configure(config):
    if not (MODEL_DIR / "detect.tflite").is_file():
        raise pytest.UsageError(
            f"shared data not found at {SHARED}: the tests need the pretrained model and images "
            "(clone next to ../shared or set MOBILENET_SSD_SHARED_DIR)"
        )


@pytest.fixture(scope="session")
def model_path() -> Path:
    return MODEL_DIR / "detect.tflite"


@pytest.fixture(scope="session")
def model_bytes(model_path) -> bytes:
    return model_path.read_bytes()


def read_rgb(path: Path) -> np.ndarray:
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert bgr is not None, path
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="session")
def detector():
    from mobilenet_ssd_ros.detector import Detector

    return Detector(MODEL_DIR / "detect.tflite", score_threshold=0.0)
