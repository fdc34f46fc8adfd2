"""The Litestar HTTP front-end."""

from apps.http.app import create_app

__all__ = ["create_app"]
