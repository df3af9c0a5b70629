"""The machine and versions every benchmark prints beside its figures."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sqlite3
from collections.abc import Iterable
from typing import Any

import psutil

#: Packages whose versions change the figures of most suites.
COMMON_PACKAGES = ("gevent", "pykka", "numpy", "hnswlib", "onnxruntime", "requests", "cryptography")


def machine(packages: Iterable[str] = COMMON_PACKAGES) -> dict[str, Any]:
    """CPU model, cores, memory, load and the versions of Python, SQLite and ``packages``."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for package in packages:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "absent"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "hnswlib_native": os.environ.get("HNSWLIB_NO_NATIVE") != "1",
        "versions": versions,
    }
