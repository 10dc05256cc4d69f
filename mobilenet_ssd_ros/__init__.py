"""MobileNetV1-SSD object detection: a ROS-free core plus a ROS 2 lifecycle node.

Layers, each importing only those before it:
- `core`: an RGB array in, detections out (no rclpy, no model names);
- `zoo`: models by (alpha, resolution): lookup, download, graph statistics, builder;
- `ros`: message adapters (no rclpy) and the lifecycle node (rclpy);
- `offline`: the `mobilenet-ssd` CLI, datasets, evaluation, bags and replay;
- `bench`: benchmarks.
"""

# In a colcon install the generated `msg` subpackage sits next to these modules. In the
# development environment (tools/setup_env.sh) it is installed under .dev/install while
# the sources are used in place: let the package span both directories.
__path__ = __import__('pkgutil').extend_path(__path__, __name__)
