"""The window end-to-end tests count the dev chain's limits over.

The dev chain keeps the real node's counts (10 entries per author and 100 in total, 100
requests per client) but counts them over ``FAST_WINDOW`` seconds instead of 60, and the
node paces its writes and requests to the same window (``build_node(dev_rate_window=)``).
So every limit is still met and honoured (a mediator's twenty entries still take two and
more windows), in seconds rather than minutes.

Which end-to-end tests run at the real 60-second window: the kill -9 cycle in redact and
block modes (``tests/integration/test_cycle_crash.py``). Every other dev-chain node test
uses ``FAST_WINDOW``.
"""

FAST_WINDOW = 6.0
