"""The negotiator: decides whether an offer and a seek align and on what terms.

Plain classes and functions for the pool's worker actors
(:mod:`mediator_actors.actors.negotiator_pool`):

- :class:`~mediator_actors.negotiation.service.Negotiator` (``build_negotiator(settings)``)
  with ``negotiate(offer, seek) -> NegotiationResult`` (blocks for one provider call; the
  SDKs cooperate under gevent), ``wait_before_call()`` and ``health()``;
- the job steps in :mod:`~mediator_actors.negotiation.jobs`: ``claim_negotiations`` (a
  batch, one transaction) and ``run_negotiation_jobs`` (negotiate each, settle all in one
  transaction);
- the ``negotiations`` and ``proposal_decisions`` tables in
  :mod:`~mediator_actors.negotiation.records`: ``record_outcome``, ``recent_metered_calls``
  (seeds the spending cap at start), ``undecided_successes`` (the settlement agent's work).

Modules: ``reader`` (with ``numbers``, ``vocabulary``, ``literals``) reads prose into
facts; ``fit`` holds one side's facts against the other's, with ``counting`` (how many of
the offer's unit the seek asks for), ``charges`` (every price the offer states is in the
total or shown not to apply), ``demands`` and ``unread`` (restrictions and clauses the
reader has no reading for); ``meaning``, ``glossary`` and ``trades`` judge service fit;
``offline`` is the deterministic negotiator; ``validation`` parses and checks answers;
``prompt`` builds the prompt and its integrity hash; ``providers`` speaks to Anthropic and
OpenAI; ``evaluation`` and ``commands`` measure and expose it.
"""
