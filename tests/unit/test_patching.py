"""``runtime.patching``: gevent's patch_all reads the installed distributions once."""

from __future__ import annotations

from importlib import metadata
from typing import Any

import pytest

from mediator_actors.runtime.patching import entry_points_read_once

GROUPS = ("console_scripts", "gevent.plugins.monkey.will_patch_all", "pytest11", "no.such.group")


def _names(found: Any) -> list[tuple[str, str, str]]:
    return sorted((ep.group, ep.name, ep.value) for ep in found)


def test_every_lookup_in_the_block_answers_as_before_from_one_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = {group: _names(metadata.entry_points(group=group)) for group in GROUPS}
    reads = []
    real = metadata.distributions

    def counted(**params: Any) -> Any:
        reads.append(params)
        return real(**params)

    monkeypatch.setattr(metadata, "distributions", counted)
    original = metadata.entry_points
    with entry_points_read_once():
        inside = {group: _names(metadata.entry_points(group=group)) for group in GROUPS * 3}
    assert inside == before
    assert len(reads) == 1
    assert metadata.entry_points is original
    assert _names(metadata.entry_points(group="console_scripts")) == before["console_scripts"]
    assert len(reads) == 2  # outside the block each call reads again, as it always did


def test_the_lookup_is_restored_when_the_block_raises() -> None:
    original = metadata.entry_points
    with pytest.raises(RuntimeError), entry_points_read_once():
        raise RuntimeError("patching failed")
    assert metadata.entry_points is original
