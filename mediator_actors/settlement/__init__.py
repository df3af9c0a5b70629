"""Settlements, from proposal to payout, as plain synchronous code.

- ``interface``: :class:`SettlementLifecycle`, what the chain follower calls for each mined
  block inside the transaction that advances its cursor, and the ``Transition`` values it
  returns to announce after the commit;
- ``lifecycle``: ``SettlementBook``, the state machine decided from mined entries
  (acceptance, rejection, expiry, challenges, closure with its payout claim);
- ``proposals``: the settlement agent's round, a successful negotiation becoming one
  signed proposal; ``entries`` builds the signed entries; ``parsing`` reads mined ones;
- ``records``, ``events``, ``reputation``: the tables (settlements and challenges; the event
  log; MP-01 counters) and every query on them; ``consensus``: the consensus modes.

The actor shells (``actors/settlement_agent.py``, ``actors/chain_listener.py``) call these.
"""
