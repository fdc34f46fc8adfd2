"""Contract tests: one behaviour, every store adapter."""
