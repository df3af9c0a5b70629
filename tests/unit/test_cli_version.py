"""``mediator-node --version`` answers without loading the verbs' modules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mediator_actors import __version__

ROOT = Path(__file__).parents[2]
_PROBE = """
import sys
from mediator_actors.cli import COMMAND_MODULES, main
code = main(["--version"])
print(sorted(name for name in COMMAND_MODULES if name in sys.modules), code)
"""


def test_version_prints_the_version_and_loads_no_verb_module(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.splitlines() == [f"mediator-node {__version__}", "[] 0"]


def test_the_full_parser_still_answers_version(capsys: pytest.CaptureFixture[str]) -> None:
    from mediator_actors.cli import build_parser

    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"mediator-node {__version__}"
