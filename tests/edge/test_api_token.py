"""Probes apart from the API: with API_TOKEN_FILE, /metrics and /api/v1/* need the bearer
token; /health/live, /health/ready and /health stay open. Real servers on 127.0.0.1:0."""

from __future__ import annotations

import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.config import MIN_API_TOKEN_CHARS, load_settings
from mediator_actors.edge.health_app import HealthApp, bearer_matches
from mediator_actors.edge.server import EdgeServer, Limits
from mediator_actors.errors import ConfigError
from mediator_actors.health.report import SnapshotBox
from mediator_actors.safety.secrets import Secret
from tests.edge import states
from tests.edge.fakes import MemoryReadModel
from tests.edge.test_health_http import fresh

TOKEN = "tok-3q2V0lTQ0ZyZW1vdGUtYWNjZXNzLXRva2Vu"
OPEN = ("/health/live", "/health/ready", "/health")
GUARDED = ("/metrics", "/api/v1/stats", "/api/v1/intents", "/api/v1/actors", "/api/v1/settlements")


@pytest.fixture
def guarded() -> Iterator[str]:
    box = SnapshotBox()
    box.set(fresh(states.ready()))
    app = HealthApp(box, read_model=MemoryReadModel(), api_token=Secret(TOKEN))
    server = EdgeServer(app, "127.0.0.1", 0, limits=Limits(header_timeout_s=1.0))
    host, port = server.start()
    yield f"http://{host}:{port}"
    server.stop(timeout=1)


def get(url: str, **headers: str) -> requests.Response:
    return requests.get(url, headers=headers, timeout=5)


@pytest.mark.parametrize("path", OPEN)
def test_probes_and_the_health_report_stay_open(guarded: str, path: str) -> None:
    assert get(guarded + path).status_code == 200


@pytest.mark.parametrize("path", GUARDED)
def test_metrics_and_the_api_need_the_bearer_token(guarded: str, path: str) -> None:
    refused = get(guarded + path)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert refused.json() == {"error": "bearer token required"}
    assert TOKEN not in refused.text
    assert get(guarded + path, Authorization=f"Bearer {TOKEN}").status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "",
        TOKEN,
        f"Basic {TOKEN}",
        f"Bearer {TOKEN[:-1]}",
        f"Bearer {TOKEN}x",
        f"Bearer x{TOKEN}",
        "Bearer ",
        f"Bearer {TOKEN.upper()}",
    ],
)
def test_a_wrong_or_malformed_credential_is_refused(guarded: str, header: str) -> None:
    assert get(guarded + "/metrics", Authorization=header).status_code == 401


def test_the_scheme_is_case_insensitive(guarded: str) -> None:
    assert get(guarded + "/metrics", Authorization=f"bearer {TOKEN}").status_code == 200


def test_without_a_token_everything_is_open_as_before(http, box) -> None:
    box.set(fresh(states.ready()))
    for path in (*OPEN, "/metrics", "/api/v1/stats"):
        assert http.get(path).status_code == 200, path


_TOKEN_CHARS = st.text(
    alphabet=string.ascii_letters + string.digits + "-_.~+/=", min_size=1, max_size=80
)


@given(token=_TOKEN_CHARS, header=st.text(max_size=120))
def test_bearer_matches_only_the_exact_token(token: str, header: str) -> None:
    expected = header.strip()[:7].lower() == "bearer " and header.strip()[7:].strip() == token
    assert bearer_matches(header, token.encode()) is expected


@given(token=_TOKEN_CHARS, scheme=st.sampled_from(["Bearer", "bearer", "BEARER"]))
def test_bearer_matches_the_well_formed_header(token: str, scheme: str) -> None:
    assert bearer_matches(f"{scheme} {token}", token.encode())
    assert not bearer_matches(f"{scheme} {token}", b"")


# --- settings: API_TOKEN_FILE ----------------------------------------------------------

PUBLIC = {"HEALTH_HOST": "0.0.0.0", "ALLOW_PUBLIC_BIND": "true"}


def _problems(env: dict[str, str], cwd: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_settings(env, cwd=cwd)
    return caught.value.problems


def test_a_public_health_bind_without_a_token_file_is_refused(tmp_path: Path) -> None:
    found = _problems(PUBLIC, tmp_path)
    assert any("API_TOKEN_FILE" in p and "HEALTH_HOST=0.0.0.0" in p for p in found)


def test_the_token_comes_from_the_file_and_never_prints(tmp_path: Path) -> None:
    (tmp_path / "token").write_text(TOKEN + "\n")
    settings = load_settings({**PUBLIC, "API_TOKEN_FILE": "token"}, cwd=tmp_path)
    assert settings.api_token is not None
    assert settings.api_token.reveal() == TOKEN
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)
    assert TOKEN in settings.secrets()  # the outbound secret scanner knows it


def test_loopback_needs_no_token_but_honours_one(tmp_path: Path) -> None:
    assert load_settings({}, cwd=tmp_path).api_token is None
    (tmp_path / "token").write_text(TOKEN)
    assert load_settings({"API_TOKEN_FILE": "token"}, cwd=tmp_path).api_token == Secret(TOKEN)


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (None, "cannot be read"),
        ("", "is empty"),
        ("x7Qz", "at least"),
        ("a" * MIN_API_TOKEN_CHARS + " b", "without spaces"),
        ("\x00" * MIN_API_TOKEN_CHARS, "printable"),
    ],
)
def test_a_missing_short_or_malformed_token_file_is_named(
    tmp_path: Path, content: str | None, what: str
) -> None:
    if content is not None:
        (tmp_path / "token").write_text(content)
    found = _problems({**PUBLIC, "API_TOKEN_FILE": "token"}, tmp_path)
    assert any("API_TOKEN_FILE" in p and what in p for p in found), found
    if content:
        assert all(content not in p for p in found)


# File I/O and a settings load per example: no per-example deadline on a busy machine.
@settings(max_examples=60, deadline=None)
@given(token=st.text(min_size=0, max_size=60))
def test_a_token_file_is_accepted_iff_it_holds_one_printable_word(token: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        (cwd / "token").write_text(token, encoding="utf-8", errors="surrogatepass")
        stripped = token.strip()
        good = len(stripped) >= MIN_API_TOKEN_CHARS and all(
            c.isprintable() and not c.isspace() for c in stripped
        )
        if not good:
            with pytest.raises(ConfigError):
                load_settings({"API_TOKEN_FILE": "token"}, cwd=cwd)
            return
        assert load_settings({"API_TOKEN_FILE": "token"}, cwd=cwd).api_token == Secret(stripped)


def test_start_refuses_a_public_bind_without_a_token_with_exit_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mediator_actors", "start"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[2]), **PUBLIC},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "API_TOKEN_FILE" in done.stderr
    assert not (tmp_path / "data").exists()
