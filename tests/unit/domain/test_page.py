"""Pagination: page sizes and opaque page tokens."""

from __future__ import annotations

import base64

import pytest

from core.domain.page import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    PageRequest,
    decode_token,
    encode_token,
    paginate,
)
from tests.unit.builders import rejected


class TestPageRequest:
    def test_defaults_to_the_first_page_of_100(self) -> None:
        assert PageRequest.parse(None, None) == PageRequest(DEFAULT_PAGE_SIZE, 0)
        assert DEFAULT_PAGE_SIZE == 100

    @pytest.mark.parametrize("size", [1, MAX_PAGE_SIZE])
    def test_page_sizes_from_1_to_1000_are_accepted(self, size: int) -> None:
        assert PageRequest.parse(size, None).max_results == size

    @pytest.mark.parametrize("size", [0, -5, MAX_PAGE_SIZE + 1, True, 2.0])
    def test_other_page_sizes_are_rejected(self, size: object) -> None:
        with rejected("max_results"):
            PageRequest.parse(size, None)  # type: ignore[arg-type]

    def test_a_token_resumes_where_the_last_page_ended(self) -> None:
        assert PageRequest.parse(10, encode_token(30)) == PageRequest(10, 30)

    def test_an_empty_token_means_the_first_page(self) -> None:
        assert PageRequest.parse(10, "").offset == 0


class TestPageTokens:
    @pytest.mark.parametrize("offset", [0, 1, 100, 10**9])
    def test_tokens_round_trip_and_are_url_safe(self, offset: int) -> None:
        token = encode_token(offset)
        assert decode_token(token) == offset
        assert token.replace("-", "").replace("_", "").isalnum()

    @pytest.mark.parametrize(
        "token",
        [
            "not a token",
            "!!!!",
            base64.urlsafe_b64encode(b"x:10").decode(),
            base64.urlsafe_b64encode(b"o:-1").decode(),
            base64.urlsafe_b64encode(b"o:ten").decode(),
            base64.urlsafe_b64encode(b"o10").decode(),
            base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        ],
    )
    def test_tokens_this_server_did_not_issue_are_rejected(self, token: str) -> None:
        with rejected("page_token"):
            decode_token(token)


class TestPaginate:
    def test_walking_the_tokens_visits_every_item_once_in_order(self) -> None:
        items = list(range(25))
        seen: list[int] = []
        token: str | None = None
        pages = 0
        while True:
            page = paginate(items, PageRequest.parse(10, token))
            seen.extend(page.items)
            pages += 1
            token = page.next_page_token
            if token is None:
                break
        assert seen == items
        assert pages == 3

    def test_an_exactly_full_last_page_has_no_next_token(self) -> None:
        assert paginate(list(range(10)), PageRequest(10, 0)).next_page_token is None

    def test_an_empty_list_is_one_empty_page(self) -> None:
        nothing: list[str] = []
        page = paginate(nothing, PageRequest())
        assert (list(page.items), page.next_page_token) == ([], None)
