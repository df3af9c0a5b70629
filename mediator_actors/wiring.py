"""Which actors the node runs and how they are built: the one place that knows every module.

Order matters: the supervision tree starts children in this order and stops them in reverse.
"""

from __future__ import annotations

from mediator_actors.config import Settings
from mediator_actors.node import Node, NodeContext
from mediator_actors.store import Migration
from mediator_actors.store import intents as intents_table
from mediator_actors.store import jobs as jobs_table
from supervisors import ChildSpec

ALL_MIGRATIONS: tuple[Migration, ...] = (*jobs_table.MIGRATIONS, *intents_table.MIGRATIONS)


def build_children(context: NodeContext) -> list[ChildSpec]:
    return []


def build_node(settings: Settings) -> Node:
    return Node(settings, migrations=ALL_MIGRATIONS, build_children=build_children)
