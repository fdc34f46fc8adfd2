"""What admins see of a value (PRODUCT §1): a short prefix and the last 4 characters, or nothing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.bootstrap import build_in_memory
from core.domain.page import PageRequest

SERVICES = build_in_memory()  # one gateway for every example: the KEK is derived once
NON_BLANK = st.text(st.characters(exclude_categories=["Cs"]), min_size=1).filter(lambda v: v.strip() != "")


@settings(max_examples=60, deadline=None)
@given(NON_BLANK.filter(lambda v: len(v) < 20))
def test_a_short_value_is_masked_entirely(value: str) -> None:
    secret = SERVICES.secrets.create(f"short-{SERVICES.ports.ids.new_id()}", value)

    # The same for every short value, so it reveals none of its characters (PRODUCT: at most 4).
    assert secret.masked_value == "********"


@settings(max_examples=60, deadline=None)
@given(NON_BLANK.filter(lambda v: len(v) >= 20))
def test_a_long_value_shows_only_a_three_character_prefix_and_the_last_four(value: str) -> None:
    secret = SERVICES.secrets.create(f"long-{SERVICES.ports.ids.new_id()}", value)

    assert secret.masked_value == f"{value[:3]}...{value[-4:]}"
    assert len(secret.masked_value) == 10


def test_listings_and_reads_show_the_masked_value_and_nothing_more() -> None:
    secret = SERVICES.secrets.create("openai-masked", "sk-proj-0123456789abcdefghijA1b2")

    assert secret.masked_value == "sk-...A1b2"
    assert SERVICES.secrets.get(secret.secret_id).masked_value == "sk-...A1b2"
    listed = {s.secret_id: s for s in SERVICES.secrets.list(PageRequest(max_results=1000)).items}
    assert listed[secret.secret_id].masked_value == "sk-...A1b2"
