"""ops/backup: the systemd timer and service and the Kubernetes CronJob pass their
checkers, and the commands they run do what their comments say, here, on a real store."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from mediator_actors.store import Migration, Store

ROOT = Path(__file__).resolve().parents[2]
OPS = ROOT / "ops" / "backup"
INSTALLED = "/opt/mediator-node/bin/mediator-node"
NOTES = Migration("notes", 1, ("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)",))
WEEK_AND_A_DAY = 8 * 24 * 3600


def _wrapper(folder: Path) -> Path:
    """``mediator-node`` running this checkout (the venv's script runs the shared install)."""
    folder.mkdir(exist_ok=True)
    script = folder / "mediator-node"
    script.write_text(f'#!/bin/sh\nexec {sys.executable} -m mediator_actors "$@"\n')
    script.chmod(0o755)
    return script


def _node_data(root: Path) -> Path:
    data = root / "data"
    store = Store.open(data, migrations=[NOTES])
    store.write(lambda c: c.execute("INSERT INTO notes (text) VALUES ('kept')"))
    store.close()
    return data


def _env(tmp_path: Path, data: Path) -> dict[str, str]:
    bin_dir = _wrapper(tmp_path / "bin").parent
    return {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "DATA_DIR": str(data),
        "CONFIG_FILE": str(tmp_path / "config.yaml"),
        "ENV_FILE": str(tmp_path / "none.env"),
    }


def _old_archive(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text("an old archive")
    past = time.time() - WEEK_AND_A_DAY
    os.utime(path, (past, past))
    return path


def _check_run(backups: Path, old: Path, other: Path) -> None:
    archives = sorted(p.name for p in backups.glob("mediator-backup-*.tar"))
    assert len(archives) == 1
    assert not old.exists()  # older than seven days: pruned
    assert other.exists()  # not an archive: left alone


@pytest.mark.slow
def test_the_cronjob_command_backs_up_verifies_and_prunes(tmp_path: Path) -> None:
    documents = list(yaml.safe_load_all((OPS / "cronjob.yaml").read_text()))
    job = next(d for d in documents if d["kind"] == "CronJob")
    container = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["/bin/sh", "-c"]
    backups = tmp_path / "backups"
    backups.mkdir()
    old = _old_archive(backups, "mediator-backup-20250101T000000Z.tar")
    other = _old_archive(backups, "notes.txt")
    script = container["args"][0].replace("/backups", str(backups))
    data = _node_data(tmp_path / "node")
    done = subprocess.run(
        ["/bin/sh", "-c", script],
        env=_env(tmp_path, data),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert ": OK (" in done.stdout  # the verify step ran on the new archive
    _check_run(backups, old, other)


def _unit_commands(unit: Path, backup_dir: Path, wrapper: Path) -> list[list[str]]:
    """ExecStart and ExecStartPost lines as systemd runs them: ``${VAR}`` expanded, ``$$``
    a literal ``$``."""
    commands = []
    for line in unit.read_text().splitlines():
        key, _, value = line.partition("=")
        if key in ("ExecStart", "ExecStartPost"):
            value = value.replace("${BACKUP_DIR}", str(backup_dir)).replace("$$", "$")
            commands.append(shlex.split(value.replace(INSTALLED, str(wrapper))))
    return commands


@pytest.mark.slow
def test_the_systemd_service_commands_back_up_verify_and_prune(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    old = _old_archive(backups, "mediator-backup-20250101T000000Z.tar")
    other = _old_archive(backups, "notes.txt")
    data = _node_data(tmp_path / "node")
    env = _env(tmp_path, data)
    commands = _unit_commands(
        OPS / "mediator-node-backup.service", backups, tmp_path / "bin" / "mediator-node"
    )
    assert [c[0] for c in commands] == [
        str(tmp_path / "bin" / "mediator-node"),
        "/bin/sh",
        "/usr/bin/find",
    ]
    outputs = []
    for command in commands:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, (command, done.stderr)
        outputs.append(done.stdout)
    assert ": OK (" in outputs[1]
    _check_run(backups, old, other)


def _verify_units(folder: Path) -> str:
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(str(p) for p in folder.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # verify exits 0 on many problems and only prints them: any output is a failure
    return (done.stdout + done.stderr).strip() or ("" if done.returncode == 0 else "failed")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_the_timer_and_service_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    units = tmp_path / "units"
    units.mkdir()
    executable = Path(sys.executable).with_name("mediator-node")
    for name in ("mediator-node-backup.service", "mediator-node-backup.timer"):
        text = (OPS / name).read_text().replace(INSTALLED, str(executable))
        (units / name).write_text(text)
    assert _verify_units(units) == ""
    timer = units / "mediator-node-backup.timer"
    timer.write_text(timer.read_text().replace("OnCalendar=hourly", "OnCalendar=every so often"))
    assert _verify_units(units) != ""


@pytest.mark.skipif(
    not Path(sys.executable).with_name("kubernetes-validate").exists(),
    reason="needs kubernetes-validate (the dev extra)",
)
def test_the_cronjob_passes_the_kubernetes_schemas(tmp_path: Path) -> None:
    validate = str(Path(sys.executable).with_name("kubernetes-validate"))

    def valid(path: Path) -> bool:
        done = subprocess.run(
            [validate, "--strict", "--quiet", str(path)],
            capture_output=True,
            timeout=120,
            check=False,
        )
        return done.returncode == 0

    assert valid(OPS / "cronjob.yaml")
    broken = tmp_path / "cronjob.yaml"
    broken.write_text(
        (OPS / "cronjob.yaml").read_text().replace("backoffLimit: 2", "backoffLimit: two")
    )
    assert not valid(broken)
