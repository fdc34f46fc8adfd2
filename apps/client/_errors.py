"""What the client raises: one base class, and a message that says what went wrong."""

from __future__ import annotations


class SwitchboardError(Exception):
    """Base of every error the Switchboard client raises."""


class SwitchboardAPIError(SwitchboardError):
    """The server answered with an error status.

    Attributes:
        status: The HTTP status.
        error_code: The server's error code (e.g. ``RESOURCE_DOES_NOT_EXIST``).
        message: The server's one-line reason.
        retry_after_s: The server's ``Retry-After`` in seconds, when it sent one.
    """

    def __init__(
        self, status: int, error_code: str, message: str, retry_after_s: float | None = None
    ) -> None:
        super().__init__(f"{status} {error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.retry_after_s = retry_after_s


class SwitchboardTimeout(SwitchboardError):
    """No answer arrived within the client's timeout."""


class SwitchboardConnectionError(SwitchboardError):
    """The server could not be reached."""


class SwitchboardStreamError(SwitchboardError):
    """A stream ended with an error event instead of finishing."""

    def __init__(self, message: str, error_type: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.code = code
