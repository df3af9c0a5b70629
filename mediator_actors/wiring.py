"""Which actors the node runs and how they are built: the one place that knows every module.

Order matters: the supervision tree starts children in this order and stops them in reverse,
so producers (the chain listener) start after their consumers' stores exist and stop first.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pykka

from mediator_actors.actors.chain_listener import ChainListener
from mediator_actors.actors.chain_writer import ChainWriterActor
from mediator_actors.actors.dispute_handler import DisputeHandler
from mediator_actors.actors.health_reporter import HealthReporter
from mediator_actors.actors.index_keeper import IndexKeeper
from mediator_actors.actors.messages import ReadinessChanged, Roles
from mediator_actors.actors.negotiator_pool import pool_spec
from mediator_actors.actors.settlement_agent import SettlementAgent
from mediator_actors.chain import flags as intent_flags
from mediator_actors.chain import records as chain_records
from mediator_actors.chain import tables as chain_tables
from mediator_actors.chain.client import RATE_WINDOW, ChainClient, RequestPacer
from mediator_actors.chain.follower import ChainFollower
from mediator_actors.chain.scanner import ScanMode
from mediator_actors.chain.writer import ChainWriter
from mediator_actors.challenges.writer import ChallengeWriter
from mediator_actors.config import DEV_KEY_FILE, LLMProvider, Settings
from mediator_actors.disputes import records as dispute_tables
from mediator_actors.disputes.book import DisputeBook, parse_authorities
from mediator_actors.disputes.clarify import Clarifications, Clarifier, JsonModel
from mediator_actors.edge.hub import EventHub
from mediator_actors.edge.llmrequests import count_requests as count_llm_requests
from mediator_actors.edge.opsmetrics import ErrorCounter, node_metrics
from mediator_actors.edge.server import EdgeServer
from mediator_actors.edge.servers import Edge, build_edge
from mediator_actors.edge.store_readmodel import StoreReadModel
from mediator_actors.edge.tickets import DASHBOARD_TOKEN_FILE
from mediator_actors.embedding.base import Embedder
from mediator_actors.embedding.factory import make_embedder_from_settings
from mediator_actors.errors import ConfigError
from mediator_actors.health.report import SnapshotBox
from mediator_actors.health.resources import ResourceSampler
from mediator_actors.index import vectors as vector_table
from mediator_actors.index.keeper import IndexCore, make_index_core
from mediator_actors.negotiation import records as negotiation_tables
from mediator_actors.negotiation.records import recent_metered_calls
from mediator_actors.negotiation.service import build_negotiator
from mediator_actors.node import Closers, Foundation, Node, Readiness
from mediator_actors.runtime.offload import run_blocking
from mediator_actors.safety.secrets import Secret
from mediator_actors.safety.secretscan import SecretScanner
from mediator_actors.settlement import records as settlement_tables
from mediator_actors.settlement import reputation as reputation_table
from mediator_actors.settlement.consensus import check_can_start
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.settlement.proposals import ProposalPolicy
from mediator_actors.settlement.rotation import key_report, start_lines
from mediator_actors.signing import Keyring, MediatorKey
from mediator_actors.stats import NodeStats
from mediator_actors.store import Migration, Store
from mediator_actors.store import intents as intents_table
from mediator_actors.store import jobs as jobs_table
from supervisors import ChildSpec, Link, RoleRegistry, StatusBoard

if TYPE_CHECKING:
    from mediator_actors.chain.devchain import DevChain

logger = logging.getLogger(__name__)

ALL_MIGRATIONS: tuple[Migration, ...] = (
    *jobs_table.MIGRATIONS,
    *intents_table.MIGRATIONS,
    *chain_tables.MIGRATIONS,
    *intent_flags.MIGRATIONS,
    *vector_table.MIGRATIONS,
    *negotiation_tables.MIGRATIONS,
    *settlement_tables.MIGRATIONS,
    *reputation_table.MIGRATIONS,
    *negotiation_tables.DECISION_MIGRATIONS,
    *dispute_tables.MIGRATIONS,
)

#: Seconds between dev-chain blocks when the node runs it (the real chain never auto-mines).
DEV_CHAIN_AUTO_MINE = 5.0


def dev_private_key(folder: Path) -> Secret:
    """The dev-mode signing key: created once in ``folder`` (mode 600) and reused.

    It lives beside config.yaml, not under DATA_DIR: no secret is ever written under data/
    (threats.md H), so data/ can be backed up and shared freely."""
    path = folder / DEV_KEY_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return Secret(path.read_text().strip())


@dataclass(frozen=True, slots=True)
class Runtime:
    """Everything start-up built, typed: what ``build_children`` wires the actors from and
    what callers of :meth:`Node.start` (the demo, tests) read."""

    settings: Settings
    store: Store
    registry: RoleRegistry
    board: StatusBoard
    readiness: Readiness
    closers: Closers
    started_at: float
    chain_endpoint: str
    #: The embedded dev chain in dev mode, else None.
    dev_chain: DevChain | None
    key: MediatorKey
    #: ``key`` and the retired keys kept for the settlements they proposed.
    keyring: Keyring
    scanner: SecretScanner
    hub: EventHub
    box: SnapshotBox
    edge: Edge
    stats: NodeStats
    #: Built (and checked against VECTOR_DIMENSIONS) before the tree starts.
    embedder: Embedder
    embedder_degraded: str | None


def _start_server(server: EdgeServer, *, variable: str) -> tuple[str, int]:
    """Bind one edge server; a port in use is a configuration problem, named once."""
    try:
        return server.start()
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise ConfigError(
                [
                    f"{variable}={server.port}: cannot listen on {server.host}:{server.port} "
                    f"({os.strerror(exc.errno)}); stop what holds it or choose another port"
                ]
            ) from None
        raise


def _start_servers(edge: Edge) -> tuple[tuple[str, int], tuple[str, int]]:
    """Bind the health server and the WebSocket. Both are tried before refusing, so two ports
    in use are named in the one refusal."""
    bound: list[tuple[str, int]] = []
    problems: list[str] = []
    for server, variable in ((edge.health, "HEALTH_PORT"), (edge.ws, "WS_PORT")):
        try:
            bound.append(_start_server(server, variable=variable))
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return bound[0], bound[1]


def _drain_snapshot(box: SnapshotBox) -> Callable[[Readiness], None]:
    """Readiness turns 503 the moment a drain begins, not at the reporter's next round."""

    def update(readiness: Readiness) -> None:
        if readiness.draining or readiness.gave_up is not None:
            current = box.get()
            box.set(
                replace(
                    current,
                    draining=current.draining or readiness.draining,
                    root_gave_up=current.root_gave_up or readiness.gave_up is not None,
                )
            )

    return update


def _wake_reporter(registry: RoleRegistry) -> Callable[[Readiness], None]:
    """The reporter snapshots at once when the tree has started (or a drain begins), so
    ``/health/ready`` turns 200 then, not at its next round."""

    def wake(readiness: Readiness) -> None:
        registry.tell(Roles.HEALTH_REPORTER, ReadinessChanged())

    return wake


def prepare(
    base: Foundation,
    *,
    dev_auto_mine: float = DEV_CHAIN_AUTO_MINE,
    simulated_parties: bool = True,
    dev_clock: Callable[[], float] = time.time,
    dev_secret_scan: ScanMode = ScanMode.REDACT,
    dev_rate_window: float = RATE_WINDOW,
) -> Runtime:
    """Start what the actors need before they start, in order: the dev chain (dev mode),
    the key and consensus checks, the embedder, the edge. Every configuration problem
    found here is a :class:`ConfigError` (exit 2), before any actor could crash-loop.
    The dev chain runs with the real node's defaults (its scanner in ``dev_secret_scan``
    mode, its entry and request limits, counted over ``dev_rate_window`` seconds)."""
    settings = base.settings
    v1_problem = base.store.read(chain_records.v1_store_problem)
    if v1_problem is not None:  # exit 2 like any setting to change, never a restart loop
        raise ConfigError([f"DATA_DIR {settings.data_dir}: {v1_problem}"])
    endpoint = settings.chain_endpoint
    dev_chain: DevChain | None = None
    if endpoint is None:
        from mediator_actors.chain.demo import seed_demo
        from mediator_actors.chain.devchain import DevChain

        state_file = settings.data_dir / "devchain.json"
        if not state_file.exists():
            # Seeded aside and renamed into place: a process killed mid-seed used to leave
            # a state file with part of the demo, and the rest was never seeded.
            staging = state_file.with_name("devchain.seeding.json")
            staging.unlink(missing_ok=True)
            seed_demo(DevChain(state_file=staging))
            os.replace(staging, state_file)
        dev_chain = DevChain(
            auto_mine=dev_auto_mine,
            state_file=state_file,
            secret_scan=dev_secret_scan,
            clock=dev_clock,
            rate_window=dev_rate_window,
        )
        endpoint = dev_chain.start()
        base.closers.add("dev chain", dev_chain.stop)
        if simulated_parties:
            from mediator_actors.chain.parties import SimulatedParties

            parties = SimulatedParties(dev_chain)
            parties.start()
            base.closers.add("simulated parties", parties.stop)
        logger.warning(
            "dev mode: embedded dev chain at %s (a test double, not a real chain)", endpoint
        )
    seed = settings.mediator_private_key or dev_private_key(settings.config_file.parent)
    key = MediatorKey.from_seed_hex(seed)
    # Retired keys sign only about the settlements they proposed (protocol.md, "Key rotation").
    keyring = Keyring(key, tuple(MediatorKey.from_seed_hex(s) for s in settings.retired_keys))
    for warn, line in start_lines(base.store.read(lambda conn: key_report(conn, keyring))):
        logger.log(logging.WARNING if warn else logging.INFO, "%s", line)
    check_can_start(settings, key.mediator_id, mediator_key=key)
    # Loaded (hash-checked, offloaded) before the tree: a VECTOR_DIMENSIONS mismatch or a
    # missing key is one message and exit 2, not the index keeper failing every restart.
    embedder, degraded = run_blocking(make_embedder_from_settings, settings)
    scanner = SecretScanner([*settings.secrets(), seed])
    hub = EventHub(redact=scanner.redact_value)
    box = SnapshotBox()
    base.readiness.watch(_drain_snapshot(box))
    base.readiness.watch(_wake_reporter(base.registry))
    edge = build_edge(
        settings,
        box=box,
        hub=hub,
        server_id=key.mediator_id,
        read_model=StoreReadModel(base.store, mediator_id=key.mediator_id),
        dashboard_token_file=settings.config_file.parent / DASHBOARD_TOKEN_FILE,
    )
    stats = NodeStats(index_max=settings.max_intents_cache)
    # Errors logged by component for /metrics; removed with the edge at shutdown.
    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    base.closers.add("error counter", lambda: logging.getLogger().removeHandler(errors))
    edge.health_app.add_metrics(
        node_metrics(
            store=base.store,
            stats=stats,
            errors=errors,
            llm_limits=(settings.llm_max_calls_per_hour, settings.llm_max_calls_per_day),
        )
    )
    base.closers.add("edge servers", edge.stop)
    health, ws = _start_servers(edge)
    logger.info("edge: health on %s:%d, monitoring WebSocket on %s:%d", *health, *ws)
    edge.announce()  # the dashboard's origin, the operator's narrative and access lines
    return Runtime(
        settings=settings,
        store=base.store,
        registry=base.registry,
        board=base.board,
        readiness=base.readiness,
        closers=base.closers,
        started_at=base.started_at,
        chain_endpoint=endpoint,
        dev_chain=dev_chain,
        key=key,
        keyring=keyring,
        scanner=scanner,
        hub=hub,
        box=box,
        edge=edge,
        stats=stats,
        embedder=embedder,
        embedder_degraded=degraded,
    )


def _chain_client(runtime: Runtime, pacer: RequestPacer) -> ChainClient:
    # Private ranges stay allowed: a chain node in the same VPC or cluster is the usual
    # deployment. Link-local and metadata addresses are refused here and in the settings.
    return ChainClient(
        runtime.chain_endpoint,
        api_key=runtime.settings.chain_api_key,
        offload=run_blocking,
        allow_private=True,
        pacer=pacer,
        on_request=runtime.stats.chain_requests.record,
    )


def _index_core(runtime: Runtime) -> IndexCore:
    return make_index_core(
        runtime.settings,
        store=runtime.store,
        embedder=runtime.embedder,
        degraded=runtime.embedder_degraded,
        interrupted=lambda: runtime.readiness.draining,
    )


def build_children(runtime: Runtime) -> list[ChildSpec]:
    settings, store, registry, board = (
        runtime.settings,
        runtime.store,
        runtime.registry,
        runtime.board,
    )
    hub, stats, key, readiness = runtime.hub, runtime.stats, runtime.key, runtime.readiness
    # One budget for both: the chain counts requests per client address (100 a minute by
    # default), and reads may use at most half of it so writes always get through. The
    # window is the real node's 60 s, or the embedded dev chain's own (tests shorten it).
    window = RATE_WINDOW if runtime.dev_chain is None else runtime.dev_chain.rate_window
    pacer = RequestPacer(window=window)
    reader = _chain_client(runtime, pacer)
    poster = _chain_client(runtime, pacer)  # its own connection pool and breaker state
    runtime.closers.add("chain reader", reader.close)
    runtime.closers.add("chain poster", poster.close)
    stats.chain_breaker = reader.health_snapshot
    stats.chain_auth_problem = lambda: reader.auth_problem() or poster.auth_problem()
    retired = runtime.keyring.retired
    book = SettlementBook.from_settings(settings, key, retired_keys=retired)
    disputes = DisputeBook(
        key=key,
        retired_keys=retired,
        authorities=parse_authorities(settings.dispute_authorities),
    )
    challenges = (
        ChallengeWriter(key=key, retired_keys=retired) if settings.enable_challenges else None
    )

    negotiator = build_negotiator(settings)
    count_llm_requests(negotiator, stats.llm_requests.record)
    if negotiator.budget is not None:
        # The spending cap counts the last day's metered calls from the store: a restart
        # does not reset it.
        now = time.time()
        negotiator.budget.seed(store.read(lambda c: recent_metered_calls(c, now=now)))
    stats.llm_health = negotiator.health
    stats.llm_offline = settings.llm_provider is LLMProvider.OFFLINE
    interval = settings.poll_interval_seconds
    # The clarification asks the negotiator's provider (the same port, budget and breaker);
    # the offline negotiator has no free-text port: the offline summary, in the follower.
    model = negotiator.provider if isinstance(negotiator.provider, JsonModel) else None
    clarifier = (
        Clarifier(
            model=model,
            scanner=negotiator.scanner,
            budget=negotiator.budget,
            breaker=negotiator.breaker,
            timeout=negotiator.timeout,
        )
        if model is not None
        else None
    )
    disputes.defer_clarification = clarifier is not None
    followers: list[ChainFollower] = []

    def caught_up() -> bool:
        """The listener has read every block the chain reported (clarifications wait for
        it, so a rebuilt node reads its own before asking a model for another)."""
        if not followers or followers[-1].chain_head is None:
            return False
        return followers[-1].cursor()[0] > followers[-1].chain_head

    def draining() -> bool:
        return readiness.draining

    def start_reporter(link: Link) -> pykka.ActorRef[HealthReporter]:
        return HealthReporter.start(
            link,
            box=runtime.box,
            board=board,
            store=store,
            stats=stats,
            readiness=lambda: (
                readiness.started,
                readiness.draining,
                readiness.gave_up is not None,
            ),
            started_at=runtime.started_at,
            events=hub,
            sampler=ResourceSampler(disk_path=str(store.path.parent)),
        )

    def start_writer(link: Link) -> pykka.ActorRef[ChainWriterActor]:
        return ChainWriterActor.start(
            link,
            drainer=ChainWriter(store=store, client=poster, scanner=runtime.scanner, window=window),
            interval=interval,
        )

    def start_index(link: Link) -> pykka.ActorRef[IndexKeeper]:
        return IndexKeeper.start(
            link,
            make_core=lambda: _index_core(runtime),
            registry=registry,
            stats=stats,
            interval=interval * 5,
            paused=draining,
        )

    def start_agent(link: Link) -> pykka.ActorRef[SettlementAgent]:
        return SettlementAgent.start(
            link,
            store=store,
            book=book,
            policy=ProposalPolicy.from_settings(settings, book),
            registry=registry,
            events=hub,
            interval=interval,
        )

    def start_disputes(link: Link) -> pykka.ActorRef[DisputeHandler]:
        return DisputeHandler.start(
            link,
            store=store,
            data_dir=settings.data_dir,
            authorities=disputes.authorities,
            interval=interval * 10,
            offload=run_blocking,
            clarifications=None
            if clarifier is None
            else Clarifications(
                store=store, keyring=disputes.keyring, clarifier=clarifier, ready=caught_up
            ),
        )

    def start_listener(link: Link) -> pykka.ActorRef[ChainListener]:
        follower = ChainFollower(
            store=store,
            client=reader,
            offload=run_blocking,
            max_flags=settings.max_intent_flags,
            settlement=book,
            challenges=challenges,
            disputes=disputes,
            on_declined=lambda conn, intent, now: intent_flags.enqueue_own_flag(
                conn,
                key,
                intent.ref,
                intent_flags.decline_reason(intent) or intent_flags.FlagReason.UNSAFE,
                now=now,
            ),
            plain_prose=settings.intake_plain_prose,
            own_authors=(key.mediator_id,),
        )
        stats.chain_head = lambda: follower.chain_head
        followers[:] = [follower]
        return ChainListener.start(
            link,
            follower=follower,
            registry=registry,
            events=hub,
            interval=interval,
            paused=draining,
        )

    # Start order: the reporter first (it reports while the others start), producers last
    # (the listener starts once everything it feeds is running, and stops first).
    # Heartbeat timeouts sit above each actor's longest round: HTTP calls with 15 s
    # deadlines, an index pass over MAX_INTENTS_CACHE intents, provider calls.
    return [
        ChildSpec(Roles.HEALTH_REPORTER, start=start_reporter, heartbeat_timeout=60.0),
        ChildSpec(Roles.CHAIN_WRITER, start=start_writer, heartbeat_timeout=120.0),
        # It starts at once and loads in its first round (a round: up to a 10k rebuild or
        # 512 embeddings); its stop writes a snapshot.
        ChildSpec(
            Roles.INDEX_KEEPER,
            start=start_index,
            heartbeat_timeout=600.0,
            shutdown_timeout=20.0,
        ),
        pool_spec(
            batch=32 if settings.llm_provider is LLMProvider.OFFLINE else 1,
            events=hub,
            size=settings.negotiator_pool_size,
            store=store,
            negotiator=negotiator,
            registry=registry,
            board=board,
            interval=interval,
            paused=draining,
        ),
        ChildSpec(Roles.SETTLEMENT_AGENT, start=start_agent, heartbeat_timeout=120.0),
        ChildSpec(Roles.DISPUTE_HANDLER, start=start_disputes, heartbeat_timeout=120.0),
        ChildSpec(Roles.CHAIN_LISTENER, start=start_listener, heartbeat_timeout=300.0),
    ]


def build_node(
    settings: Settings,
    *,
    dev_auto_mine: float = DEV_CHAIN_AUTO_MINE,
    simulated_parties: bool = True,
    dev_clock: Callable[[], float] = time.time,
    dev_secret_scan: ScanMode = ScanMode.REDACT,
    dev_rate_window: float = RATE_WINDOW,
) -> Node[Runtime]:
    """The node as ``start`` runs it. In dev mode the embedded dev chain mines every
    ``dev_auto_mine`` seconds, and simulated parties answer proposals for its demo intents.
    ``dev_clock`` is the dev chain's clock (block and entry times): tests move chain time on
    instead of waiting for a deadline. ``dev_rate_window`` is the span the dev chain counts
    its limits over (the real node's 60 s); the node paces its writes and requests to it.
    Tests shorten it to keep the real counts without waiting minutes."""
    return Node(
        settings,
        migrations=ALL_MIGRATIONS,
        prepare=lambda base: prepare(
            base,
            dev_auto_mine=dev_auto_mine,
            simulated_parties=simulated_parties,
            dev_clock=dev_clock,
            dev_secret_scan=dev_secret_scan,
            dev_rate_window=dev_rate_window,
        ),
        build_children=build_children,
    )
