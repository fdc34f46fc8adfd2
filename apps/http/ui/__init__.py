"""The web console at /ui: static HTML, CSS and JS modules, a client of the admin API."""

from __future__ import annotations

from apps.http.ui.router import ui_router

__all__ = ["ui_router"]
