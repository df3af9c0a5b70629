"""Benchmarks of the node's hot paths: one module per area, each exposing ``run(...)``."""
