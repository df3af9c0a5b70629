"""Configuration: every setting declared once, in :data:`SPECS`, read from the environment,
``.env`` and ``config.yaml``, validated all at once at start.

Precedence: process environment, then ``.env`` (in the working directory, or ``ENV_FILE``),
then the declared default. ``config.yaml`` (``CONFIG_FILE``) holds the consensus section.
Errors name the variable and say what to change; secrets are :class:`Secret` and print as
``***`` everywhere. Every secret may also come from a file: ``NAME_FILE=/run/secrets/x``.

Adding a setting: one :class:`Spec` row here, the :class:`Settings` field it fills, and a
row in README.md's table (a test checks all three agree).
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from dataclasses import field as dataclass_field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from mediator_actors.endpoints import is_loopback_host, literal_ip, url_problem
from mediator_actors.envfile import parse_env
from mediator_actors.errors import ConfigError
from mediator_actors.model import is_did_key
from mediator_actors.safety.secrets import Secret

_PUBLIC_KEY = re.compile(r"^[0-9a-f]{64}$")
_SEED = re.compile(r"^[0-9a-fA-F]{64}$")
_PLACEHOLDER = re.compile(
    r"^(?:|x+|changeme|change-me|placeholder|demo|test|dummy|secret|your[-_ ].*|<.*>|"
    r"sk-(?:ant-)?(?:x+|\.\.\.|your.*|placeholder.*)|.*xxxx.*)$",
    re.IGNORECASE,
)


class LLMProvider(StrEnum):
    ANTHROPIC = "anthropic"
    OPENAI = "openai"
    OFFLINE = "offline"


class EmbeddingProvider(StrEnum):
    LOCAL = "local"
    OPENAI = "openai"
    HASH = "hash"


class ConsensusMode(StrEnum):
    PERMISSIONLESS = "permissionless"
    DPOS = "dpos"
    POA = "poa"


DEFAULT_MODELS = {
    LLMProvider.ANTHROPIC: "claude-sonnet-4-6",  # 4-5 reaches end of life 2026-11-30 (SDK)
    LLMProvider.OPENAI: "gpt-4o-mini",
    LLMProvider.OFFLINE: "offline-negotiator/1",
}

_LOG_LEVELS = {
    "debug": "DEBUG",
    "info": "INFO",
    "warn": "WARNING",
    "warning": "WARNING",
    "error": "ERROR",
}


@dataclass(frozen=True, slots=True)
class Consensus:
    """The consensus section of ``config.yaml``."""

    mode: ConsensusMode = ConsensusMode.PERMISSIONLESS
    bonded_stake_amount: float = 0.0
    min_effective_stake: float = 0.0
    stake_reference: str | None = None
    poa_authority_key: Secret | None = None
    authority_set: tuple[str, ...] = ()


class Kind(StrEnum):
    """How a variable's text becomes a value."""

    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    CHOICE = "choice"
    LIST = "list"  # comma separated, blanks dropped
    SECRET = "secret"  # noqa: S105 - a kind, not a password; also read from NAME_FILE


@dataclass(frozen=True, slots=True)
class Spec:
    """One environment variable: name, kind, default (text, parsed like a value), help.

    ``field`` is the :class:`Settings` attribute it fills, or ``None`` when the loader only
    consumes it (an alias, ``ENV_FILE``). ``low``/``high`` bound numbers; ``choices`` maps
    accepted (lowercase) texts to values.
    """

    name: str
    kind: Kind
    default: str | None
    help: str
    field: str | None = None
    low: float = -math.inf
    high: float = math.inf
    choices: Mapping[str, Any] = dataclass_field(default_factory=dict)

    @property
    def secret(self) -> bool:
        return self.kind is Kind.SECRET


def _enum(enum: type[StrEnum]) -> dict[str, Any]:
    return {member.value: member for member in enum}


_T, _I, _F, _B, _C, _L, _S = (
    Kind.TEXT,
    Kind.INT,
    Kind.FLOAT,
    Kind.BOOL,
    Kind.CHOICE,
    Kind.LIST,
    Kind.SECRET,
)

#: Every variable the node reads. ``init`` writes these into ``.env``; README.md documents
#: each (a test checks both ways). Defaults that depend on other settings are ``None`` here
#: and worked out by :func:`load_settings`; the help says how.
SPECS: tuple[Spec, ...] = (
    Spec("CHAIN_ENDPOINT", _T, None,
         "NatLangChain node URL; unset runs the embedded dev chain (dev mode)",
         "chain_endpoint"),
    Spec("CHAIN_ID", _T, None, "chain identifier; required outside dev mode", "chain_id"),
    Spec("CHAIN_API_KEY", _S, None, "sent as X-API-Key when the chain runs with auth on",
         "chain_api_key"),
    Spec("LLM_PROVIDER", _C, None,
         "anthropic | openai | offline (default: offline unless a key is set)",
         "llm_provider", choices=_enum(LLMProvider)),
    Spec("LLM_API_KEY", _S, None,
         "API key for the LLM provider (or ANTHROPIC_API_KEY / OPENAI_API_KEY)", "llm_api_key"),
    Spec("ANTHROPIC_API_KEY", _S, None,
         "the Anthropic SDK's own name for LLM_API_KEY with LLM_PROVIDER=anthropic"),
    Spec("OPENAI_API_KEY", _S, None,
         "the OpenAI SDK's own name: LLM_API_KEY with LLM_PROVIDER=openai, and the embedder's "
         "key with EMBEDDING_PROVIDER=openai"),
    Spec("LLM_MODEL", _T, None, "model id; defaults per provider", "llm_model"),
    Spec("LLM_FALLBACK_PROVIDER", _C, None,
         "anthropic | openai | offline: used while the primary's breaker is open or its key is "
         "refused (default: none)",
         "llm_fallback_provider", choices=_enum(LLMProvider)),
    Spec("LLM_FALLBACK_API_KEY", _S, None, "API key for LLM_FALLBACK_PROVIDER",
         "llm_fallback_api_key"),
    Spec("LLM_FALLBACK_MODEL", _T, None, "the fallback's model id; defaults per provider",
         "llm_fallback_model"),
    Spec("MEDIATOR_PRIVATE_KEY", _S, None,
         "Ed25519 private key (64 hex chars) that signs entries", "mediator_private_key"),
    Spec("MEDIATOR_RETIRED_KEYS_FILE", _T, None,
         "retired signing keys, kept while their settlements can still close or be disputed "
         "(default: MEDIATOR_PRIVATE_KEY_FILE plus .retired; `mediator-node rotate-key` "
         "writes it)", "retired_keys_file"),
    Spec("FACILITATION_FEE_PERCENT", _F, "0.01",
         "fee, as a percentage (0-100) of the settlement's value", "facilitation_fee_percent",
         low=0, high=100),
    Spec("HEALTH_HOST", _T, "127.0.0.1", "address the health server binds", "health_host"),
    Spec("HEALTH_PORT", _I, "8081", "health server port (0 picks a free one)", "health_port",
         low=0, high=65535),
    Spec("WS_HOST", _T, "127.0.0.1", "address the monitoring WebSocket binds", "ws_host"),
    Spec("WS_PORT", _I, "9000", "monitoring WebSocket port (0 picks a free one)", "ws_port",
         low=0, high=65535),
    Spec("LOG_LEVEL", _C, "info", "debug | info | warn | error", "log_level",
         choices=_LOG_LEVELS),
    Spec("LOG_FORMAT", _C, "auto",
         "auto (text on a terminal, else json) | json (one object a line) | text",
         "log_format", choices={"auto": "auto", "json": "json", "text": "text"}),
    Spec("LOG_FILE", _T, None,
         "also write logs to this file, rotated by size (default: stderr only)", "log_file"),
    Spec("LOG_FILE_MAX_MB", _F, "10", "size at which LOG_FILE is rotated, in MB",
         "log_file_max_mb", low=0.01, high=100_000),
    Spec("LOG_FILE_BACKUPS", _I, "5", "rotated LOG_FILE generations kept (0-1000)",
         "log_file_backups", low=0, high=1000),
    Spec("DATA_DIR", _T, "./data", "where the store, vectors, settlements and disputes live",
         "data_dir"),
    Spec("VECTOR_DB_PATH", _T, None, "HNSW index folder (default: DATA_DIR/vectors)",
         "vector_db_path"),
    Spec("VECTOR_DIMENSIONS", _I, None, "must match the embedder's dimension, or start fails",
         "vector_dimensions", low=1, high=65536),
    Spec("MAX_INTENTS_CACHE", _I, "10000", "most open intents kept in the index",
         "max_intents_cache", low=1, high=10_000_000),
    Spec("CONFIG_FILE", _T, "config.yaml", "YAML file with the consensus section",
         "config_file"),
    Spec("EMBEDDING_PROVIDER", _C, "local", "local | openai | hash", "embedding_provider",
         choices=_enum(EmbeddingProvider)),
    Spec("EMBEDDING_API_KEY", _S, None,
         "OpenAI key for EMBEDDING_PROVIDER=openai (default: OPENAI_API_KEY, or LLM_API_KEY "
         "when LLM_PROVIDER=openai)", "embedding_api_key"),
    Spec("ACCEPTANCE_WINDOW_HOURS", _F, "72", "hours the parties have to accept a proposal",
         "acceptance_window_hours", low=0.001, high=24 * 365),
    Spec("MIN_NEGOTIATION_CONFIDENCE", _I, "60",
         "lowest confidence (0-100) that may become a proposal", "min_negotiation_confidence",
         low=0, high=100),
    Spec("NEGOTIATOR_POOL_SIZE", _I, "4", "concurrent negotiations", "negotiator_pool_size",
         low=1, high=256),
    Spec("LLM_MAX_CALLS_PER_HOUR", _I, "200", "LLM spending cap per hour",
         "llm_max_calls_per_hour", low=0, high=10_000_000),
    Spec("LLM_MAX_CALLS_PER_DAY", _I, "2000", "LLM spending cap per day",
         "llm_max_calls_per_day", low=0, high=100_000_000),
    Spec("WS_AUTHORIZED_KEYS", _L, None, "name=ed25519-public-key-hex pairs, comma separated",
         "ws_authorized_keys"),
    Spec("WS_AUTH_TIMEOUT_MS", _I, "5000", "time a WebSocket client has to answer the challenge",
         "ws_auth_timeout_ms", low=100, high=600_000),
    Spec("WS_MAX_CONNECTIONS", _I, "1000", "most monitoring WebSocket connections",
         "ws_max_connections", low=1, high=100_000),
    Spec("CHALLENGE_RESOLVERS", _L, None, "ids allowed to resolve challenges, comma separated",
         "challenge_resolvers"),
    Spec("ENABLE_CHALLENGES", _B, "true", "challenge other mediators' proposals whose price"
         " breaks a stated ask or budget", "enable_challenges"),
    Spec("DISPUTE_AUTHORITIES", _L, None, "escalation authorities for disputes: author ids,"
         " each optionally id=Name, comma separated", "dispute_authorities"),
    Spec("MAX_INTENT_FLAGS", _I, "5", "distinct mediators' flags that archive an intent",
         "max_intent_flags", low=1, high=1000),
    Spec("POLL_INTERVAL_SECONDS", _F, "2", "how often the chain is polled",
         "poll_interval_seconds", low=0.05, high=3600),
    Spec("INTAKE_PLAIN_PROSE", _B, "false",
         "true reads entries without intent metadata as offers or seeks when the prose "
         "clearly is one", "intake_plain_prose"),
    Spec("DEV_MODE", _B, None,
         "true allows development-only settings; default: true iff no CHAIN_ENDPOINT",
         "dev_mode"),
    Spec("ALLOW_PUBLIC_BIND", _B, "false",
         "true lets HEALTH_HOST/WS_HOST bind non-loopback addresses", "allow_public_bind"),
    Spec("API_TOKEN", _S, None,
         "bearer token /metrics and /api/v1/* require (give it as API_TOKEN_FILE); needed "
         "when HEALTH_HOST is not loopback (the probes stay open)", "api_token"),
    Spec("ENV_FILE", _T, ".env", "the .env file to read"),
)  # fmt: skip

SPEC_BY_NAME: Mapping[str, Spec] = {spec.name: spec for spec in SPECS}


def known_names() -> frozenset[str]:
    """Every variable name the node understands, ``*_FILE`` forms of secrets included."""
    return frozenset([s.name for s in SPECS] + [f"{s.name}_FILE" for s in SPECS if s.secret])


@dataclass(frozen=True, slots=True)
class Settings:
    """The validated configuration. Build it with :func:`load_settings`.

    Each field but ``consensus`` and ``warnings`` is filled by the :data:`SPECS` row whose
    ``field`` names it."""

    dev_mode: bool
    chain_endpoint: str | None
    chain_id: str
    chain_api_key: Secret | None
    llm_provider: LLMProvider
    llm_api_key: Secret | None
    llm_model: str
    mediator_private_key: Secret | None
    #: Where retired keys are kept (None: a raw MEDIATOR_PRIVATE_KEY, no rotation by file).
    retired_keys_file: Path | None
    facilitation_fee_percent: float
    health_host: str
    health_port: int
    ws_host: str
    ws_port: int
    log_level: str
    log_format: str
    log_file: Path | None
    log_file_max_mb: float
    log_file_backups: int
    data_dir: Path
    vector_db_path: Path
    vector_dimensions: int | None
    max_intents_cache: int
    config_file: Path
    embedding_provider: EmbeddingProvider
    embedding_api_key: Secret | None
    acceptance_window_hours: float
    min_negotiation_confidence: int
    negotiator_pool_size: int
    llm_max_calls_per_hour: int
    llm_max_calls_per_day: int
    ws_authorized_keys: tuple[tuple[str, str], ...]
    ws_auth_timeout_ms: int
    ws_max_connections: int
    challenge_resolvers: tuple[str, ...]
    dispute_authorities: tuple[str, ...]
    enable_challenges: bool
    max_intent_flags: int
    poll_interval_seconds: float
    allow_public_bind: bool
    #: Bearer token for /metrics and /api/v1/* (API_TOKEN_FILE); required beyond loopback.
    api_token: Secret | None
    llm_fallback_provider: LLMProvider | None = None
    llm_fallback_api_key: Secret | None = None
    llm_fallback_model: str | None = None
    intake_plain_prose: bool = False
    #: MEDIATOR_PRIVATE_KEY_FILE resolved, when the key came from a file.
    mediator_private_key_file: Path | None = None
    #: The seeds in retired_keys_file: they sign only about settlements they proposed.
    retired_keys: tuple[Secret, ...] = ()
    consensus: Consensus = dataclass_field(default_factory=Consensus)
    #: What start should warn about (likely misspellings, risky choices outside dev mode).
    warnings: tuple[str, ...] = ()

    def secrets(self) -> list[str]:
        """Every configured secret value, for the outbound secret scanner."""
        values = [
            self.chain_api_key,
            self.llm_api_key,
            self.llm_fallback_api_key,
            self.mediator_private_key,
            self.embedding_api_key,
            self.consensus.poa_authority_key,
            self.api_token,
            *self.retired_keys,
        ]
        return [s.reveal() for s in values if s is not None and s.reveal()]


class _Reader:
    """Parses each variable by its :class:`Spec`, collecting every problem instead of
    stopping at the first one."""

    def __init__(self, values: Mapping[str, str], cwd: Path) -> None:
        self.values = values
        self.cwd = cwd
        self.problems: list[str] = []
        #: Secrets that came from ``NAME_FILE`` (so not from ``.env`` in plain text).
        self.from_files: set[str] = set()

    def given(self, name: str) -> str | None:
        """The variable's own text, or ``None`` when unset or blank (a default applies)."""
        value = self.values.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def value(self, spec: Spec) -> Any:
        """The parsed value of ``spec`` (its parsed default when unset or invalid)."""
        text = self._secret_text(spec) if spec.secret else self.given(spec.name)
        if text is not None:
            try:
                return self._parse(spec, text)
            except ValueError as exc:
                self.problems.append(f"{spec.name}={_shown(spec, text)} {exc}")
        if spec.default is None:
            return () if spec.kind is Kind.LIST else None
        return self._parse(spec, spec.default)

    def __getitem__(self, name: str) -> Any:
        return self.value(SPEC_BY_NAME[name])

    def _secret_text(self, spec: Spec) -> str | None:
        direct, path_text = self.given(spec.name), self.given(f"{spec.name}_FILE")
        if path_text is None:
            return direct
        if direct is not None:
            self.problems.append(f"{spec.name} and {spec.name}_FILE are both set; keep one")
            return direct
        path = self.cwd / path_text
        try:
            content = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
            self.problems.append(f"{spec.name}_FILE={path_text} cannot be read: {why}")
            return None
        if not content:
            self.problems.append(f"{spec.name}_FILE={path_text} is empty")
            return None
        self.from_files.add(spec.name)
        return content

    @staticmethod
    def _parse(spec: Spec, text: str) -> Any:  # noqa: PLR0911 - one case per kind
        kind = spec.kind
        if kind is Kind.TEXT:
            return text
        if kind is Kind.SECRET:
            return Secret(text)
        if kind is Kind.LIST:
            return tuple(filter(None, (part.strip() for part in text.split(","))))
        if kind is Kind.BOOL:
            if text.lower() in {"1", "true", "yes", "on"}:
                return True
            if text.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError("must be true or false")
        if kind is Kind.CHOICE:
            if text.lower() not in spec.choices:
                raise ValueError("is not one of: " + " | ".join(spec.choices))
            return spec.choices[text.lower()]
        try:
            number: float = int(text) if kind is Kind.INT else float(text)
        except ValueError:
            raise ValueError(
                "is not a whole number" if kind is Kind.INT else "is not a number"
            ) from None
        if math.isnan(number) or not (spec.low <= number <= spec.high):
            raise ValueError(f"must be between {spec.low:g} and {spec.high:g}")
        return number


def _shown(spec: Spec, value: str) -> str:
    if spec.secret:
        return "***"
    # Plain when unambiguous; repr shows spaces and escapes control characters.
    return value if value.isprintable() and " " not in value else repr(value)


def read_env_file(path: Path) -> tuple[dict[str, str], list[str]]:
    """Parse a ``.env`` file (:mod:`mediator_actors.envfile` rules): its values and the
    problems of its bad lines. A missing file is empty."""
    if not path.is_file():
        return {}, []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [f"ENV_FILE {path} cannot be read: {type(exc).__name__}"]
    return parse_env(text, str(path))


def misspelling_warnings(names: Mapping[str, str], where: str) -> list[str]:
    """A warning for each of ``names`` that is not known but close to a known name.

    ``difflib``'s ratio at 0.85 catches one dropped, doubled or swapped letter in names of
    this length (``HEALT_PORT``: 0.95) and stays clear of the usual environment (``PATH``,
    ``HOSTNAME``, ``OPENAI_BASE_URL``: a test keeps a list)."""
    known = known_names()
    found = []
    for name in sorted(names):
        if name in known or len(name) < 5 or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.85)
        if close:
            found.append(f"{name} in {where} is not a setting; did you mean {close[0]}?")
    return found


def _read_consensus(path: Path, problems: list[str]) -> Consensus:
    if not path.is_file():
        return Consensus()
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        problems.append(f"CONFIG_FILE {path} is not valid YAML: {exc}")
        return Consensus()
    if not isinstance(document, dict):
        problems.append(f"CONFIG_FILE {path} must be a mapping of keys to values")
        return Consensus()
    known = {
        "consensusMode",
        "bondedStakeAmount",
        "minEffectiveStake",
        "stakeReference",
        "poaAuthorityKey",
        "authoritySet",
    }
    for key in sorted(set(document) - known):
        problems.append(
            f"CONFIG_FILE {path}: unknown key '{key}' (known: {', '.join(sorted(known))})"
        )
    try:
        mode = ConsensusMode(str(document.get("consensusMode", "permissionless")).lower())
    except ValueError:
        problems.append(f"CONFIG_FILE {path}: consensusMode must be permissionless, dpos or poa")
        mode = ConsensusMode.PERMISSIONLESS
    amounts = {}
    for key in ("bondedStakeAmount", "minEffectiveStake"):
        value = document.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int | float) or not (0 <= value < 1e18):
            problems.append(f"CONFIG_FILE {path}: {key} must be a non-negative number")
            value = 0
        amounts[key] = float(value)
    authorities = document.get("authoritySet", []) or []
    if not isinstance(authorities, list) or not all(
        isinstance(a, str) and (_PUBLIC_KEY.match(a) or is_did_key(a)) for a in authorities
    ):
        problems.append(
            f"CONFIG_FILE {path}: authoritySet must be a list of did:keys or 64-hex public keys"
        )
        authorities = []
    stake_reference = document.get("stakeReference")
    if stake_reference is not None and not isinstance(stake_reference, str):
        problems.append(f"CONFIG_FILE {path}: stakeReference must be text")
        stake_reference = None
    authority_key = document.get("poaAuthorityKey")
    if authority_key is not None and not (
        isinstance(authority_key, str) and _SEED.match(authority_key)
    ):
        # Never echo it: it is a private key, or meant to be one.
        problems.append(
            f"CONFIG_FILE {path}: poaAuthorityKey must be an Ed25519 seed of 64 hex characters"
            + ("" if isinstance(authority_key, str) else " (quote it: YAML read a number)")
        )
        authority_key = None
    return Consensus(
        mode=mode,
        bonded_stake_amount=amounts["bondedStakeAmount"],
        min_effective_stake=amounts["minEffectiveStake"],
        stake_reference=stake_reference,
        poa_authority_key=Secret(str(authority_key)) if authority_key else None,
        authority_set=tuple(authorities),
    )


def _check_endpoint(url: str, dev_mode: bool, problems: list[str]) -> None:
    parts, problem = url_problem(url)
    if problem is not None:
        problems.append(f"CHAIN_ENDPOINT {problem}")
        return
    if parts.scheme == "http" and not is_loopback_host(parts.hostname or "") and not dev_mode:
        problems.append(
            "CHAIN_ENDPOINT uses plain http to a non-loopback host; use https, or set "
            "DEV_MODE=true for a development chain"
        )


def _parse_keys(items: tuple[str, ...], problems: list[str]) -> tuple[tuple[str, str], ...]:
    keys: list[tuple[str, str]] = []
    for item in items:
        name, sep, key = item.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", name) or not _PUBLIC_KEY.match(key):
            problems.append(
                f"WS_AUTHORIZED_KEYS entry {item!r} must be name=<64 hex chars of an Ed25519 public key>"
            )
            continue
        keys.append((name, key))
    return tuple(keys)


_SDK_KEY = {LLMProvider.ANTHROPIC: "ANTHROPIC_API_KEY", LLMProvider.OPENAI: "OPENAI_API_KEY"}


def _llm(r: _Reader) -> tuple[LLMProvider, Secret | None, Secret | None]:
    """The LLM provider (inferred from which key is set when LLM_PROVIDER is unset), its key,
    and the embedder's OpenAI key."""
    keys = {name: r[name] for name in ("LLM_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_API_KEY")}
    provider = r["LLM_PROVIDER"]
    if provider is None:
        if keys["LLM_API_KEY"] or keys["ANTHROPIC_API_KEY"]:
            provider = LLMProvider.ANTHROPIC
        elif keys["OPENAI_API_KEY"]:
            provider = LLMProvider.OPENAI
        else:
            provider = LLMProvider.OFFLINE
    llm_key = keys["LLM_API_KEY"] or (keys[_SDK_KEY[provider]] if provider in _SDK_KEY else None)
    if provider is not LLMProvider.OFFLINE and llm_key is None:
        r.problems.append(
            f"LLM_PROVIDER={provider.value} needs LLM_API_KEY (or {_SDK_KEY[provider]}); "
            "unset LLM_PROVIDER to use the offline negotiator"
        )
    # The remote embedder is always OpenAI's: an Anthropic LLM key is never sent there.
    embedding_key = r["EMBEDDING_API_KEY"] or keys["OPENAI_API_KEY"]
    if embedding_key is None and provider is LLMProvider.OPENAI:
        embedding_key = llm_key
    if embedding_key is None and r["EMBEDDING_PROVIDER"] is EmbeddingProvider.OPENAI:
        r.problems.append(
            "EMBEDDING_PROVIDER=openai needs an OpenAI key: EMBEDDING_API_KEY, OPENAI_API_KEY, "
            "or LLM_API_KEY with LLM_PROVIDER=openai"
        )
    return provider, llm_key, embedding_key


def _check_binds(values: Mapping[str, Any], problems: list[str]) -> None:
    for name in ("HEALTH_HOST", "WS_HOST"):
        host = values[SPEC_BY_NAME[name].field or ""]
        if literal_ip(host) is None and host != "localhost":
            problems.append(f"{name}={host!r} must be an IP address or localhost")
        elif not is_loopback_host(host) and not values["allow_public_bind"]:
            problems.append(
                f"{name}={host} binds beyond loopback; set ALLOW_PUBLIC_BIND=true to expose it "
                "(behind a firewall or in a container)"
            )


#: Shortest bearer token accepted: 128 bits of base64url or hex is at least this long.
MIN_API_TOKEN_CHARS = 22


def _check_api_token(values: Mapping[str, Any], problems: list[str]) -> None:
    """A token is one printable word of at least MIN_API_TOKEN_CHARS; beyond loopback the
    health server needs one, so /metrics and /api/v1/* are never open to the network."""
    token: Secret | None = values["api_token"]
    if token is not None:
        text = token.reveal()
        if len(text) < MIN_API_TOKEN_CHARS or any(c.isspace() or not c.isprintable() for c in text):
            problems.append(
                f"API_TOKEN must be one token of at least {MIN_API_TOKEN_CHARS} printable "
                "characters without spaces (e.g. `openssl rand -hex 32` into API_TOKEN_FILE)"
            )
        return
    host = values["health_host"]
    if (literal_ip(host) is not None or host == "localhost") and not is_loopback_host(host):
        problems.append(
            f"HEALTH_HOST={host} is not loopback: set API_TOKEN_FILE to a file holding a bearer "
            "token, so /metrics and /api/v1/* are not open to the network"
        )


def _check_secrets(
    r: _Reader, dev_mode: bool, private_key: Secret | None, from_env_file: Mapping[str, str]
) -> list[str]:
    """Problems with the keys, and the start warning for a raw key in ``.env``."""
    if private_key is not None and not _SEED.fullmatch(private_key.reveal()):
        r.problems.append(
            "MEDIATOR_PRIVATE_KEY must be 64 hex characters (an Ed25519 seed); "
            "`mediator-node init` writes one"
        )
    if private_key is None and not dev_mode:
        r.problems.append(
            "MEDIATOR_PRIVATE_KEY is required outside dev mode; `mediator-node init` writes one"
        )
    if dev_mode:
        return []
    for spec in SPECS:
        secret = r.value(spec) if spec.secret else None
        if secret is not None and _PLACEHOLDER.match(secret.reveal()):
            r.problems.append(f"{spec.name} looks like a placeholder; set the real value")
    if (
        private_key is not None
        and "MEDIATOR_PRIVATE_KEY" in from_env_file
        and "MEDIATOR_PRIVATE_KEY" not in r.from_files
    ):
        return [
            "MEDIATOR_PRIVATE_KEY is written in .env in plain text outside dev mode; move it to "
            "a file of its own (mode 600, outside DATA_DIR) and set MEDIATOR_PRIVATE_KEY_FILE"
        ]
    return []


#: In dev mode without MEDIATOR_PRIVATE_KEY the node keeps its key here, beside config.yaml.
DEV_KEY_FILE = ".dev-mediator.key"


@dataclass(frozen=True, slots=True)
class _KeyFiles:
    key_file: Path | None
    retired_file: Path | None
    retired: tuple[Secret, ...]
    warnings: tuple[str, ...]


def _check_key_files(
    r: _Reader, *, cwd: Path, data_dir: Path, config_file: Path, dev_mode: bool
) -> _KeyFiles:
    """Where the signing key and its retired keys live, and what is wrong with them: no key
    file under DATA_DIR (it is backed up and may be shared), none the node's user lets group
    or others read; the retired keys parsed, every bad line named by its number only."""
    from mediator_actors import keyfiles

    warnings: list[str] = []
    given = r.given("MEDIATOR_PRIVATE_KEY_FILE")
    key_file = (cwd / given).resolve() if given is not None else None
    explicit = r.given("MEDIATOR_RETIRED_KEYS_FILE")
    if explicit is not None:
        retired_file: Path | None = (cwd / explicit).resolve()
    elif key_file is not None:
        retired_file = keyfiles.default_retired_file(key_file)
    elif dev_mode and r.given("MEDIATOR_PRIVATE_KEY") is None:
        retired_file = keyfiles.default_retired_file(config_file.parent / DEV_KEY_FILE)
    else:
        retired_file = None
    for variable, path in (
        ("MEDIATOR_PRIVATE_KEY_FILE", key_file),
        ("MEDIATOR_RETIRED_KEYS_FILE", retired_file),
    ):
        if path is None:
            continue
        if path.is_relative_to(data_dir):
            r.problems.append(
                f"{variable}={path} is inside DATA_DIR {data_dir}, which is backed up and may "
                "be shared: keep keys outside it (`mediator-node init` uses ./secrets/)"
            )
        problem, warning = keyfiles.mode_problem(path, variable)
        if problem is not None:
            r.problems.append(problem)
        if warning is not None:
            warnings.append(warning)
    retired: list[Secret] = []
    if retired_file is not None and retired_file.is_file():
        try:
            text = retired_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            r.problems.append(
                f"MEDIATOR_RETIRED_KEYS_FILE={retired_file} cannot be read: {type(exc).__name__}"
            )
        else:
            retired, problems = keyfiles.parse_retired_keys(text, str(retired_file))
            r.problems += problems
    return _KeyFiles(key_file, retired_file, tuple(retired), tuple(warnings))


def load_settings(environ: Mapping[str, str] | None = None, *, cwd: Path | None = None) -> Settings:
    """Read, validate and return the settings, or raise :class:`ConfigError` listing all problems."""
    environ = dict(os.environ if environ is None else environ)
    cwd = Path.cwd() if cwd is None else cwd
    env_file = cwd / environ.get("ENV_FILE", ".env")
    from_file, file_problems = read_env_file(env_file)
    r = _Reader({**from_file, **environ}, cwd)
    r.problems += file_problems  # reported with the rest, not alone
    # Simple settings straight from the table; the rest are worked out below.
    values: dict[str, Any] = {spec.field: r.value(spec) for spec in SPECS if spec.field}

    chain_endpoint = values["chain_endpoint"]
    dev_mode = r["DEV_MODE"]
    if dev_mode is None:
        dev_mode = chain_endpoint is None
    if chain_endpoint is None and not dev_mode:
        r.problems.append("CHAIN_ENDPOINT is required when DEV_MODE=false")
    if chain_endpoint is not None:
        _check_endpoint(chain_endpoint, dev_mode, r.problems)
    chain_id = values["chain_id"] or ("natlangchain-dev" if dev_mode else "")
    if not chain_id:
        r.problems.append("CHAIN_ID is required outside dev mode; set it to the chain's identifier")
    provider, llm_key, embedding_key = _llm(r)
    fallback = values["llm_fallback_provider"]
    if fallback not in (None, LLMProvider.OFFLINE) and values["llm_fallback_api_key"] is None:
        r.problems.append(f"LLM_FALLBACK_PROVIDER={fallback.value} needs LLM_FALLBACK_API_KEY")
    warnings = _check_secrets(r, dev_mode, values["mediator_private_key"], from_file)
    if values["log_level"] == "DEBUG" and not dev_mode:
        warnings.append(
            "LOG_LEVEL=debug outside dev mode: debug lines may carry chain prose and request "
            "detail; use info in production (the runbook's security checklist)"
        )
    warnings += misspelling_warnings(from_file, str(env_file))
    warnings += misspelling_warnings(environ, "the environment")

    data_dir = (cwd / values["data_dir"]).resolve()
    config_file = (cwd / values["config_file"]).resolve()
    for resolver in values["challenge_resolvers"]:
        if not is_did_key(resolver):
            r.problems.append(f"CHALLENGE_RESOLVERS entry {resolver!r} is not an Ed25519 did:key")
    for authority in values["dispute_authorities"]:
        ident = authority.partition("=")[0].strip()
        if not ident or len(ident) > 256 or any(c.isspace() for c in ident):
            r.problems.append(
                f"DISPUTE_AUTHORITIES entry {authority!r} needs an author id (id or id=Name)"
            )
    values.update(
        dev_mode=dev_mode,
        chain_endpoint=chain_endpoint.rstrip("/") if chain_endpoint else None,
        chain_id=chain_id,
        llm_provider=provider,
        llm_api_key=llm_key,
        embedding_api_key=embedding_key,
        llm_model=values["llm_model"] or DEFAULT_MODELS[provider],
        llm_fallback_model=(
            values["llm_fallback_model"] or DEFAULT_MODELS[values["llm_fallback_provider"]]
            if values["llm_fallback_provider"] is not None
            else None
        ),
        data_dir=data_dir,
        vector_db_path=(
            (cwd / values["vector_db_path"]).resolve()
            if values["vector_db_path"]
            else data_dir / "vectors"
        ),
        log_file=(cwd / values["log_file"]).resolve() if values["log_file"] else None,
        config_file=config_file,
        ws_authorized_keys=_parse_keys(values["ws_authorized_keys"], r.problems),
    )
    _check_binds(values, r.problems)
    _check_api_token(values, r.problems)
    keys = _check_key_files(
        r, cwd=cwd, data_dir=data_dir, config_file=config_file, dev_mode=dev_mode
    )
    warnings += keys.warnings
    values["retired_keys_file"] = keys.retired_file
    consensus = _read_consensus(config_file, r.problems)
    if r.problems:
        raise ConfigError(list(dict.fromkeys(r.problems)))  # a value read twice, told once
    return Settings(
        **values,
        mediator_private_key_file=keys.key_file,
        retired_keys=keys.retired,
        consensus=consensus,
        warnings=tuple(warnings),
    )


def settings_fields() -> frozenset[str]:
    """The :class:`Settings` fields the table must fill (a test checks they agree)."""
    derived = {"consensus", "warnings", "mediator_private_key_file", "retired_keys"}
    return frozenset(f.name for f in fields(Settings)) - derived
