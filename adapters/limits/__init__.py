"""Rate limiters and circuit breakers: in-process (one process) and Redis (every instance)."""
