"""The process's machinery: gevent patching, offloading heavy calls off the hub, logs, and
the resilience primitives (breakers, retries, budgets)."""
