"""Tools that run without a ROS graph: the `mobilenet-ssd` CLI, datasets and mAP
evaluation, rosbag2 files and offline replay, and the zoo report. They may import every
layer below them (core, zoo, ros adapters); nothing below imports them.
"""
