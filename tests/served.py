"""Running `switchboard` as a separate process for tests: commands, a served port, waits, stop."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_switchboard(env: Mapping[str, str], *args: str) -> str:
    """Run the `switchboard` command with `env`; its stdout. A failure fails the test with stderr."""
    done = subprocess.run(
        [str(BIN / "switchboard"), *args],
        env=dict(env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"switchboard {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def wait_until_answering(
    url: str, process: subprocess.Popen[bytes], log: Path, path: str = "/health", within_s: float = 30
) -> None:
    """Poll `path` until it answers 200 (a readiness wait, not a timing assertion)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}{path}", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer {path} within {within_s} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes], timeout_s: float = 15) -> None:
    """SIGTERM (the server's clean shutdown), then SIGKILL if it does not exit in time."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
