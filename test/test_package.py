"""The package builds and installs the way colcon would lay it out for ros2 run/launch."""
from __future__ import annotations

import os
import subprocess
import sys
from xml.etree import ElementTree as ET

from conftest import REPO
from package_build import DEV_PREFIX, build_package


def test_cmake_install_layout(tmp_path):
    prefix = build_package(tmp_path)
    exe = prefix / "lib" / "mobilenet_ssd_ros" / "mobilenet_ssd_node"
    assert exe.is_file() and os.access(exe, os.X_OK)
    assert (prefix / "share" / "ament_index" / "resource_index" / "packages" / "mobilenet_ssd_ros").is_file()
    assert (prefix / "share" / "mobilenet_ssd_ros" / "config" / "params.yaml").is_file()
    assert (prefix / "share" / "mobilenet_ssd_ros" / "config" / "fastdds_large_images.xml").is_file()
    for launch_file in ("detector.launch.py", "rosbag_replay.launch.py"):
        assert (prefix / "share" / "mobilenet_ssd_ros" / "launch" / launch_file).is_file()
    site = next(prefix.glob("lib/python3*/site-packages/mobilenet_ssd_ros"))
    for module in ("__init__.py", "node.py", "detector.py", "cli.py", "msg/_detection_stats.py"):
        assert (site / module).is_file(), module
    # The installed package imports on its own, generated message included.
    probe = subprocess.run(
        [sys.executable, "-c", "import mobilenet_ssd_ros.msg as m, mobilenet_ssd_ros.node as n; "
         "print(m.__file__); print(n.__file__)"],
        env=dict(os.environ, PYTHONPATH=f"{site.parent}:{DEV_PREFIX}/lib/python3.11/site-packages",
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
