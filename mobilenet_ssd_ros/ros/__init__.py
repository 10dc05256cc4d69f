"""ROS 2 adapters and the lifecycle node.

`image_input` (sensor_msgs Image/CompressedImage -> numpy) and `messages` (detections ->
vision_msgs fields) work on any object with the messages' fields, rclpy's or rosbags',
and need no rclpy. `node` is the lifecycle node: the package's only rclpy user besides
the node benchmarks.
"""
