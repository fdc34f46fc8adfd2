"""Request ids: unique per process without a system call per request.

A random process prefix plus a counter. Reading the OS's randomness costs ~90 µs per call on
this kind of sandboxed machine (docs/performance.md), a third of a request's budget, and a
request id needs uniqueness, not secrecy.
"""

from __future__ import annotations

import itertools
import secrets


class RequestIds:
    def __init__(self) -> None:
        self._prefix = secrets.token_hex(6)
        self._counter = itertools.count(1)

    def new_id(self) -> str:
        return f"{self._prefix}{next(self._counter):010x}"
