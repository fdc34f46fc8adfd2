"""Settings read from the environment (PRODUCT §6 names); secrets stay out of reprs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_DATABASE_URL = "sqlite:///switchboard.db"


class InvalidSetting(ValueError):
    """An environment variable holds a value Switchboard cannot use; the message names it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    kek_passphrase: str | None = field(default=None, repr=False)
    # During a KEK rotation a server may also be given the new passphrase (docs/security.md).
    kek_passphrase_next: str | None = field(default=None, repr=False)
    redis_url: str | None = field(default=None, repr=False)
    log_level: str = "INFO"
    max_body_bytes: int = 10 * 1024 * 1024
    config_poll_s: float = 1.0
    # Circuit breaking per model definition (PRODUCT §2.9): failures before it opens, cooldown.
    breaker_failures: int = 5
    breaker_cooldown_s: float = 30.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        return cls(
            database_url=env.get("SWITCHBOARD_DATABASE_URL") or DEFAULT_DATABASE_URL,
            kek_passphrase=env.get("SWITCHBOARD_KEK_PASSPHRASE") or None,
            kek_passphrase_next=env.get("SWITCHBOARD_KEK_PASSPHRASE_NEXT") or None,
            redis_url=env.get("SWITCHBOARD_REDIS_URL") or None,
            log_level=env.get("SWITCHBOARD_LOG_LEVEL", "INFO").upper(),
            max_body_bytes=int(_number(env, "SWITCHBOARD_MAX_BODY_BYTES", 10 * 1024 * 1024, integer=True)),
            breaker_failures=int(_number(env, "SWITCHBOARD_BREAKER_FAILURES", 5, integer=True)),
            breaker_cooldown_s=_number(env, "SWITCHBOARD_BREAKER_COOLDOWN_S", 30.0),
        )


def _number(env: dict[str, str], name: str, default: float, *, integer: bool = False) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise InvalidSetting(f"{name} must be {kind} greater than 0, not '{raw}'") from None
    if value <= 0:
        raise InvalidSetting(f"{name} must be greater than 0, not '{raw}'")
    return value
