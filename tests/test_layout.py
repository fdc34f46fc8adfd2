"""The top-level packages are this repository's, not same-named packages installed elsewhere."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("package", ["core", "ports", "adapters", "apps"])
def test_each_top_level_package_resolves_to_this_repository(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__file__ is not None
    location = Path(module.__file__).resolve()
    assert location == REPO_ROOT / package / "__init__.py", f"{package} was imported from {location}"
