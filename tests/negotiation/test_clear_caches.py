"""``offline.clear_caches`` must forget every memo the offline negotiator's modules keep
per text, or a test's answer could come from an earlier test's reading."""

from __future__ import annotations

import functools
import types

from mediator_actors.negotiation import fit, offline
from mediator_actors.negotiation.offline import clear_caches

from .helpers import OFFER_TEXT, SEEK_TEXT, judge

_MODULES = (offline, fit)


def _memos(module: types.ModuleType) -> dict[str, functools._lru_cache_wrapper[object]]:
    return {
        name: value
        for name, value in vars(module).items()
        # Memos imported from other modules (the reader's word stems) are theirs to clear.
        if isinstance(value, functools._lru_cache_wrapper) and value.__module__ == module.__name__
    }


def test_every_memo_of_offline_and_fit_is_found() -> None:
    # Guards the next test against finding nothing: both modules do memoise per text.
    assert _memos(offline)
    assert _memos(fit)


def test_clear_caches_empties_every_memo_a_judgement_filled() -> None:
    judge(OFFER_TEXT, SEEK_TEXT)
    filled = [
        f"{m.__name__}.{name}"
        for m in _MODULES
        for name, memo in _memos(m).items()
        if memo.cache_info().currsize
    ]
    assert filled, "a judgement fills some memo"
    clear_caches()
    left = [
        f"{m.__name__}.{name}"
        for m in _MODULES
        for name, memo in _memos(m).items()
        if memo.cache_info().currsize
    ]
    assert left == []
