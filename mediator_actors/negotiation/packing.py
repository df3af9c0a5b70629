"""A minimum stated in a packing unit with its conversion ("Minimum order: 1 pallet = 64
boxes", "MOQ 2 cartons (48 bottles)", "min. 1 Palette = 40 Kisten"): the count the
conversion gives is the same minimum, in the unit the seek counts in."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mediator_actors.negotiation.reader import Quantity

__all__ = ["PACKING_UNITS", "carry_minimum"]

#: Units goods are packed and ordered in, above the unit they are priced or counted by.
PACKING_UNITS = frozenset(
    {"pallet", "skid", "case", "carton", "crate", "container", "layer", "tray", "drum",
     "tote", "bale", "sack", "outer", "master carton", "palette", "karton", "kiste"}
)  # fmt: skip
#: What joins a packing unit to its conversion: "=", "(", ":", "≈", "is", "of", "holds".
_JOINT = re.compile(
    r"\s*(?:=|≈|\(|:|-|\u2013|\u2014|\bi\.e\.|\bis\b|\bof\b|\bholds?\b|\bwith\b)\s*$"
)


def carry_minimum(text: str, found: list[Quantity]) -> list[Quantity]:
    """``found`` with a count written as the conversion of a minimum in a packing unit
    ("1 pallet = 64 boxes") read as a minimum as well."""
    out = list(found)
    for q in found:
        if q.bound != "at_least" or q.unit not in PACKING_UNITS:
            continue
        for i, other in enumerate(out):
            gap = text[q.span.end : other.span.start]
            if (
                other.bound == "about"
                and other.unit != q.unit
                and 0 <= len(gap) <= 6
                and _JOINT.fullmatch(" " + gap)
            ):
                out[i] = replace(other, bound="at_least")
    return out
