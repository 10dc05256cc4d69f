"""Benchmarks that report ratios measured in one run: `core` (detect against invoke and
a reference pipeline, the threads x XNNPACK sweep), `node` (the node through real DDS
against a naive node, and a soak), `plots` (their PNGs)."""
