"""Which actors the node runs and how they are built: the one place that knows every module.

Order matters: the supervision tree starts children in this order and stops them in reverse,
so producers (the chain listener) start after their consumers' stores exist and stop first.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path

import pykka

from mediator_actors.actors.chain_listener import ChainListener
from mediator_actors.actors.chain_writer import ChainWriterActor
from mediator_actors.actors.health_reporter import HealthReporter
from mediator_actors.actors.index_keeper import IndexKeeper
from mediator_actors.actors.messages import Roles
from mediator_actors.actors.negotiator_pool import pool_spec
from mediator_actors.actors.settlement_agent import SettlementAgent
from mediator_actors.chain import tables as chain_tables
from mediator_actors.chain.client import ChainClient
from mediator_actors.chain.follower import ChainFollower
from mediator_actors.chain.writer import ChainWriter
from mediator_actors.config import LLMProvider, Settings
from mediator_actors.edge.hub import EventHub
from mediator_actors.edge.servers import build_edge
from mediator_actors.edge.store_readmodel import StoreReadModel
from mediator_actors.embedding.factory import make_embedder_from_settings
from mediator_actors.health.report import SnapshotBox
from mediator_actors.health.resources import ResourceSampler
from mediator_actors.index import vectors as vector_table
from mediator_actors.index.keeper import IndexCore, make_index_core
from mediator_actors.negotiation import records as negotiation_tables
from mediator_actors.negotiation.records import recent_metered_calls
from mediator_actors.negotiation.service import build_negotiator
from mediator_actors.node import Node, NodeContext
from mediator_actors.runtime.offload import run_blocking
from mediator_actors.safety.secrets import Secret
from mediator_actors.safety.secretscan import SecretScanner
from mediator_actors.settlement import records as settlement_tables
from mediator_actors.settlement import reputation as reputation_table
from mediator_actors.settlement.consensus import check_can_start
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.settlement.proposals import ProposalPolicy
from mediator_actors.signing import MediatorKey
from mediator_actors.stats import NodeStats
from mediator_actors.store import Migration
from mediator_actors.store import intents as intents_table
from mediator_actors.store import jobs as jobs_table
from supervisors import ChildSpec, Link

logger = logging.getLogger(__name__)

ALL_MIGRATIONS: tuple[Migration, ...] = (
    *jobs_table.MIGRATIONS,
    *intents_table.MIGRATIONS,
    *chain_tables.MIGRATIONS,
    *vector_table.MIGRATIONS,
    *negotiation_tables.MIGRATIONS,
    *settlement_tables.MIGRATIONS,
    *reputation_table.MIGRATIONS,
    *negotiation_tables.DECISION_MIGRATIONS,
)

DEV_KEY_FILE = ".dev-mediator.key"

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


def prepare(
    context: NodeContext,
    *,
    dev_auto_mine: float = DEV_CHAIN_AUTO_MINE,
    simulated_parties: bool = True,
) -> None:
    """Start what the actors need before they start: the dev chain, the key, the edge."""
    settings = context.settings
    endpoint = settings.chain_endpoint
    if endpoint is None:
        from mediator_actors.chain.demo import seed_demo
        from mediator_actors.chain.devchain import DevChain

        state_file = settings.data_dir / "devchain.json"
        fresh = not state_file.exists()
        chain = DevChain(auto_mine=dev_auto_mine, state_file=state_file)
        endpoint = chain.start()
        if fresh:
            seed_demo(chain)
        context.closers.append(("dev chain", chain.stop))
        if simulated_parties:
            from mediator_actors.demo import SimulatedParties

            parties = SimulatedParties(chain)
            parties.start()
            context.closers.append(("simulated parties", parties.stop))
        context.extras["dev_chain"] = chain
        logger.warning(
            "dev mode: embedded dev chain at %s (a test double, not a real chain)", endpoint
        )
    context.extras["chain_endpoint"] = endpoint
    seed = settings.mediator_private_key or dev_private_key(settings.config_file.parent)
    key = MediatorKey.from_seed_hex(seed)
    check_can_start(settings, key.mediator_id, mediator_key=key)
    scanner = SecretScanner([*settings.secrets(), seed])
    hub = EventHub(redact=scanner.redact_value)
    box = SnapshotBox()
    edge = build_edge(
        settings,
        box=box,
        hub=hub,
        server_id=key.mediator_id,
        read_model=StoreReadModel(context.store, mediator_id=key.mediator_id),
    )
    bound = edge.start()
    context.closers.append(("edge servers", edge.stop))
    logger.info(
        "edge: health on %s:%d, monitoring WebSocket on %s:%d", *bound["health"], *bound["ws"]
    )
    context.extras.update(
        key=key,
        scanner=scanner,
        hub=hub,
        box=box,
        edge=edge,
        stats=NodeStats(index_max=settings.max_intents_cache),
    )


def _chain_client(context: NodeContext) -> ChainClient:
    # Private ranges stay allowed: a chain node in the same VPC or cluster is the usual
    # deployment. Link-local and metadata addresses are refused here and in the settings.
    return ChainClient(
        context.extras["chain_endpoint"],
        api_key=context.settings.chain_api_key,
        offload=run_blocking,
        allow_private=True,
    )


def _index_core(context: NodeContext) -> IndexCore:
    """Load the embedder (hash-checked model files, offloaded), then the index core."""
    embedder, degraded = run_blocking(make_embedder_from_settings, context.settings)
    return make_index_core(
        context.settings, store=context.store, embedder=embedder, degraded=degraded
    )


def build_children(context: NodeContext) -> list[ChildSpec]:
    settings, store, registry, board = (
        context.settings,
        context.store,
        context.registry,
        context.board,
    )
    extras = context.extras
    hub: EventHub = extras["hub"]
    stats: NodeStats = extras["stats"]
    key: MediatorKey = extras["key"]
    readiness = extras["readiness"]
    reader = _chain_client(context)
    poster = _chain_client(context)  # its own connection pool and breaker state
    context.closers.append(("chain reader", reader.close))
    context.closers.append(("chain poster", poster.close))
    stats.chain_breaker = reader.health_snapshot
    book = SettlementBook.from_settings(settings, key)
    negotiator = build_negotiator(settings)
    if negotiator.budget is not None:
        # The spending cap counts the last day's metered calls from the store: a restart
        # does not reset it.
        now = time.time()
        negotiator.budget.seed(store.read(lambda c: recent_metered_calls(c, now=now)))
    stats.llm_health = negotiator.health
    stats.llm_offline = settings.llm_provider is LLMProvider.OFFLINE
    interval = settings.poll_interval_seconds

    def start_reporter(link: Link) -> pykka.ActorRef[HealthReporter]:
        return HealthReporter.start(
            link,
            box=extras["box"],
            board=board,
            store=store,
            stats=stats,
            readiness=lambda: (
                readiness.started,
                readiness.draining,
                readiness.gave_up is not None,
            ),
            started_at=context.started_at,
            events=hub,
            sampler=ResourceSampler(disk_path=str(store.path.parent)),
        )

    def start_writer(link: Link) -> pykka.ActorRef[ChainWriterActor]:
        return ChainWriterActor.start(
            link,
            drainer=ChainWriter(store=store, client=poster, scanner=extras["scanner"]),
            interval=interval,
        )

    def start_index(link: Link) -> pykka.ActorRef[IndexKeeper]:
        return IndexKeeper.start(
            link,
            make_core=lambda: _index_core(context),
            registry=registry,
            stats=stats,
            interval=interval * 5,
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

    def start_listener(link: Link) -> pykka.ActorRef[ChainListener]:
        follower = ChainFollower(
            store=store,
            client=reader,
            offload=run_blocking,
            max_flags=settings.max_intent_flags,
            settlement=book,
        )
        return ChainListener.start(
            link, follower=follower, registry=registry, events=hub, interval=interval
        )

    # Start order: the reporter first (it reports while the others start), producers last
    # (the listener starts once everything it feeds is running, and stops first).
    # Heartbeat timeouts sit above each actor's longest round: HTTP calls with 15 s
    # deadlines, an index pass over MAX_INTENTS_CACHE intents, provider calls.
    return [
        ChildSpec(Roles.HEALTH_REPORTER, start=start_reporter, heartbeat_timeout=60.0),
        ChildSpec(Roles.CHAIN_WRITER, start=start_writer, heartbeat_timeout=120.0),
        ChildSpec(
            Roles.INDEX_KEEPER,
            start=start_index,
            start_timeout=900.0,
            heartbeat_timeout=600.0,
            shutdown_timeout=60.0,
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
        ),
        ChildSpec(Roles.SETTLEMENT_AGENT, start=start_agent, heartbeat_timeout=120.0),
        ChildSpec(Roles.CHAIN_LISTENER, start=start_listener, heartbeat_timeout=300.0),
    ]


def build_node(
    settings: Settings,
    *,
    dev_auto_mine: float = DEV_CHAIN_AUTO_MINE,
    simulated_parties: bool = True,
) -> Node:
    """The node as ``start`` runs it. In dev mode the embedded dev chain mines every
    ``dev_auto_mine`` seconds, and simulated parties answer proposals for its demo intents."""
    return Node(
        settings,
        migrations=ALL_MIGRATIONS,
        build_children=build_children,
        prepare=lambda context: prepare(
            context, dev_auto_mine=dev_auto_mine, simulated_parties=simulated_parties
        ),
    )
