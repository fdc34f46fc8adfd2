"""The real clock, id generator and random source."""

from adapters.system.clock import SystemClock
from adapters.system.ids import RandomIds

__all__ = ["RandomIds", "SystemClock"]
