"""Who created or last changed an entity, and when (ms since the epoch, UTC)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Audit:
    created_at: int
    last_updated_at: int
    created_by: str | None = None
    last_updated_by: str | None = None

    @classmethod
    def new(cls, now_ms: int, actor: str | None) -> Audit:
        return cls(created_at=now_ms, last_updated_at=now_ms, created_by=actor, last_updated_by=actor)

    def touched(self, now_ms: int, actor: str | None) -> Audit:
        return Audit(
            created_at=self.created_at,
            last_updated_at=now_ms,
            created_by=self.created_by,
            last_updated_by=actor,
        )
