"""A real Switchboard server on loopback for client and remote-CLI tests: tmp SQLite, admin key."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.served import BIN, ROOT, free_port, run_switchboard, stop, wait_until_answering

PASSPHRASE = "client-tests-passphrase-0123456789"


@dataclass(frozen=True)
class RunningServer:
    url: str
    admin_key: str
    env: dict[str, str]

    def switchboard(self, *args: str) -> str:
        """Run the `switchboard` command on the server's database; its stdout."""
        return run_switchboard(self.env, *args)


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
        wait_until_answering(base.url, process, tmp / "server.log")
        yield RunningServer(base.url, key, env)
    finally:
        stop(process)
        log.close()


def _serve_command(port: int) -> list[str]:
    return [str(BIN / "switchboard"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
