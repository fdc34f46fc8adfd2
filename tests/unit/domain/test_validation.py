"""The shared field checks every entity uses: each names the field it rejects."""

from __future__ import annotations

import pytest

from core.domain.validation import (
    require_name,
    require_non_negative_int,
    require_positive,
    require_url_safe_name,
)
from tests.unit.builders import rejected


@pytest.mark.parametrize("value", [None, 7, "", " \t"])
def test_a_name_must_be_a_non_blank_string(value: object) -> None:
    with rejected("name"):
        require_name("name", value)  # type: ignore[arg-type]


def test_a_name_may_reach_its_maximum_length_but_not_pass_it() -> None:
    assert require_name("name", "x" * 10, max_len=10) == "x" * 10
    with rejected("name", mentioning="at most 10"):
        require_name("name", "x" * 11, max_len=10)


def test_url_safe_names_allow_letters_digits_and_dot_underscore_tilde_dash() -> None:
    assert require_url_safe_name("name", "Az09._~-") == "Az09._~-"


@pytest.mark.parametrize("value", [0, -0.5, True, "1", None])
def test_positive_means_a_number_above_zero(value: object) -> None:
    with rejected("weight"):
        require_positive("weight", value)  # type: ignore[arg-type]


def test_any_positive_int_or_float_passes() -> None:
    assert (require_positive("weight", 1), require_positive("weight", 0.001)) == (1, 0.001)


@pytest.mark.parametrize("value", [-1, 0.0, True, "3"])
def test_non_negative_int_means_an_integer_of_at_least_zero(value: object) -> None:
    with rejected("calls"):
        require_non_negative_int("calls", value)  # type: ignore[arg-type]
