"""One small error hierarchy: one subclass per subsystem, mapped to exit codes in `cli`."""

from __future__ import annotations


class MediatorError(Exception):
    """Base of every error this node raises on purpose."""


class ConfigError(MediatorError):
    """The configuration is invalid; the message names each variable and what to change."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))


class StoreError(MediatorError):
    """The durable store could not be opened, migrated or written."""


class StoreRefusedError(StoreError):
    """The store is corrupt, or gone beside data that says it held history: an operator
    must restore or move it. Exit 2, so a process supervisor does not restart into it."""


class ChainError(MediatorError):
    """The NatLangChain node could not be reached or answered something unusable."""


class CodecError(MediatorError):
    """Untrusted data (chain JSON, an LLM answer) failed strict validation."""


class LLMError(MediatorError):
    """The LLM provider failed, refused, or its answer could not be used."""


class VectorIndexError(MediatorError):
    """The vector index could not be loaded, verified or queried."""


class SettlementError(MediatorError):
    """A settlement could not be built, signed or followed."""
