"""Secret canaries: values configured as secrets for the suite that must never come back out."""

from __future__ import annotations

CANARIES = (
    "sk-ant-api03-CANARYc4n4ryC4NARYcanary0123456789abcdefCANARY",
    "sk-proj-CANARYproj0123456789abcdefghij",
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "chainkey-CANARY-5b0f00a08",
)

#: Every response body, frame and CLI output the suite saw; checked after each test.
SEEN: list[str] = []


def record(text: str | bytes) -> str | bytes:
    SEEN.append(text.decode("latin-1") if isinstance(text, bytes) else text)
    return text


def leaks(texts: list[str]) -> list[str]:
    return [c for c in CANARIES for t in texts if c in t]
