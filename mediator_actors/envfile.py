"""``.env`` files by the usual dotenv rules (python-dotenv, docker compose, direnv agree on these):

- ``KEY=value``; spaces around ``=`` are allowed; an ``export `` prefix is ignored;
- blank lines and lines starting with ``#`` are skipped;
- unquoted values end at the line's end or at `` #`` (a ``#`` after whitespace starts a
  comment; ``a#b`` keeps its ``#``); surrounding whitespace is dropped;
- ``'single quoted'`` values are literal; ``"double quoted"`` values understand ``\\n``,
  ``\\t``, ``\\r``, ``\\"`` and ``\\\\``; both may span lines and may be followed by a comment;
- the last assignment of a key wins.

Not supported, on purpose: ``${VAR}`` expansion (a secret holding ``$`` must arrive unchanged).
Problems are returned with their line number, never with the line's text (it may be a secret).
"""

from __future__ import annotations

import re

_KEY = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def parse_env(text: str, source: str = ".env") -> tuple[dict[str, str], list[str]]:
    """Parse ``.env`` text into ``{key: value}`` and a list of problems (``source:line: why``).

    Never raises: a bad line is reported and skipped, and parsing goes on with the next line.
    """
    values: dict[str, str] = {}
    problems: list[str] = []
    pos, line, n = 0, 1, len(text)
    while pos < n:
        end = text.find("\n", pos)
        end = n if end < 0 else end
        stripped = text[pos:end].strip()
        if not stripped or stripped.startswith("#"):
            pos, line = end + 1, line + 1
            continue
        match = _KEY.match(text, pos, end)
        if match is None:
            problems.append(f"{source}:{line}: expected KEY=VALUE")
            pos, line = end + 1, line + 1
            continue
        key, start = match.group(1), match.end()
        quote = text[start] if start < n else ""
        if quote in ("'", '"'):
            value, after, problem = _quoted(text, start + 1, quote)
            if problem is None:
                rest_end = text.find("\n", after)
                rest_end = n if rest_end < 0 else rest_end
                rest = text[after:rest_end].strip()
                if rest and not rest.startswith("#"):
                    problem = "unexpected text after the closing quote"
                end = rest_end
            if problem is not None:
                problems.append(f"{source}:{line}: {problem}")
            else:
                values[key] = value
            line += text.count("\n", pos, end) + 1
            pos = end + 1
            continue
        raw = text[start:end]
        comment = re.search(r"[ \t]#", raw)
        values[key] = (raw[: comment.start()] if comment else raw).strip()
        pos, line = end + 1, line + 1
    return values, problems


def _quoted(text: str, pos: int, quote: str) -> tuple[str, int, str | None]:
    """The value of a quoted string starting after its opening quote: (value, index after the
    closing quote, problem or None)."""
    out: list[str] = []
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch == quote:
            return "".join(out), pos + 1, None
        if ch == "\\" and quote == '"' and pos + 1 < n:
            nxt = text[pos + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                pos += 2
                continue
        out.append(ch)
        pos += 1
    return "", n, f"the {quote} quote is never closed"


def quote_env_value(value: str) -> str:
    """``value`` as a double-quoted ``.env`` value that :func:`parse_env` reads back unchanged."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{escaped}"'
