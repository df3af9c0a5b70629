import io
import json
import logging
import re
import stat
from pathlib import Path

import pytest

from mediator_actors.errors import ConfigError
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


def test_log_file_gets_the_same_redacted_lines_as_stderr_and_rotates_by_size(
    tmp_path: Path, capture: io.StringIO
) -> None:
    path = tmp_path / "logs" / "app.log"
    configure_logging(
        level="INFO",
        fmt="json",
        redact=SecretScanner([NODE_KEY]).redact,
        stream=capture,
        log_file=path,
        max_bytes=2000,
        backups=2,
    )
    log = logging.getLogger("t")
    try:
        for i in range(100):
            log.info("line %d key %s", i, NODE_KEY)
    finally:
        _close_file_handlers()
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == ["app.log", "app.log.1", "app.log.2"]  # older generations dropped
    assert all(p.stat().st_size <= 2000 for p in path.parent.iterdir())
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    newest = path.read_text().splitlines()
    assert json.loads(newest[-1])["msg"].startswith("line 99 key [REDACTED")
    assert capture.getvalue().splitlines()[-1] == newest[-1]
    assert NODE_KEY not in "".join(p.read_text() for p in path.parent.iterdir())


def test_an_unopenable_log_file_is_a_configuration_error_naming_log_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match=r"LOG_FILE=.*cannot be opened for writing"):
        configure_logging(
            level="INFO", fmt="text", redact=SecretScanner().redact, log_file=blocker / "app.log"
        )


def _close_file_handlers() -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.FileHandler):
            root.removeHandler(handler)
            handler.close()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stream", "expected"), [(_Terminal(), "text"), (io.StringIO(), "json")])
def test_auto_is_text_on_a_terminal_and_json_otherwise(stream: io.StringIO, expected: str) -> None:
    configure_logging(level="INFO", fmt="auto", redact=SecretScanner().redact, stream=stream)
    logging.getLogger("mediator.activity").info("intents: 20 ingested")
    line = stream.getvalue().splitlines()[0]
    if expected == "json":
        assert json.loads(line)["msg"] == "intents: 20 ingested"
    else:
        # A time, then the sentence: no logger name, no level for info.
        stamp, text = line.split(" ", 1)
        assert re.fullmatch(r"\d\d:\d\d:\d\d", stamp)
        assert text == "intents: 20 ingested"


def test_explicit_formats_win_over_the_terminal() -> None:
    stream = _Terminal()
    configure_logging(level="INFO", fmt="json", redact=SecretScanner().redact, stream=stream)
    logging.getLogger("t").warning("chain: poll failed")
    assert json.loads(stream.getvalue())["level"] == "warning"


def test_text_lines_name_the_level_only_when_it_is_not_info(capture: io.StringIO) -> None:
    configure_logging(level="INFO", fmt="text", redact=SecretScanner().redact, stream=capture)
    logging.getLogger("t").warning("chain: poll failed")
    logging.getLogger("t").error("chain: quarantined an entry")
    lines = [line.split(" ", 1)[1] for line in capture.getvalue().splitlines()]
    assert lines == ["warning: chain: poll failed", "error: chain: quarantined an entry"]
