"""The CLI's application object: settings now, services built once on first use."""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from apps.bootstrap import Services, build
from apps.settings import Settings


@dataclass
class CliContext:
    settings: Settings
    json_output: bool = False
    _services: Services | None = field(default=None, repr=False)

    @property
    def services(self) -> Services:
        if self._services is None:
            self._services = build(self.settings)
        return self._services


pass_cli = click.make_pass_decorator(CliContext)
