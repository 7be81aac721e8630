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

[[parameters]]
path = "governance.alliance.founding_members"
kind = "integer"
bounds = [20, 80]
levels = 2

[[parameters]]
path = "firms.hiring_rate"
kind = "continuous"
bounds = [0.1, 0.4]
levels = 2

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


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, grandchildren, ...), from /proc."""
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as handle:
                    parents[int(name)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, of in parents.items() if of == parent]
        found += children
        frontier += children
    return found


def sweep_workers(pid: int) -> list[int]:
    """The worker processes of a sweep started by process ``pid``: the forkserver's children."""
    servers = [child for child in descendants(pid) if "multiprocessing.forkserver" in cmdline(child) and _parent(child) == pid]
    return [worker for server in servers for worker in descendants(server)]


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return -1


def rss_after_run(task: dict) -> tuple[int, float]:
    """Run one sweep task, then report (process id, resident memory in MiB) of this process."""
    import gc

    from bottrop_sim.experiments.runner import run_task

    result = run_task(task)
    assert result["manifest"]["status"] == "ok", result["manifest"]["error"]
    gc.collect()
    with open("/proc/self/status") as handle:
        rss = next(int(line.split()[1]) for line in handle if line.startswith("VmRSS:"))
    return os.getpid(), rss / 1024


def crash_once(task: tuple[int, str]) -> int:
    """Kill this process (SIGKILL) the first time task (value, marker file) with a marker is run; else return value squared."""
    import signal

    value, marker = task
    if marker and not os.path.exists(marker):
        Path(marker).write_text("crashed")
        os.kill(os.getpid(), signal.SIGKILL)
    return value * value


def always_crash(task: int) -> int:
    """Kill this process for task 3; return the others squared."""
    import signal

    if task == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return task * task
