"""The detector core: one frame from an RGB array to `Detection`s, and nothing else.

Runtime selection, model loading and introspection, anchors, preprocessing,
postprocessing, label maps, the value types, drawing and the newest-frame mailbox.
Imports nothing from the other layers of the package and never imports rclpy, so it
runs wherever numpy, OpenCV and a TFLite runtime do. `Detector(path)` knows files, not
model names: finding a model by (alpha, resolution) is the zoo's job.
"""
