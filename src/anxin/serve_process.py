"""``anxin serve`` as a child process on a free loopback port: for benchmarks and service tests.

One way to start, wait for, kill and stop a server, so the bench and the tests that need a
real HTTP server (and its background loops) do not each carry their own.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

START_S = 60.0  # importing the app and migrating a fresh store, on a loaded machine
# The child imports the same anxin as this process (a source checkout or an installed wheel).
_SRC = str(Path(__file__).resolve().parents[1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServeProcess:
    """``anxin --db DB [--pack PACK] serve --port N ARGS...``, ready (``GET /ready`` is 200)
    when the constructor returns; its output goes to ``log`` (appended). ``env`` adds to this
    process's environment for the child only."""

    def __init__(
        self,
        db: str,
        log: Path,
        *args: str,
        pack: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "anxin.cli.main", "--db", db]
        cmd += ["--pack", pack] if pack else []
        cmd += ["serve", "--port", str(self.port), *args]
        path = os.pathsep.join(p for p in (_SRC, os.environ.get("PYTHONPATH")) if p)
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            cmd,
            env={**os.environ, **(env or {}), "PYTHONPATH": path},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_S
        while not self._ready():
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server on {self.port} did not become ready (see {log})")
            time.sleep(0.1)

    def _ready(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"the server exited with {self.proc.returncode}")
        try:
            return httpx.get(f"{self.url}/ready", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def kill(self) -> None:
        """SIGKILL: no cleanup, as a crash would leave it."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.log.close()

    def stop(self) -> None:
        """SIGINT, as an operator would: the loops finish their round and release their leases."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
