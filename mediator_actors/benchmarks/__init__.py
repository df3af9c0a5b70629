"""Benchmarks behind ``mediator-node benchmark``: each suite is a module with ``run()``."""
