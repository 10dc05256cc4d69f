"""MobileNetV1-SSD object detection: a ROS-free core plus a ROS 2 lifecycle node.

The modules of this package never import rclpy, except the node adapter; the detector
core, model zoo, evaluation and CLI work with a plain `pip install .`.
"""
# In a colcon install the generated `msg` subpackage sits next to these modules. In the
# development environment (tools/setup_env.sh) it is installed under .dev/install while
# the sources are used in place: let the package span both directories.
__path__ = __import__("pkgutil").extend_path(__path__, __name__)
