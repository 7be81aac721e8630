"""Small experiments and a Dask cluster of separate processes for the sweep tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import SCENARIOS

BIN = Path(sys.executable).parent


def write_experiment(
    folder: Path,
    *,
    name: str = "tiny",
    design: str = "grid",
    replications: int = 2,
    batch_size: int = 3,
    samples: int = 4,
    end: str = "2016-06",
    extra: str = "",
) -> Path:
    """A small experiment on the closure scenario with a short horizon."""
    text = f"""name = "{name}"
base = "{SCENARIOS / "closure_2018.toml"}"
design = "{design}"
samples = {samples}
replications = {replications}
seed = 5
batch_size = {batch_size}
keep_series = ["employment_workplace"]
fixed = {{ end = "{end}" }}
{extra}
[[parameters]]
path = "governance.mode"
kind = "categorical"
values = ["none", "alliance", "city_led"]
role = "lever"

[[parameters]]
path = "governance.alliance.founding_members"
kind = "integer"
bounds = [20, 80]
levels = 2
role = "lever"

[[parameters]]
path = "firms.hiring_rate"
kind = "continuous"
bounds = [0.1, 0.4]
levels = 2
role = "uncertainty"

[[outcomes]]
name = "employment"

[[outcomes]]
name = "resistance"

[[outcomes]]
name = "unemployment_rate"
statistic = "mean"
"""
    path = folder / f"{name}.toml"
    path.write_text(text)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DaskCluster:
    """``dask scheduler`` and ``dask worker`` as separate processes on 127.0.0.1."""

    def __init__(self, workers: int = 2, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}
        self.scheduler = subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.workers = [self._worker() for _ in range(workers)]
        self.wait_for_workers(workers)

    def _worker(self) -> subprocess.Popen:
        return subprocess.Popen(
            [str(BIN / "dask"), "worker", self.address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard", "--host", "127.0.0.1"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def wait_for_workers(self, count: int, timeout: float = 60.0) -> None:
        from distributed import Client

        deadline = time.monotonic() + timeout
        client = Client(self.address, timeout="30s")
        try:
            while len(client.scheduler_info()["workers"]) < count:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"only {len(client.scheduler_info()['workers'])} of {count} Dask workers came up")
                time.sleep(0.2)
        finally:
            client.close()

    def close(self) -> None:
        for process in [*self.workers, self.scheduler]:
            process.kill()
        for process in [*self.workers, self.scheduler]:
            process.wait(timeout=30)
