import io
import json
import logging

import pytest

from mediator_actors.runtime.logs import configure_logging
from mediator_actors.safety.secretscan import SecretScanner

NODE_KEY = "ab" * 32
PROVIDER_KEY = "sk-ant-api03-" + "x7" * 40


@pytest.fixture
def capture() -> io.StringIO:
    return io.StringIO()


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_chain_prose_cannot_forge_a_log_line(fmt: str, capture: io.StringIO) -> None:
    configure_logging(level="INFO", fmt=fmt, redact=SecretScanner().redact, stream=capture)
    logging.getLogger("t").info("intent: %s", "ok\nERROR forged line\r\x1b[31mred")
    lines = capture.getvalue().splitlines()
    assert len(lines) == 1
    assert "\x1b" not in lines[0]
    if fmt == "json":
        assert "forged line" in json.loads(lines[0])["msg"]


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_secrets_never_reach_a_log_line_even_inside_tracebacks(
    fmt: str, capture: io.StringIO
) -> None:
    configure_logging(
        level="DEBUG", fmt=fmt, redact=SecretScanner([NODE_KEY]).redact, stream=capture
    )
    log = logging.getLogger("t")
    log.info("config %s", {"nested": [{"key": NODE_KEY}]})
    try:
        raise RuntimeError(f"provider refused {PROVIDER_KEY}")
    except RuntimeError:
        log.exception("call failed")
    text = capture.getvalue()
    assert NODE_KEY not in text
    assert PROVIDER_KEY not in text
    assert "call failed" in text
