"""Roles, principals and gateway keys (PRODUCT §1, Principals and keys)."""

from __future__ import annotations

import pytest

from core.domain.principal import ApiKey, Principal, Role
from tests.unit.builders import AUDIT, rejected

HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def key(role: Role = Role.USER, endpoints: tuple[str, ...] = (), name: str = "svc") -> ApiKey:
    return ApiKey(key_id="k-1", name=name, role=role, key_hash=HASH, endpoints=endpoints, audit=AUDIT)


class TestRole:
    @pytest.mark.parametrize(("text", "role"), [("admin", Role.ADMIN), ("user", Role.USER)])
    def test_parses_the_two_roles(self, text: str, role: Role) -> None:
        assert Role.parse(text) is role

    @pytest.mark.parametrize("text", ["root", "Admin", ""])
    def test_anything_else_is_rejected_naming_the_role_field(self, text: str) -> None:
        with rejected("role"):
            Role.parse(text)


class TestApiKey:
    def test_a_key_needs_a_name(self) -> None:
        with rejected("name"):
            key(name="")

    def test_an_admin_key_cannot_be_limited_to_endpoints(self) -> None:
        with rejected("endpoints"):
            key(Role.ADMIN, ("chat",))

    def test_a_user_key_may_be_limited_to_endpoints(self) -> None:
        assert key(Role.USER, ("chat", "embed")).endpoints == ("chat", "embed")

    def test_its_principal_carries_name_role_scope_and_key_id(self) -> None:
        assert key(Role.USER, ("chat",)).principal() == Principal(
            "svc", Role.USER, frozenset({"chat"}), "k-1"
        )

    def test_its_repr_never_shows_the_hash(self) -> None:
        assert HASH not in repr(key())
        assert HASH not in str(key())


class TestPrincipal:
    def test_an_admin_may_call_every_endpoint(self) -> None:
        admin = Principal("ops", Role.ADMIN)
        assert admin.is_admin
        assert admin.may_call("anything")

    def test_a_user_without_scope_may_call_every_endpoint(self) -> None:
        assert Principal("app", Role.USER).may_call("chat")

    def test_a_scoped_user_may_call_only_its_endpoints(self) -> None:
        scoped = Principal("app", Role.USER, frozenset({"chat"}))
        assert not scoped.is_admin
        assert scoped.may_call("chat")
        assert not scoped.may_call("embed")
