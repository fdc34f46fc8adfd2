"""A real Switchboard server on loopback for client and remote-CLI tests: tmp SQLite, admin key."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSPHRASE = "client-tests-passphrase-0123456789"


@dataclass(frozen=True)
class RunningServer:
    url: str
    admin_key: str
    env: dict[str, str]

    def switchboard(self, *args: str) -> str:
        """Run the `switchboard` command on the server's database; its stdout."""
        done = subprocess.run(
            [str(BIN / "switchboard"), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"switchboard {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(tmp: Path) -> Iterator[RunningServer]:
    env = {
        **os.environ,
        "SWITCHBOARD_DATABASE_URL": f"sqlite:///{tmp / 'switchboard.db'}",
        "SWITCHBOARD_KEK_PASSPHRASE": PASSPHRASE,
    }
    for name in ("SWITCHBOARD_URL", "SWITCHBOARD_API_KEY", "SWITCHBOARD_REDIS_URL"):
        env.pop(name, None)
    port = free_port()
    base = RunningServer(f"http://127.0.0.1:{port}", "", env)
    base.switchboard("db", "upgrade")
    key = json.loads(base.switchboard("keys", "create", "--name", "test-admin", "--role", "admin", "--json"))[
        "key"
    ]
    log = (tmp / "server.log").open("w")
    process = subprocess.Popen(
        _serve_command(port),
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(base.url, process, tmp / "server.log")
        yield RunningServer(base.url, key, env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _serve_command(port: int) -> list[str]:
    return [str(BIN / "switchboard"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll /health until the server answers (a readiness wait, not a timing assertion)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer /health within 30 s:\n{log.read_text()[-2000:]}")
