"""The data plane: OpenAI- and MLflow-compatible invocation over raw ASGI, for speed."""

from apps.http.invocation.app import DataPlane

__all__ = ["DataPlane"]
