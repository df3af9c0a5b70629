"""Run as a subprocess by test_crash.py: writes numbered rows until it is killed.

Prints each sequence number only after ``Store.write`` returned (the commit is durable).
"""

from mediator_actors.runtime.patching import ensure_patched

ensure_patched()

import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from mediator_actors.store import JobQueue, Migration, Store  # noqa: E402
from mediator_actors.store.jobs import MIGRATIONS as JOBS  # noqa: E402

ROWS = Migration("crash", 1, ("CREATE TABLE rows (seq INTEGER NOT NULL, payload TEXT NOT NULL)",))


def main() -> None:
    store = Store.open(Path(sys.argv[1]), migrations=[*JOBS, ROWS])
    queue = JobQueue("crash")
    seq = store.read(lambda c: c.execute("SELECT COALESCE(MAX(seq), 0) FROM rows").fetchone()[0])
    while True:
        seq += 1

        def write(conn, n=seq):  # type: ignore[no-untyped-def]
            conn.execute("INSERT INTO rows (seq, payload) VALUES (?, ?)", (n, "x" * 200))
            queue.enqueue(conn, f"job-{n}", {"seq": n}, now=time.time())

        store.write(write)
        print(seq, flush=True)


if __name__ == "__main__":
    main()
