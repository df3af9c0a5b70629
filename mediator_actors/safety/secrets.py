"""A value that never prints itself: ``repr``, ``str`` and formatting all give ``***``."""

from __future__ import annotations

from typing import Final, NoReturn

MASK: Final = "***"


class Secret:
    """Wraps a secret string; call :meth:`reveal` only where the value must leave the node."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")
