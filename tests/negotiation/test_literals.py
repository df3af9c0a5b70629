"""The literal prefilters never skip a pattern where it matches (negotiation/literals.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediator_actors.negotiation import literals, numbers, reader, unread, vocabulary


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    found = []
    for module in (reader, numbers, unread, vocabulary):
        for name, value in sorted(vars(module).items()):
            if isinstance(value, re.Pattern):
                found.append((f"{module.__name__.rsplit('.', 1)[-1]}.{name}", value))
    found += [(f"hard.{kind}", p) for kind, p in vocabulary.HARD_PATTERNS]
    return found


PATTERNS = _patterns()


def test_required_literals_examples() -> None:
    assert literals.required_literals(re.compile(r"\bcolou?r\b", re.I)) == {"color", "colour"}
    assert literals.required_literals(re.compile(r"\d+\s*(?:EUR|usd)")) == {"eur", "usd"}
    assert literals.required_literals(re.compile(r"(?:abc|de\d)x")) == {"abc", "de"}
    assert literals.required_literals(re.compile(r"\d+")) is None
    assert literals.required_literals(re.compile(r"(?:only)?")) is None
    assert literals.required_literals(re.compile(r"(?<=no )smoking", re.I)) == {"smoking"}
    assert literals.required_literals(re.compile(r"a|\d")) is None  # one branch has none


def test_gates_skip_and_pass() -> None:
    pattern = re.compile(r"\b(?:grade|level)\s+\d\b", re.I)
    assert not literals.may_match(pattern, "Budget 500 EUR, remote only")
    assert literals.may_match(pattern, "Kids at GRADE 4")
    assert literals.search(pattern, "no such thing") is None
    assert [m.span() for m in literals.finditer(pattern, "Level 3 and grade 5")] == [
        (0, 7),
        (12, 19),
    ]


def test_gates_off_always_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(literals, "GATES", False)
    assert literals.may_match(re.compile("grade"), "nothing")


def test_case_folding_letters_re_matches() -> None:
    # re.IGNORECASE matches these with ASCII letters; the folded text must hold them.
    for char, letter in (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"), ("\u212a", "k")):
        pattern = re.compile(letter * 2, re.I)
        text = f"x{char}{char}x"
        assert pattern.search(text)
        assert literals.may_match(pattern, text)


@pytest.mark.parametrize(("name", "pattern"), PATTERNS, ids=[n for n, _ in PATTERNS])
def test_every_reader_pattern_passes_its_own_matches(name: str, pattern: re.Pattern[str]) -> None:
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(st.from_regex(pattern, fullmatch=False))
    def check(text: str) -> None:
        if pattern.search(text):
            assert literals.may_match(pattern, text), (name, text)

    check()


def test_currency_reach_covers_the_longest_currency() -> None:
    width = literals.sre_parse.parse(reader._CUR_WORD, re.I).getwidth()[1]
    assert width <= reader._CUR_REACH


_CURRENCY_BITS = st.sampled_from(
    ["EUR", "eur", "$", "US$", "€", "dollars", "nlc", "ron", "environ", " ", "  ", "\n", "\t",
     "5", "x", "-", "kč", "zł", "Credits", "tokens", "a", "."]
)  # fmt: skip


@given(st.lists(_CURRENCY_BITS, max_size=30).map("".join))
def test_bounded_currency_search_is_the_full_search(before: str) -> None:
    full = re.search(rf"(?:{reader._CUR_WORD})\s*$", before, re.I)
    bounded = reader._CUR_BEFORE.search(before, max(0, len(before.rstrip()) - reader._CUR_REACH))
    assert (full and (full.span(), full.group(0))) == (
        bounded and (bounded.span(), bounded.group(0))
    )


def _fragments() -> list[str]:
    from mediator_actors.benchmarks import reading

    pieces: set[str] = set()
    for _, content, _ in reading.dev_texts()[::7]:
        pieces.update(p.strip() for p in re.split(r"(?<=[.,;!?])\s+", content) if p.strip())
    return sorted(pieces)


_PROSE = st.lists(st.sampled_from(_fragments()), min_size=1, max_size=6).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(_PROSE, st.booleans())
def test_gated_reader_reads_as_the_ungated_one(text: str, offer: bool) -> None:
    from mediator_actors.benchmarks.reading import _plain

    reader.read_terms.cache_clear()
    gated = _plain(reader.read_terms(text, offer=offer))
    reader.read_terms.cache_clear()
    literals.GATES = False
    try:
        plain = _plain(reader.read_terms(text, offer=offer))
    finally:
        literals.GATES = True
        reader.read_terms.cache_clear()
    assert gated == plain
