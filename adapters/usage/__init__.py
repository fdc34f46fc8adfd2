"""Usage records written in batches off the request path."""

from adapters.usage.batching import BatchingUsageSink

__all__ = ["BatchingUsageSink"]
