"""Readiness probes of the process's dependencies; each answers a reason or None and never raises.

Reasons go to logs only: `/ready` tells callers no more than ready or not ready. They name the
kind of failure, never a URL (it may hold a password) or a driver's message.
"""

from __future__ import annotations

from adapters.storage import schema_status


def database_problem(database_url: str) -> str | None:
    """Unreachable database, or a schema older than this code (naming `switchboard db upgrade`)."""
    try:
        status = schema_status(database_url)
    except Exception as exc:
        return f"database unreachable ({type(exc).__name__})"
    return None if status.up_to_date else status.describe()


def redis_problem(redis_url: str, timeout_s: float = 2.0) -> str | None:
    """Redis does not answer a PING within `timeout_s`."""
    from redis import Redis

    client = Redis.from_url(redis_url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
    try:
        client.ping()
    except Exception as exc:
        return f"redis unreachable ({type(exc).__name__})"
    finally:
        client.close()
    return None
