"""Secret values from a dict, and a usage sink that keeps records in a list."""

from __future__ import annotations

from core.domain.errors import NotFound
from core.domain.usage import UsageRecord
from ports.secret_values import DecryptedSecret


class DictSecretValues:
    def __init__(self, values: dict[str, str] | None = None) -> None:
        self.values = dict(values or {})

    def get(self, secret_id: str) -> DecryptedSecret:
        if secret_id not in self.values:
            raise NotFound("secret", secret_id)
        return DecryptedSecret(self.values[secret_id])


class ListUsageSink:
    def __init__(self) -> None:
        self.records: list[UsageRecord] = []

    def record(self, record: UsageRecord) -> None:
        self.records.append(record)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None
