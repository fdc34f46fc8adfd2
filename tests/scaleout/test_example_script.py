"""docs/examples/scaleout.sh --smoke: PostgreSQL, Redis and two instances start, answer, and leave nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.served import ROOT

SCRIPT = ROOT / "docs" / "examples" / "scaleout.sh"

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _postgres_binaries() -> bool:
    return any(Path("/usr/lib/postgresql").glob("*/bin/initdb")) or shutil.which("initdb") is not None


@pytest.fixture
def servers_installed() -> None:
    """PostgreSQL's server binaries and redis-server, as on CI (which must not skip this)."""
    if _postgres_binaries() and shutil.which("redis-server"):
        return
    if os.environ.get("SWITCHBOARD_REQUIRE_SERVICES") == "1":
        pytest.fail("PostgreSQL and redis-server must be installed (SWITCHBOARD_REQUIRE_SERVICES=1)")
    pytest.skip("PostgreSQL server binaries or redis-server not installed")


@pytest.fixture
def scratch() -> Iterator[Path]:
    """The script's TMPDIR: readable by the postgres user, checked empty afterwards."""
    path = Path(tempfile.mkdtemp(prefix="scaleout-example-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.mark.usefixtures("servers_installed")
def test_the_example_serves_both_instances_and_tears_everything_down(scratch: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    done = subprocess.run(
        ["bash", str(SCRIPT), "--smoke"],
        env=env | {"TMPDIR": str(scratch)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    calls = [line for line in done.stdout.splitlines() if " -> " in line]
    assert len(calls) == 4
    assert all(" -> 200 demo-mock Mock answer to: hello" in line for line in calls)
    assert len({line.split(" -> ")[0] for line in calls}) == 2  # both instances answered
    assert '"calls":60' in done.stdout  # the limit, read back through the other instance
    assert "Stopping PostgreSQL" in done.stderr
    assert list(scratch.iterdir()) == []  # its data directories are gone
