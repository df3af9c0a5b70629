import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.endpoints import address_problem, url_problem


@given(st.text())
def test_any_text_gets_an_answer_never_an_exception(text: str) -> None:
    _, problem = url_problem(text)
    assert problem is None or isinstance(problem, str)


@given(
    st.integers(min_value=0, max_value=2**16 - 1), st.sampled_from(["http", "https"]), st.booleans()
)
def test_every_link_local_address_is_refused_however_written(
    low: int, scheme: str, mapped: bool
) -> None:
    v4 = ipaddress.IPv4Address(0xA9FE0000 + low)  # 169.254.0.0/16
    host = f"[::ffff:{v4}]" if mapped else str(v4)
    _, problem = url_problem(f"{scheme}://{host}:5000/x")
    assert problem is not None
    assert "link-local" in problem


def test_names_pass_until_resolved_and_private_ranges_only_when_asked() -> None:
    assert url_problem("https://chain.internal:8443")[1] is None
    assert address_problem("chain.internal", allow_private=False) is None
    assert address_problem("10.1.2.3", allow_private=True) is None
    assert address_problem("10.1.2.3", allow_private=False) is not None
    assert address_problem("127.0.0.1", allow_private=False) is None
