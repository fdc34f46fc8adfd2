"""/api/v1/endpoints/{id}/limits: the limit rules of an endpoint (enforced on the data plane)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from apps.http.admin.common import Body
from apps.http.admin.schemas import LimitsOut, answers
from apps.views import limit_view
from core.domain.limits import LimitKey, LimitRule, RenewalPeriod
from core.services.limits import LimitService


class LimitRuleBody(Body):
    renewal_period: RenewalPeriod
    calls: int
    tokens: int | None = None
    key: LimitKey = LimitKey.ENDPOINT


class LimitsBody(Body):
    limits: list[LimitRuleBody]


class LimitsController(Controller):
    path = "/endpoints/{endpoint_id:str}/limits"
    tags = ["limits"]

    @put(sync_to_thread=True, responses=answers(200, LimitsOut))
    def put_limits(
        self,
        endpoint_id: FromPath[str],
        data: JSONBody[LimitsBody],
        limit_service: NamedDependency[LimitService],
    ) -> dict[str, Any]:
        """Replace every rule of the endpoint; an empty list removes its limits."""
        rules = [
            LimitRule(renewal_period=r.renewal_period, calls=r.calls, tokens=r.tokens, key=r.key)
            for r in data.limits
        ]
        return {"limits": [limit_view(r) for r in limit_service.put(endpoint_id, rules)]}

    @get(sync_to_thread=True, responses=answers(200, LimitsOut))
    def get_limits(
        self, endpoint_id: FromPath[str], limit_service: NamedDependency[LimitService]
    ) -> dict[str, Any]:
        return {"limits": [limit_view(r) for r in limit_service.get(endpoint_id)]}
