"""The dependency rule holds, and import-linter would catch a planted violation of each contract."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "ports", "adapters", "apps")

LAYERS = "Layers point inward"
FRAMEWORK_FREE = "Core and ports stay free of frameworks"
ONLY_BOOTSTRAP = "Only the composition root imports adapters"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter from `cwd`, which it puts first on sys.path, so `cwd`'s packages are checked."""
    exe = shutil.which("lint-imports", path=Path(sys.executable).parent) or "lint-imports"
    return subprocess.run(
        [exe, "--no-cache", "--no-logo"], cwd=cwd, capture_output=True, text=True, check=False
    )


def broken(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.endswith(" BROKEN")]


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The production packages and pyproject.toml, copied where a test may break them."""
    for package in PACKAGES:
        shutil.copytree(REPO_ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def plant(root: Path, module: str, source: str) -> None:
    path = root.joinpath(*module.split(".")).with_suffix(".py")
    for parent in reversed(path.relative_to(root).parents[:-1]):
        init = root / parent / "__init__.py"
        if not init.exists():
            init.parent.mkdir(parents=True, exist_ok=True)
            init.write_text('"""Planted package."""\n')
    path.write_text(f'"""A planted violation."""\n\n{source}\n')


def test_the_repository_keeps_every_contract() -> None:
    result = lint_imports(REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kept, 0 broken" in result.stdout


def test_an_untouched_copy_keeps_every_contract(project_copy: Path) -> None:
    result = lint_imports(project_copy)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_framework_import_in_the_domain_breaks_the_framework_free_contract(project_copy: Path) -> None:
    plant(project_copy, "core.domain.planted", "import sqlalchemy  # noqa: F401")
    result = lint_imports(project_copy)
    assert result.returncode != 0
    assert broken(result) == [f"{FRAMEWORK_FREE} BROKEN"]
    assert "core.domain.planted -> sqlalchemy" in result.stdout


def test_a_framework_import_in_a_port_breaks_the_framework_free_contract(project_copy: Path) -> None:
    plant(project_copy, "ports.planted", "import httpx  # noqa: F401")
    result = lint_imports(project_copy)
    assert result.returncode != 0
    assert broken(result) == [f"{FRAMEWORK_FREE} BROKEN"]


def test_an_adapter_import_outside_the_composition_root_breaks_the_protected_contract(
    project_copy: Path,
) -> None:
    plant(project_copy, "apps.http.planted", "import adapters  # noqa: F401")
    result = lint_imports(project_copy)
    assert result.returncode != 0
    assert broken(result) == [f"{ONLY_BOOTSTRAP} BROKEN"]
    assert "apps.http.planted -> adapters" in result.stdout


def test_a_port_importing_a_service_breaks_the_layers_contract(project_copy: Path) -> None:
    plant(project_copy, "ports.planted", "import core.services.endpoints  # noqa: F401")
    result = lint_imports(project_copy)
    assert result.returncode != 0
    assert [line.split(":")[0] for line in broken(result)] == [LAYERS]


def test_the_domain_importing_an_app_breaks_the_layers_contract(project_copy: Path) -> None:
    plant(project_copy, "core.domain.planted", "import apps  # noqa: F401")
    result = lint_imports(project_copy)
    assert result.returncode != 0
    assert [line.split(":")[0] for line in broken(result)] == [LAYERS]


def test_an_adapter_importing_a_service_breaks_the_layers_contract(project_copy: Path) -> None:
    # adapters and core.services are independent siblings ("adapters | core.services").
    plant(project_copy, "adapters.planted", "import core.services.endpoints  # noqa: F401")
    result = lint_imports(project_copy)
    assert result.returncode != 0
    assert [line.split(":")[0] for line in broken(result)] == [LAYERS]
