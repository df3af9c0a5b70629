"""Benchmarks of the node's hot paths, each side by side with a baseline measured in the
same run. Each module exposes ``run(*, intents=None, quick=False) -> dict[str, object]``."""
