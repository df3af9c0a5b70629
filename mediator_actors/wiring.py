"""Which actors the node runs and how they are built: the one place that knows every module.

Order matters: the supervision tree starts children in this order and stops them in reverse,
so producers (the chain listener) start after their consumers' stores exist and stop first.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from mediator_actors.actors.chain_listener import ChainListener
from mediator_actors.actors.chain_writer import ChainWriterActor
from mediator_actors.actors.messages import EventSink, NoEvents, Roles
from mediator_actors.chain import records as chain_records
from mediator_actors.chain.client import ChainClient
from mediator_actors.chain.follower import ChainFollower
from mediator_actors.chain.writer import ChainWriter
from mediator_actors.config import Settings
from mediator_actors.node import Node, NodeContext
from mediator_actors.offload import run_blocking
from mediator_actors.secrets import Secret
from mediator_actors.store import Migration
from mediator_actors.store import intents as intents_table
from mediator_actors.store import jobs as jobs_table
from supervisors import ChildSpec

logger = logging.getLogger(__name__)

ALL_MIGRATIONS: tuple[Migration, ...] = (
    *jobs_table.MIGRATIONS,
    *intents_table.MIGRATIONS,
    *chain_records.MIGRATIONS,
)

#: Seconds between dev-chain blocks when the node runs it (the real chain never auto-mines).
DEV_CHAIN_AUTO_MINE = 5.0


def dev_private_key(data_dir: Path) -> Secret:
    """The dev-mode signing key: created once under DATA_DIR (mode 600) and reused."""
    path = data_dir / "dev-mediator.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return Secret(path.read_text().strip())


def prepare(context: NodeContext) -> None:
    """Start what the actors need before they start: the dev chain and the chain client."""
    settings = context.settings
    endpoint = settings.chain_endpoint
    if endpoint is None:
        from mediator_actors.chain.demo import seed_demo
        from mediator_actors.chain.devchain import DevChain

        state_file = settings.data_dir / "devchain.json"
        fresh = not state_file.exists()
        chain = DevChain(auto_mine=DEV_CHAIN_AUTO_MINE, state_file=state_file)
        endpoint = chain.start()
        if fresh:
            seed_demo(chain)
        context.closers.append(("dev chain", chain.stop))
        context.extras["dev_chain"] = chain
        logger.warning(
            "dev mode: embedded dev chain at %s (a test double, not a real chain)", endpoint
        )
    context.extras["chain_endpoint"] = endpoint
    key = settings.mediator_private_key
    context.extras["private_key"] = key if key is not None else dev_private_key(settings.data_dir)
    context.extras.setdefault("events", NoEvents())


def _chain_client(context: NodeContext) -> ChainClient:
    endpoint = context.extras["chain_endpoint"]
    return ChainClient(
        endpoint,
        api_key=context.settings.chain_api_key,
        offload=run_blocking,
        allow_private=context.settings.dev_mode
        or endpoint.startswith(("http://127.", "http://localhost", "http://[::1]")),
    )


def build_children(context: NodeContext) -> list[ChildSpec]:
    settings, store, registry = context.settings, context.store, context.registry
    events: EventSink = context.extras["events"]
    reader = _chain_client(context)
    poster = _chain_client(context)  # its own connection pool and breaker state
    context.extras["chain_client"] = reader
    context.closers.append(("chain reader", reader.close))
    context.closers.append(("chain poster", poster.close))

    def start_listener(link):  # type: ignore[no-untyped-def]
        follower = ChainFollower(
            store=store, client=reader, offload=run_blocking, max_flags=settings.max_intent_flags
        )
        return ChainListener.start(
            link,
            follower=follower,
            registry=registry,
            events=events,
            interval=settings.poll_interval_seconds,
        )

    def start_writer(link):  # type: ignore[no-untyped-def]
        return ChainWriterActor.start(
            link,
            drainer=ChainWriter(store=store, client=poster),
            interval=settings.poll_interval_seconds,
        )

    # Poll and drain rounds make bounded HTTP calls (15 s deadline each, a few per round).
    return [
        ChildSpec(Roles.CHAIN_WRITER, start=start_writer, heartbeat_timeout=120.0),
        ChildSpec(Roles.CHAIN_LISTENER, start=start_listener, heartbeat_timeout=300.0),
    ]


def build_node(settings: Settings) -> Node:
    return Node(settings, migrations=ALL_MIGRATIONS, build_children=build_children, prepare=prepare)
