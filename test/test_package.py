"""The package builds and installs the way colcon would lay it out for ros2 run/launch."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

from conftest import REPO

PACKAGE_ITEMS = ("CMakeLists.txt", "package.xml", "msg", "mobilenet_ssd_ros", "scripts", "config")


def test_cmake_install_layout(tmp_path):
    # A copy of the sources: CMake refuses include paths inside the source tree, and the
    # development venv (numpy headers) lives inside this checkout.
    src = tmp_path / "src"
    src.mkdir()
    for item in PACKAGE_ITEMS:
        if (REPO / item).is_dir():
            shutil.copytree(REPO / item, src / item, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(REPO / item, src / item)
    venv = Path(sys.prefix)
    prefix = tmp_path / "install"
    dev_prefix = REPO / ".dev" / "install"  # vision_msgs stand-in (not needed here, but on the path)
    env = dict(os.environ, AMENT_PREFIX_PATH=f"{dev_prefix}:{venv}")
    run = lambda *cmd: subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)  # noqa: E731
    run("cmake", "-S", str(src), "-B", str(tmp_path / "build"), "-G", "Ninja", "-DBUILD_TESTING=OFF",
        f"-DCMAKE_INSTALL_PREFIX={prefix}", f"-DCMAKE_PREFIX_PATH={dev_prefix};{venv}",
        f"-DPython3_EXECUTABLE={sys.executable}")
    run("cmake", "--build", str(tmp_path / "build"), "--target", "install")

    exe = prefix / "lib" / "mobilenet_ssd_ros" / "mobilenet_ssd_node"
    assert exe.is_file() and os.access(exe, os.X_OK)
    assert (prefix / "share" / "ament_index" / "resource_index" / "packages" / "mobilenet_ssd_ros").is_file()
    assert (prefix / "share" / "mobilenet_ssd_ros" / "config" / "params.yaml").is_file()
    assert (prefix / "share" / "mobilenet_ssd_ros" / "config" / "fastdds_large_images.xml").is_file()
    site = next(prefix.glob("lib/python3*/site-packages/mobilenet_ssd_ros"))
    for module in ("__init__.py", "node.py", "detector.py", "cli.py", "msg/_detection_stats.py"):
        assert (site / module).is_file(), module
    # The installed package imports on its own, generated message included.
    probe = subprocess.run(
        [sys.executable, "-c", "import mobilenet_ssd_ros.msg as m, mobilenet_ssd_ros.node as n; "
         "print(m.__file__); print(n.__file__)"],
        env=dict(env, PYTHONPATH=f"{site.parent}:{dev_prefix}/lib/python3.11/site-packages",
                 LD_LIBRARY_PATH=f"{prefix / 'lib'}:{os.environ.get('LD_LIBRARY_PATH', '')}"),
        cwd=tmp_path, capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr
    assert all(str(site) in line for line in probe.stdout.splitlines())


def test_package_xml_declares_what_the_node_imports():
    root = ET.parse(REPO / "package.xml").getroot()
    deps = {e.text for e in root if e.tag in ("depend", "exec_depend")}
    assert {"rclpy", "lifecycle_msgs", "sensor_msgs", "std_msgs", "vision_msgs", "diagnostic_msgs",
            "rosidl_default_runtime", "python3-numpy", "python3-opencv"} <= deps
    assert root.findtext("export/build_type") == "ament_cmake"
    assert root.get("format") == "3"
