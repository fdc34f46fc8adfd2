"""The invocation hot path: authenticate, resolve, limit, route, call, fall back, account."""
