"""Configuration: every setting declared once, read from the environment, ``.env`` and
``config.yaml``, validated all at once at start.

Precedence: process environment, then ``.env`` (in the working directory, or ``ENV_FILE``),
then the declared default. ``config.yaml`` (``CONFIG_FILE``) holds the consensus section.
Errors name the variable and say what to change; secrets are :class:`Secret` and print as
``***`` everywhere.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from mediator_actors.endpoints import is_loopback_host, literal_ip, url_problem
from mediator_actors.errors import ConfigError
from mediator_actors.model import is_hex_id
from mediator_actors.safety.secrets import Secret

_PUBLIC_KEY = re.compile(r"^[0-9a-f]{64}$")
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


@dataclass(frozen=True, slots=True)
class Settings:
    """The validated configuration. Build it with :func:`load_settings`."""

    dev_mode: bool
    chain_endpoint: str | None
    chain_id: str
    chain_api_key: Secret | None
    llm_provider: LLMProvider
    llm_api_key: Secret | None
    llm_model: str
    mediator_private_key: Secret | None
    facilitation_fee_percent: float
    health_host: str
    health_port: int
    ws_host: str
    ws_port: int
    log_level: str
    log_format: str
    data_dir: Path
    vector_db_path: Path
    vector_dimensions: int | None
    max_intents_cache: int
    config_file: Path
    embedding_provider: EmbeddingProvider
    acceptance_window_hours: float
    min_negotiation_confidence: int
    negotiator_pool_size: int
    llm_max_calls_per_hour: int
    llm_max_calls_per_day: int
    ws_authorized_keys: tuple[tuple[str, str], ...]
    ws_auth_timeout_ms: int
    ws_max_connections: int
    challenge_resolvers: tuple[str, ...]
    max_intent_flags: int
    poll_interval_seconds: float
    allow_public_bind: bool
    consensus: Consensus = field(default_factory=Consensus)
    #: Bearer token for /metrics and /api/v1/* (API_TOKEN_FILE); required beyond loopback.
    api_token: Secret | None = None

    def secrets(self) -> list[str]:
        """Every configured secret value, for the outbound secret scanner."""
        values = [
            self.chain_api_key,
            self.llm_api_key,
            self.mediator_private_key,
            self.consensus.poa_authority_key,
            self.api_token,
        ]
        return [s.reveal() for s in values if s is not None and s.reveal()]


@dataclass(frozen=True, slots=True)
class Spec:
    """One environment variable: its parser, default (a string, parsed too) and help."""

    name: str
    help: str
    default: str | None = None
    secret: bool = False


#: Every variable the node reads, with its help text. ``init`` writes these into ``.env``
#: and a test checks that each is documented in the README.
SPECS: tuple[Spec, ...] = (
    Spec("CHAIN_ENDPOINT", "NatLangChain node URL; unset runs the embedded dev chain (dev mode)"),
    Spec("CHAIN_ID", "chain identifier; required outside dev mode", None),
    Spec("CHAIN_API_KEY", "sent as X-API-Key when the chain runs with auth on", None, True),
    Spec("LLM_PROVIDER", "anthropic | openai | offline (default: offline unless a key is set)"),
    Spec(
        "LLM_API_KEY",
        "API key for the LLM provider (or ANTHROPIC_API_KEY / OPENAI_API_KEY)",
        None,
        True,
    ),
    Spec("LLM_MODEL", "model id; defaults per provider"),
    Spec(
        "MEDIATOR_PRIVATE_KEY", "Ed25519 private key (64 hex chars) that signs entries", None, True
    ),
    Spec(
        "FACILITATION_FEE_PERCENT", "fee, as a percentage (0-100) of the settlement's value", "0.01"
    ),
    Spec("HEALTH_HOST", "address the health server binds", "127.0.0.1"),
    Spec("HEALTH_PORT", "health server port (0 picks a free one)", "8081"),
    Spec("WS_HOST", "address the monitoring WebSocket binds", "127.0.0.1"),
    Spec("WS_PORT", "monitoring WebSocket port (0 picks a free one)", "9000"),
    Spec("LOG_LEVEL", "debug | info | warn | error", "info"),
    Spec("LOG_FORMAT", "json (one object a line) | text", "json"),
    Spec("DATA_DIR", "where the store, vectors, settlements and disputes live", "./data"),
    Spec("VECTOR_DB_PATH", "HNSW index folder (default: DATA_DIR/vectors)"),
    Spec("VECTOR_DIMENSIONS", "must match the embedder's dimension, or start fails"),
    Spec("MAX_INTENTS_CACHE", "most open intents kept in the index", "10000"),
    Spec("CONFIG_FILE", "YAML file with the consensus section", "config.yaml"),
    Spec("EMBEDDING_PROVIDER", "local | openai | hash", "local"),
    Spec("ACCEPTANCE_WINDOW_HOURS", "hours the parties have to accept a proposal", "72"),
    Spec(
        "MIN_NEGOTIATION_CONFIDENCE", "lowest confidence (0-100) that may become a proposal", "60"
    ),
    Spec("NEGOTIATOR_POOL_SIZE", "concurrent negotiations", "4"),
    Spec("LLM_MAX_CALLS_PER_HOUR", "LLM spending cap per hour", "200"),
    Spec("LLM_MAX_CALLS_PER_DAY", "LLM spending cap per day", "2000"),
    Spec("WS_AUTHORIZED_KEYS", "name=ed25519-public-key-hex pairs, comma separated", ""),
    Spec("WS_AUTH_TIMEOUT_MS", "time a WebSocket client has to answer the challenge", "5000"),
    Spec("WS_MAX_CONNECTIONS", "most monitoring WebSocket connections", "1000"),
    Spec("CHALLENGE_RESOLVERS", "ids allowed to resolve challenges, comma separated", ""),
    Spec("MAX_INTENT_FLAGS", "distinct mediators' flags that archive an intent", "5"),
    Spec("POLL_INTERVAL_SECONDS", "how often the chain is polled", "2"),
    Spec("DEV_MODE", "true allows development-only settings; default: true iff no CHAIN_ENDPOINT"),
    Spec("ALLOW_PUBLIC_BIND", "true lets HEALTH_HOST/WS_HOST bind non-loopback addresses", "false"),
    Spec(
        "API_TOKEN_FILE",
        "file holding the bearer token /metrics and /api/v1/* require; needed when HEALTH_HOST "
        "is not loopback (the probes stay open)",
    ),
    Spec("ENV_FILE", "the .env file to read", ".env"),
)


class _Reader:
    """Collects every problem instead of stopping at the first one."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = values
        self.problems: list[str] = []
        self._defaults = {s.name: s.default for s in SPECS}

    def raw(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or value.strip() == "":
            return self._defaults.get(name)
        return value.strip()

    def text(self, name: str) -> str:
        return self.raw(name) or ""

    def parse(self, name: str, parser: Callable[[str], Any], what: str, fallback: Any) -> Any:
        value = self.raw(name)
        if value is None:
            return fallback
        try:
            return parser(value)
        except (ValueError, TypeError):
            self.problems.append(f"{name}={_shown(name, value)} is not {what}")
            return fallback

    def number(self, name: str, low: float, high: float, *, integer: bool, fallback: Any) -> Any:
        kind = "a whole number" if integer else "a number"
        value = self.parse(name, int if integer else float, kind, None)
        if value is None:
            return fallback
        if math.isnan(value) or not (low <= value <= high):
            self.problems.append(f"{name}={value} must be between {low:g} and {high:g}")
            return fallback
        return value

    def boolean(self, name: str, fallback: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return fallback
        if value.lower() in {"1", "true", "yes", "on"}:
            return True
        if value.lower() in {"0", "false", "no", "off"}:
            return False
        self.problems.append(f"{name}={value} must be true or false")
        return fallback

    def choice(self, name: str, enum: type[StrEnum], fallback: StrEnum) -> Any:
        value = self.raw(name)
        if value is None:
            return fallback
        try:
            return enum(value.lower())
        except ValueError:
            allowed = " | ".join(member.value for member in enum)
            self.problems.append(f"{name}={value} is not one of: {allowed}")
            return fallback

    def secret(self, *names: str) -> Secret | None:
        for name in names:
            value = self.raw(name)
            if value:
                return Secret(value)
        return None


def _shown(name: str, value: str) -> str:
    spec = next((s for s in SPECS if s.name == name), None)
    return "***" if spec is not None and spec.secret else repr(value)


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a ``.env`` file: ``KEY=VALUE`` lines, ``#`` comments, optional quotes."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.removeprefix("export ").partition("=")
        if not sep or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", key.strip()):
            raise ConfigError([f"{path}:{number}: expected KEY=VALUE"])
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


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
        isinstance(a, str) and _PUBLIC_KEY.match(a) for a in authorities
    ):
        problems.append(f"CONFIG_FILE {path}: authoritySet must be a list of 64-hex public keys")
        authorities = []
    stake_reference = document.get("stakeReference")
    if stake_reference is not None and not isinstance(stake_reference, str):
        problems.append(f"CONFIG_FILE {path}: stakeReference must be text")
        stake_reference = None
    authority_key = document.get("poaAuthorityKey")
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


#: Shortest bearer token accepted: 128 bits of base64url or hex is at least this long.
MIN_API_TOKEN_CHARS = 22


def _read_api_token(path_text: str | None, cwd: Path, problems: list[str]) -> Secret | None:
    """The bearer token in API_TOKEN_FILE (one line; surrounding whitespace dropped)."""
    if path_text is None:
        return None
    path = cwd / path_text
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"API_TOKEN_FILE {path} cannot be read ({type(exc).__name__})")
        return None
    if len(token) < MIN_API_TOKEN_CHARS or any(c.isspace() or not c.isprintable() for c in token):
        problems.append(
            f"API_TOKEN_FILE {path} must hold one token of at least {MIN_API_TOKEN_CHARS} "
            "printable characters without spaces (e.g. `openssl rand -hex 32`)"
        )
        return None
    return Secret(token)


def _parse_keys(text: str, problems: list[str]) -> tuple[tuple[str, str], ...]:
    keys: list[tuple[str, str]] = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, key = item.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", name) or not _PUBLIC_KEY.match(key):
            problems.append(
                f"WS_AUTHORIZED_KEYS entry {item!r} must be name=<64 hex chars of an Ed25519 public key>"
            )
            continue
        keys.append((name, key))
    return tuple(keys)


def load_settings(  # noqa: PLR0912, PLR0915 - one straight validation pass over every setting
    environ: Mapping[str, str] | None = None, *, cwd: Path | None = None
) -> Settings:
    """Read, validate and return the settings, or raise :class:`ConfigError` listing all problems."""
    environ = dict(os.environ if environ is None else environ)
    cwd = Path.cwd() if cwd is None else cwd
    env_file = cwd / environ.get("ENV_FILE", ".env")
    values = {**read_env_file(env_file), **environ}
    r = _Reader(values)

    chain_endpoint = r.raw("CHAIN_ENDPOINT")
    dev_mode = r.boolean("DEV_MODE", chain_endpoint is None)
    if chain_endpoint is None and not dev_mode:
        r.problems.append("CHAIN_ENDPOINT is required when DEV_MODE=false")
    if chain_endpoint is not None:
        _check_endpoint(chain_endpoint, dev_mode, r.problems)
    chain_id = r.raw("CHAIN_ID") or ("natlangchain-dev" if dev_mode else "")
    if not chain_id:
        r.problems.append("CHAIN_ID is required outside dev mode; set it to the chain's identifier")

    llm_key: Secret | None
    provider = r.choice("LLM_PROVIDER", LLMProvider, LLMProvider.OFFLINE)
    if r.raw("LLM_PROVIDER") is None:
        if r.raw("LLM_API_KEY") or r.raw("ANTHROPIC_API_KEY"):
            provider = LLMProvider.ANTHROPIC
        elif r.raw("OPENAI_API_KEY"):
            provider = LLMProvider.OPENAI
    sdk_variable = {
        LLMProvider.ANTHROPIC: "ANTHROPIC_API_KEY",
        LLMProvider.OPENAI: "OPENAI_API_KEY",
    }
    llm_key = r.secret("LLM_API_KEY", sdk_variable.get(provider, "LLM_API_KEY"))
    if provider is not LLMProvider.OFFLINE and llm_key is None:
        r.problems.append(
            f"LLM_PROVIDER={provider.value} needs LLM_API_KEY (or {sdk_variable[provider]}); "
            "unset LLM_PROVIDER to use the offline negotiator"
        )

    private_key = r.secret("MEDIATOR_PRIVATE_KEY")
    if private_key is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", private_key.reveal()):
        r.problems.append(
            "MEDIATOR_PRIVATE_KEY must be 64 hex characters (an Ed25519 seed); "
            "`mediator-node init` writes one"
        )
    if private_key is None and not dev_mode:
        r.problems.append(
            "MEDIATOR_PRIVATE_KEY is required outside dev mode; `mediator-node init` writes one"
        )
    chain_api_key = r.secret("CHAIN_API_KEY")
    if not dev_mode:
        for name, secret in (
            ("LLM_API_KEY", llm_key),
            ("CHAIN_API_KEY", chain_api_key),
            ("MEDIATOR_PRIVATE_KEY", private_key),
        ):
            if secret is not None and _PLACEHOLDER.match(secret.reveal()):
                r.problems.append(f"{name} looks like a placeholder; set the real value")

    allow_public_bind = r.boolean("ALLOW_PUBLIC_BIND", False)
    hosts = {}
    for name in ("HEALTH_HOST", "WS_HOST"):
        host = r.text(name)
        if literal_ip(host) is None and host != "localhost":
            r.problems.append(f"{name}={host!r} must be an IP address or localhost")
        elif not is_loopback_host(host) and not allow_public_bind:
            r.problems.append(
                f"{name}={host} binds beyond loopback; set ALLOW_PUBLIC_BIND=true to expose it "
                "(behind a firewall or in a container)"
            )
        hosts[name] = host

    api_token = _read_api_token(r.raw("API_TOKEN_FILE"), cwd, r.problems)
    health_host = hosts["HEALTH_HOST"]
    valid_host = literal_ip(health_host) is not None or health_host == "localhost"
    if api_token is None and valid_host and not is_loopback_host(health_host):
        r.problems.append(
            f"HEALTH_HOST={hosts['HEALTH_HOST']} is not loopback: set API_TOKEN_FILE to a file "
            "holding a bearer token, so /metrics and /api/v1/* are not open to the network"
        )

    log_level = r.text("LOG_LEVEL").lower()
    if log_level not in _LOG_LEVELS:
        r.problems.append(f"LOG_LEVEL={log_level} is not one of: debug | info | warn | error")
        log_level = "info"
    log_format = r.text("LOG_FORMAT").lower()
    if log_format not in {"json", "text"}:
        r.problems.append(f"LOG_FORMAT={log_format} is not one of: json | text")
        log_format = "json"

    data_dir = (cwd / r.text("DATA_DIR")).resolve()
    vector_path_text = r.raw("VECTOR_DB_PATH")
    vector_db_path = (
        (cwd / vector_path_text).resolve() if vector_path_text else data_dir / "vectors"
    )
    config_file = (cwd / r.text("CONFIG_FILE")).resolve()
    consensus = _read_consensus(config_file, r.problems)
    resolvers = tuple(filter(None, (p.strip() for p in r.text("CHALLENGE_RESOLVERS").split(","))))
    for resolver in resolvers:
        if not is_hex_id(resolver):
            r.problems.append(f"CHALLENGE_RESOLVERS entry {resolver!r} is not a lowercase hex id")

    settings = Settings(
        dev_mode=dev_mode,
        chain_endpoint=chain_endpoint.rstrip("/") if chain_endpoint else None,
        chain_id=chain_id,
        chain_api_key=chain_api_key,
        llm_provider=provider,
        llm_api_key=llm_key,
        llm_model=r.raw("LLM_MODEL") or DEFAULT_MODELS[provider],
        mediator_private_key=private_key,
        facilitation_fee_percent=r.number(
            "FACILITATION_FEE_PERCENT", 0, 100, integer=False, fallback=0.01
        ),
        health_host=hosts["HEALTH_HOST"],
        health_port=r.number("HEALTH_PORT", 0, 65535, integer=True, fallback=8081),
        ws_host=hosts["WS_HOST"],
        ws_port=r.number("WS_PORT", 0, 65535, integer=True, fallback=9000),
        log_level=_LOG_LEVELS[log_level],
        log_format=log_format,
        data_dir=data_dir,
        vector_db_path=vector_db_path,
        vector_dimensions=r.number("VECTOR_DIMENSIONS", 1, 65536, integer=True, fallback=None),
        max_intents_cache=r.number(
            "MAX_INTENTS_CACHE", 1, 10_000_000, integer=True, fallback=10000
        ),
        config_file=config_file,
        embedding_provider=r.choice(
            "EMBEDDING_PROVIDER", EmbeddingProvider, EmbeddingProvider.LOCAL
        ),
        acceptance_window_hours=r.number(
            "ACCEPTANCE_WINDOW_HOURS", 0.001, 24 * 365, integer=False, fallback=72.0
        ),
        min_negotiation_confidence=r.number(
            "MIN_NEGOTIATION_CONFIDENCE", 0, 100, integer=True, fallback=60
        ),
        negotiator_pool_size=r.number("NEGOTIATOR_POOL_SIZE", 1, 256, integer=True, fallback=4),
        llm_max_calls_per_hour=r.number(
            "LLM_MAX_CALLS_PER_HOUR", 0, 10_000_000, integer=True, fallback=200
        ),
        llm_max_calls_per_day=r.number(
            "LLM_MAX_CALLS_PER_DAY", 0, 100_000_000, integer=True, fallback=2000
        ),
        ws_authorized_keys=_parse_keys(r.text("WS_AUTHORIZED_KEYS"), r.problems),
        ws_auth_timeout_ms=r.number(
            "WS_AUTH_TIMEOUT_MS", 100, 600_000, integer=True, fallback=5000
        ),
        ws_max_connections=r.number("WS_MAX_CONNECTIONS", 1, 100_000, integer=True, fallback=1000),
        challenge_resolvers=resolvers,
        max_intent_flags=r.number("MAX_INTENT_FLAGS", 1, 1000, integer=True, fallback=5),
        poll_interval_seconds=r.number(
            "POLL_INTERVAL_SECONDS", 0.05, 3600, integer=False, fallback=2.0
        ),
        allow_public_bind=allow_public_bind,
        consensus=consensus,
        api_token=api_token,
    )
    if r.problems:
        raise ConfigError(r.problems)
    return settings
