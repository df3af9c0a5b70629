"""What the deployment files promise, read from the files themselves: the runbook's probes and
healthcheck, restart semantics, non-root, read-only root, one replica, the alert table.

The tools' own checks (podman build, systemd-analyze, kubernetes-validate, promtool,
docker-compose, supervisord) run in ops/check.sh and ops/test-container.sh under CI.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from mediator_actors.node import DRAIN_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
OPS = ROOT / "ops"
RUNBOOK_HEALTHCHECK = {
    "test": ["CMD", "curl", "-f", "http://localhost:8081/health/ready"],
    "interval": "30s",
    "timeout": "10s",
    "retries": 3,
    "start_period": "10s",
}
RUNBOOK_LIVENESS = {
    "httpGet": {"path": "/health/live", "port": 8081},
    "initialDelaySeconds": 10,
    "periodSeconds": 30,
}
RUNBOOK_READINESS = {
    "httpGet": {"path": "/health/ready", "port": 8081},
    "initialDelaySeconds": 5,
    "periodSeconds": 10,
}
#: The node's drain: its watchdog ends the process this long after SIGTERM (node.py). The
#: docs once said 120 s, a figure the node never had.
DRAIN_S = DRAIN_TIMEOUT


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --- Dockerfile -------------------------------------------------------------------------


def dockerfile() -> list[str]:
    """Instructions, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)
    return [" ".join(ln.split()) for ln in joined.splitlines() if ln.strip() and ln[0] != "#"]


def test_the_dockerfile_is_multi_stage_from_a_base_image_argument() -> None:
    lines = dockerfile()
    assert lines[0].startswith("ARG BASE_IMAGE=")
    froms = [ln for ln in lines if ln.startswith("FROM ")]
    assert froms[0] == "FROM ${BASE_IMAGE} AS base"
    assert [f.split()[-1] for f in froms] == ["base", "builder", "runtime"]
    # The runtime stage copies the built venv and installs nothing with a compiler.
    runtime = lines[lines.index("FROM base AS runtime") :]
    assert any(ln.startswith("COPY --from=builder /opt/mediator-node") for ln in runtime)
    assert not any(re.search(r"\b(g\+\+|gcc|build-essential|python3-dev)\b", ln) for ln in runtime)


def test_the_runtime_image_runs_as_a_fixed_uid_with_the_runbook_healthcheck() -> None:
    lines = dockerfile()
    assert "USER 10001:10001" in lines
    assert "STOPSIGNAL SIGTERM" in lines
    assert 'VOLUME ["/data"]' in lines
    assert any("DATA_DIR=/data" in ln for ln in lines if ln.startswith("ENV "))
    assert (
        'HEALTHCHECK --interval=30s --timeout=10s --retries=3 --start-period=10s CMD ["curl", '
        '"-f", "http://localhost:8081/health/ready"]'
    ) in lines


def test_the_build_context_is_only_what_the_image_needs() -> None:
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ignore[ignore.index("*") if "*" in ignore else -1] == "*"
    allowed = {ln[1:].rstrip("/") for ln in ignore if ln.startswith("!")}
    assert allowed == {
        "pyproject.toml",
        "README.md",
        "setup.cfg",
        "mediator_actors",
        "supervisors",
        "ops/pip-env.sh",
    }


# --- docker-compose.yml ----------------------------------------------------------------


def test_compose_runs_the_node_hardened_with_the_runbook_healthcheck() -> None:
    doc = load(ROOT / "docker-compose.yml")
    node = doc["services"]["mediator-node"]
    assert node["healthcheck"] == RUNBOOK_HEALTHCHECK
    assert node["env_file"] == ".env"
    assert node["read_only"] is True
    assert node["user"] == "10001:10001"
    assert node["cap_drop"] == ["ALL"]
    assert "mediator-data:/data" in node["volumes"]
    assert node["restart"].startswith("on-failure")
    assert node["stop_signal"] == "SIGTERM"
    assert int(node["stop_grace_period"].rstrip("s")) > DRAIN_S
    # Published on the host's loopback only.
    assert all(port.startswith("127.0.0.1:") for port in node["ports"])
    # Secrets as files, never as environment values.
    assert set(node["environment"]) == {"MEDIATOR_PRIVATE_KEY_FILE", "API_TOKEN_FILE"}
    assert all(v.startswith("/run/secrets/") for v in node["environment"].values())


def test_the_dev_chain_is_under_the_dev_profile_only() -> None:
    services = load(ROOT / "docker-compose.yml")["services"]
    assert services["devchain"]["profiles"] == ["dev"]
    assert services["devchain"]["command"][:2] == ["mediator-node", "devchain"]
    assert "profiles" not in services["mediator-node"]


# --- systemd and supervisord ------------------------------------------------------------


def unit() -> dict[str, dict[str, list[str]]]:
    sections: dict[str, dict[str, list[str]]] = {}
    current = ""
    for raw in (OPS / "systemd" / "mediator-node.service").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            sections[current] = {}
            continue
        key, _, value = line.partition("=")
        sections[current].setdefault(key, []).append(value)
    return sections


def test_the_systemd_unit_is_hardened_and_does_not_restart_a_configuration_error() -> None:
    service = unit()["Service"]
    assert service["Restart"] == ["on-failure"]
    assert service["RestartPreventExitStatus"] == ["2"]
    assert service["KillSignal"] == ["SIGTERM"]
    assert int(service["TimeoutStopSec"][0].rstrip("s")) > DRAIN_S
    assert service["NoNewPrivileges"] == ["yes"]
    assert service["ProtectSystem"] == ["strict"]
    assert service["User"] == ["mediator"]
    assert set(service["ReadWritePaths"][0].split()) == {
        "/var/lib/mediator-node",
        "/var/log/mediator-node",
    }
    assert "MEDIATOR_PRIVATE_KEY" not in " ".join(service.get("Environment", [])).replace(
        "MEDIATOR_PRIVATE_KEY_FILE", ""
    )


def test_supervisord_has_the_same_restart_semantics() -> None:
    parser = configparser.RawConfigParser()
    parser.read(OPS / "supervisord" / "mediator-node.conf")
    program = parser["program:mediator-node"]
    assert program["autorestart"] == "unexpected"
    assert {int(c) for c in program["exitcodes"].split(",")} == {0, 2}
    # startsecs > 0 would turn a fast exit 2 into a "failed start", retried regardless.
    assert program["startsecs"] == "0"
    assert program["stopsignal"] == "TERM"
    assert int(program["stopwaitsecs"]) > DRAIN_S
    assert program["user"] == "mediator"


# --- Kubernetes --------------------------------------------------------------------------


def k8s(kind: str) -> dict[str, Any]:
    for path in sorted((OPS / "k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") == kind:
                return dict(doc)
    raise AssertionError(f"no {kind} in ops/k8s")


def test_one_replica_recreated_never_two_nodes_on_one_key() -> None:
    spec = k8s("Deployment")["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "Recreate"}


def test_the_pod_runs_non_root_read_only_with_the_runbook_probes() -> None:
    pod = k8s("Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    assert pod["terminationGracePeriodSeconds"] > DRAIN_S
    (container,) = pod["containers"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["livenessProbe"] == RUNBOOK_LIVENESS
    assert container["readinessProbe"] == RUNBOOK_READINESS
    env = {e["name"]: e.get("value") for e in container["env"]}
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    # The key is a Secret mounted as a file; data is a claim.
    assert env["MEDIATOR_PRIVATE_KEY_FILE"].startswith(mounts["secrets"]["mountPath"] + "/")
    assert env["API_TOKEN_FILE"].startswith(mounts["secrets"]["mountPath"] + "/")
    assert "secret" in volumes["secrets"]
    assert mounts["secrets"]["readOnly"] is True
    assert (
        volumes["data"]["persistentVolumeClaim"]["claimName"]
        == k8s("PersistentVolumeClaim")["metadata"]["name"]
    )
    assert env["DATA_DIR"] == mounts["data"]["mountPath"]
    assert "MEDIATOR_PRIVATE_KEY" not in env


def test_egress_is_dns_the_chain_and_https_only() -> None:
    policy = k8s("NetworkPolicy")["spec"]
    assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
    ports = sorted((p["port"], p["protocol"]) for rule in policy["egress"] for p in rule["ports"])
    assert set(ports) == {(53, "UDP"), (53, "TCP"), (443, "TCP")}
    public = [r for r in policy["egress"] if any("ipBlock" in t for t in r["to"])]
    (block,) = [t["ipBlock"] for r in public for t in r["to"]]
    assert "169.254.0.0/16" in block["except"]  # no cloud metadata endpoint


# --- Prometheus ---------------------------------------------------------------------------


def rules() -> dict[str, dict[str, Any]]:
    doc = load(OPS / "prometheus" / "alerts.yml")
    return {r["alert"]: r for g in doc["groups"] for r in g["rules"]}


@pytest.mark.parametrize(
    ("metric", "warning", "critical"),
    [
        ("mediator_cpu_percent", "> 70", "> 90"),
        ("mediator_memory_used_bytes / mediator_memory_total_bytes", "> 80", "> 95"),
        ("mediator_index_size / mediator_index_max", "> 80", "> 95"),
        ("mediator_alignment_cycle_seconds", "> 60", "> 120"),
        ("mediator_llm_latency_p99_seconds", "> 5", "> 10"),
        ("mediator_settlement_success_ratio", "< 0.80", "< 0.60"),
    ],
)
def test_every_row_of_the_runbook_metrics_table_has_both_levels(
    metric: str, warning: str, critical: str
) -> None:
    found = {
        r["labels"]["severity"]: r["expr"] for r in rules().values() if metric in str(r["expr"])
    }
    assert found["warning"].endswith(warning)
    assert found["critical"].endswith(critical)


def test_the_runbook_alerting_list_is_covered() -> None:
    exprs = {name: str(rule["expr"]) for name, rule in rules().items()}
    assert "mediator_healthy == 0" in exprs["MediatorUnhealthy"]  # /health 503
    assert "mediator_start_time_seconds" in exprs["MediatorRestarted"]  # container restarts
    assert "mediator_actor_restarts_total" in exprs["MediatorActorRestarts"]
    assert "mediator_errors_total" in exprs["MediatorErrorRateHigh"]  # errors in logs
    assert "mediator_settlements_total" in exprs["MediatorSettlementFailures"]
    assert "mediator_llm_budget_remaining == 0" in exprs["MediatorLlmQuotaExhausted"]


def test_every_metric_the_rules_read_is_one_the_node_exports() -> None:
    """Names in the rules against the names /metrics declares (health_app, opsmetrics, ws)."""
    sources = "\n".join(
        (ROOT / "mediator_actors" / "edge" / name).read_text()
        for name in ("health_app.py", "opsmetrics.py", "servers.py")
    )
    exported = {f"mediator_{n}" for n in re.findall(r'(?:m\.)?add\(\s*"([a-z0-9_]+)"', sources)}
    used = set()
    for rule in rules().values():
        used |= set(re.findall(r"\bmediator_[a-z0-9_]+", str(rule["expr"])))
    assert used <= exported, used - exported
