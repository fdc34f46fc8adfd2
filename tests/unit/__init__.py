"""Unit tests: the core with fakes of its ports."""
