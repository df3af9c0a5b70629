"""The suite runs gevent-patched exactly like the node: patch before anything else loads."""

from mediator_actors.runtime.patching import ensure_patched

ensure_patched()

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pykka  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from mediator_actors.store import Store  # noqa: E402
from mediator_actors.store.jobs import MIGRATIONS as JOB_MIGRATIONS  # noqa: E402

# No per-example deadline: hypothesis's default 200 ms is a timing assert, and on a loaded
# two-core machine it failed test_datadir's lock-file property (332 ms for one example).
# Each test's own pytest timeout still bounds a hang.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


@pytest.fixture(autouse=True)
def _stop_all_actors() -> Iterator[None]:
    """No actor outlives its test."""
    yield
    pykka.ActorRegistry.stop_all(timeout=5)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh store with the job table, closed after the test."""
    opened = Store.open(tmp_path / "data", migrations=JOB_MIGRATIONS)
    yield opened
    opened.close()
