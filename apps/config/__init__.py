"""Declarative config: a YAML file of secrets, model definitions, endpoints and limits."""

from apps.config.apply import apply_plan
from apps.config.document import ConfigDocument, ConfigError, load_document, parse_document
from apps.config.export import export_document, export_yaml
from apps.config.plan import Change, Plan, make_plan
from apps.config.state import CurrentState, read_state

__all__ = [
    "Change",
    "ConfigDocument",
    "ConfigError",
    "CurrentState",
    "Plan",
    "apply_plan",
    "export_document",
    "export_yaml",
    "load_document",
    "make_plan",
    "parse_document",
    "read_state",
]
