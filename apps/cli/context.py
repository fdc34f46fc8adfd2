"""The CLI's application object: settings now, services or the admin backend built once on first use."""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from apps.bootstrap import Services, build
from apps.cli.backend import AdminBackend
from apps.settings import Settings


@dataclass
class CliContext:
    settings: Settings
    json_output: bool = False
    remote_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    _services: Services | None = field(default=None, repr=False)
    _backend: AdminBackend | None = field(default=None, repr=False)

    @property
    def services(self) -> Services:
        if self._services is None:
            self._services = build(self.settings)
        return self._services

    @property
    def backend(self) -> AdminBackend:
        """Admin operations: over HTTP when a server URL is set, else on the database."""
        if self._backend is None:
            self._backend = self._remote() if self.remote_url else self._local()
        return self._backend

    def _remote(self) -> AdminBackend:
        from apps.client import SwitchboardClient

        if not self.api_key:
            raise click.ClickException(
                f"SWITCHBOARD_API_KEY must be set to an admin key to use the server at {self.remote_url}"
            )
        return SwitchboardClient(str(self.remote_url), self.api_key)

    def _local(self) -> AdminBackend:
        from apps.cli.backend_local import LocalBackend

        return LocalBackend(self.services)


pass_cli = click.make_pass_decorator(CliContext)
