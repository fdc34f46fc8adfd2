"""Reading and replacing the limit rules of an endpoint (enforcement lives on the hot path)."""

from __future__ import annotations

from collections.abc import Sequence

from core.domain.limits import LimitRule, parse_limit_rules
from core.services.endpoints import require_endpoint
from ports.unit_of_work import UnitOfWorkFactory


class LimitService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    def get(self, endpoint_id: str) -> tuple[LimitRule, ...]:
        with self._uow() as uow:
            require_endpoint(uow, endpoint_id)
            return uow.limits.get(endpoint_id)

    def put(self, endpoint_id: str, rules: Sequence[LimitRule]) -> tuple[LimitRule, ...]:
        checked = parse_limit_rules(list(rules))
        with self._uow() as uow:
            require_endpoint(uow, endpoint_id)
            uow.limits.put(endpoint_id, checked)
            uow.revision.bump()
            uow.commit()
        return checked
