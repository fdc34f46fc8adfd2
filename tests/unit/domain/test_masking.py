"""Display form of secret values: a short prefix and the last 4 characters, or nothing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.domain.masking import mask_secret


def test_a_long_key_shows_a_short_prefix_and_its_last_four_characters() -> None:
    assert mask_secret("sk-proj-abcdefghijklmnopa1b2") == "sk-...a1b2"


def test_twenty_characters_is_the_shortest_value_that_gets_a_hint() -> None:
    assert mask_secret("abcdefghijklmnopqrst") == "abc...qrst"
    assert mask_secret("abcdefghijklmnopqrs") == "********"


@given(st.text(max_size=19))
def test_short_values_are_masked_entirely(value: str) -> None:
    assert mask_secret(value) == "********"


@given(st.text(min_size=20, max_size=300))
def test_long_values_reveal_only_the_prefix_and_last_four(value: str) -> None:
    masked = mask_secret(value)
    assert masked == value[:3] + "..." + value[-4:]
    assert len(masked) == 10


@given(st.text(max_size=300))
def test_the_mask_never_tells_the_length_of_the_value(value: str) -> None:
    assert len(mask_secret(value)) in (8, 10)
