"""``.env`` parsing: the dotenv rules, as properties."""

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.envfile import parse_env, quote_env_value

keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True)
values = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
# What an unquoted value may be: no quote first, no newline, no " #", no edge whitespace.
plain = st.from_regex(r"[A-Za-z0-9_./:@+=,-][A-Za-z0-9_./:@+=,#-]{0,30}", fullmatch=True)


@given(keys, values)
def test_a_double_quoted_value_reads_back_unchanged(key: str, value: str) -> None:
    assert parse_env(f"{key}={quote_env_value(value)}\n") == ({key: value}, [])


@given(keys, values.filter(lambda v: "'" not in v))
def test_a_single_quoted_value_is_literal_even_across_lines(key: str, value: str) -> None:
    assert parse_env(f"export {key} = '{value}' # note\nNEXT=1") == ({key: value, "NEXT": "1"}, [])


@given(keys, plain, st.sampled_from(["", " ", "\t", " # a comment", "\t#c", "  "]))
def test_an_unquoted_value_ends_at_a_spaced_hash_or_the_line(
    key: str, value: str, tail: str
) -> None:
    assert parse_env(f"  {key}={value}{tail}\r\n") == ({key: value}, [])


@given(st.lists(st.tuples(keys, values), max_size=8))
def test_the_last_assignment_wins_and_comments_are_skipped(pairs: list[tuple[str, str]]) -> None:
    text = "# header\n\n" + "".join(f"{k}={quote_env_value(v)}\n   # c\n" for k, v in pairs)
    assert parse_env(text) == (dict(pairs), [])


@given(st.text(max_size=300))
def test_any_text_parses_to_values_and_numbered_problems_without_raising(text: str) -> None:
    parsed, problems = parse_env(text, "f")
    lines = text.count("\n") + 1
    for problem in problems:
        source, number, _ = problem.split(":", 2)
        assert source == "f"
        assert 1 <= int(number) <= lines
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in parsed.items())


def test_a_bad_line_does_not_hide_the_lines_after_it() -> None:
    assert parse_env('A=1\n= no key\nB="x\ny"\nC=\'\nD=4') == (
        {"A": "1", "B": "x\ny", "D": "4"},
        [".env:2: expected KEY=VALUE", ".env:5: the ' quote is never closed"],
    )
