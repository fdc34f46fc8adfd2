"""docs/examples/client_example.py runs as documented against a real `switchboard serve`."""

from __future__ import annotations

import subprocess
import sys

from tests.client.server import RunningServer
from tests.served import ROOT


def _run_example(server: RunningServer) -> str:
    env = {
        **server.env,
        "SWITCHBOARD_URL": server.url,
        "SWITCHBOARD_API_KEY": server.admin_key,
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "examples" / "client_example.py")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_example_runs_and_can_run_again(server: RunningServer) -> None:
    first = _run_example(server)
    assert "endpoint example-chat" in first and "serves example-mock" in first
    assert "chat: Hello from Switchboard, you said: ping" in first
    assert "stream: Hello from Switchboard, you said: stream please" in first
    assert "as expected: 404 RESOURCE_DOES_NOT_EXIST" in first
    assert server.admin_key not in first
    assert "serves example-mock" in _run_example(server)
