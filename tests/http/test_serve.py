"""`switchboard serve` refuses to start, with one line, on a stale schema or a bad passphrase."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from apps.bootstrap import build, upgrade_database
from apps.settings import Settings
from tests.served import free_port

PASSPHRASE = "correct horse battery staple"


def serve(database_url: str, passphrase: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env["SWITCHBOARD_DATABASE_URL"] = database_url
    if passphrase is not None:
        env["SWITCHBOARD_KEK_PASSPHRASE"] = passphrase
    return subprocess.run(
        [sys.executable, "-c", "from apps.cli.main import main; main()", "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def one_line_refusal(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'switchboard.db'}"


@pytest.fixture
def upgraded(database_url: str) -> str:
    upgrade_database(database_url)
    build(Settings(database_url=database_url, kek_passphrase=PASSPHRASE)).require_unlocked()
    return database_url


def test_refuses_a_database_without_the_current_schema(database_url: str) -> None:
    line = one_line_refusal(serve(database_url, PASSPHRASE))
    assert "switchboard db upgrade" in line


def test_refuses_a_wrong_passphrase(upgraded: str) -> None:
    line = one_line_refusal(serve(upgraded, "not the passphrase at all"))
    assert "passphrase" in line.lower()
    assert "not the passphrase at all" not in line and PASSPHRASE not in line


def test_refuses_a_missing_passphrase(upgraded: str) -> None:
    line = one_line_refusal(serve(upgraded, None))
    assert "SWITCHBOARD_KEK_PASSPHRASE" in line


def wait_for_health(base_url: str, server: subprocess.Popen[str]) -> None:
    """Poll /health until the server answers (or exits); a readiness wait, not a timing check."""
    for _ in range(300):
        if server.poll() is not None:
            output = server.stdout.read() if server.stdout else ""
            pytest.fail(f"serve exited with {server.returncode}: {output[-2000:]}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail("serve did not answer /health")


def test_serves_health_and_the_admin_api_on_loopback(upgraded: str) -> None:
    _, admin_key = build(Settings(database_url=upgraded, kek_passphrase=PASSPHRASE)).keys.create(
        "root", "admin"
    )
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env |= {"SWITCHBOARD_DATABASE_URL": upgraded, "SWITCHBOARD_KEK_PASSPHRASE": PASSPHRASE}
    command = [sys.executable, "-c", "from apps.cli.main import main; main()", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base_url, server)
        health = httpx.get(f"{base_url}/health")
        keys = httpx.get(f"{base_url}/api/v1/keys", headers={"Authorization": f"Bearer {admin_key}"})
        anonymous = httpx.get(f"{base_url}/api/v1/keys")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert health.json() == {"status": "ok"}
    assert keys.status_code == 200 and [k["name"] for k in keys.json()["keys"]] == ["root"]
    assert anonymous.status_code == 401
