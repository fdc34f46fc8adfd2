"""A usage sink that queues records in memory and writes them in batches from a thread.

`record()` is an O(1) append, so the event loop never waits on the database; a daemon
thread flushes every `interval_s` or as soon as `batch_size` records are waiting.
"""

from __future__ import annotations

import logging
import threading
from collections import deque

from core.domain.usage import UsageRecord
from ports.unit_of_work import UnitOfWorkFactory

log = logging.getLogger(__name__)


class BatchingUsageSink:
    def __init__(self, uow: UnitOfWorkFactory, interval_s: float = 0.5, batch_size: int = 500) -> None:
        self._uow = uow
        self._interval_s = interval_s
        self._batch_size = batch_size
        self._queue: deque[UsageRecord] = deque()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._flush_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def record(self, record: UsageRecord) -> None:
        self._queue.append(record)
        if self._thread is None:
            self.start()
        if len(self._queue) >= self._batch_size:
            self._wake.set()

    def flush(self) -> None:
        with self._flush_lock:
            while self._queue:
                batch = [self._queue.popleft() for _ in range(min(self._batch_size, len(self._queue)))]
                try:
                    with self._uow() as uow:
                        uow.usage.add_many(batch)
                        uow.commit()
                except Exception:
                    # Keep the records for the next flush rather than lose them.
                    self._queue.extendleft(reversed(batch))
                    log.exception("writing %d usage records failed; will retry", len(batch))
                    return

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="usage-writer", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._interval_s)
            self._wake.clear()
            self.flush()
