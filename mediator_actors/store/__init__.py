"""The durable store: one SQLite database (WAL, synchronous=FULL) under ``DATA_DIR``.

Work whose loss matters is committed here *before* any actor is told about it; actors
rescan pending rows when they (re)start, because a Pykka mailbox is a hint, not storage.
"""

from mediator_actors.store.database import DATABASE_FILE, Migration, Store, data_folders
from mediator_actors.store.jobs import CHAIN_OUTBOX, NEGOTIATIONS, Job, JobQueue, JobState

__all__ = [
    "CHAIN_OUTBOX",
    "DATABASE_FILE",
    "NEGOTIATIONS",
    "Job",
    "JobQueue",
    "JobState",
    "Migration",
    "Store",
    "data_folders",
]
