"""The negotiator: decides whether an offer and a seek align and on what terms.

Plain classes and functions for the pool's worker actors (which the lead writes):

- :class:`~mediator_actors.negotiation.service.Negotiator` (``build_negotiator(settings)``)
  with ``negotiate(offer, seek) -> NegotiationResult`` (blocks for one provider call; the
  SDKs cooperate under gevent), ``wait_before_call()`` and ``health()``;
- the job steps ``claim_negotiation(store, now=..., negotiator=...)`` and
  ``run_negotiation_job(store, negotiator, claimed)``, with the ``negotiations`` table
  (``service.MIGRATIONS``).

A worker's loop, in outline::

    store.write(lambda c: JobQueue("negotiation").recover(c, now=time.time()))  # on start
    negotiator.budget.seed(store.read(lambda c: recent_metered_calls(c, now=time.time())))
    while running:
        claimed = claim_negotiation(store, now=time.time(), negotiator=negotiator)
        if claimed is None:
            wait (negotiator.wait_before_call() or until JobQueue.next_ready_at)
            continue
        run_negotiation_job(store, negotiator, claimed)

Modules: ``terms``/``vocabulary`` read prose; ``offline`` is the deterministic negotiator;
``validation`` parses and checks answers; ``prompt`` builds the prompt and its integrity
hash; ``providers`` speaks to Anthropic and OpenAI; ``evaluation`` and ``commands`` measure
and expose it.
"""
