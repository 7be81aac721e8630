"""The ensemble's worker processes: one pool per server, shared by all sessions, and the task each worker runs.

The pool is started once, with the runner's start method (``forkserver`` where
available, else ``spawn``; ``import mesa`` rules out ``fork``); its workers run at
a lower CPU priority than the server and exit with it. Each task is one
replication of one panel, :func:`bottrop_sim.compare.run_pair` (a run and its
twin), given up at its next month once its ensemble's stop flag exists
(:func:`stop_flag`, created by :meth:`bottrop_sim.app.ensemble.Ensemble.cancel`).

Nothing here imports Solara.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import threading
import types
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress

import pandas as pd

from bottrop_sim.compare import run_pair

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def worker_count() -> int:
    """Worker processes of the pool: ``$BOTTROP_SIM_APP_WORKERS``, else the number of cores."""
    given = os.environ.get("BOTTROP_SIM_APP_WORKERS")
    return max(1, int(given)) if given else max(1, os.cpu_count() or 1)


@contextmanager
def _plain_main() -> Iterator[None]:
    """Hide the server's ``__main__`` while worker processes start.

    ``forkserver`` and ``spawn`` re-import the parent's main module in every
    worker; under Solara's server that module is not importable as such and
    the workers die at once. The workers need only the package, so they start
    with an empty main module.
    """
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def pool() -> ProcessPoolExecutor:
    """The server's pool of worker processes (created and started on first use, shared by all sessions; rebuilt if broken)."""
    global _pool
    with _pool_lock:
        if _pool is None or getattr(_pool, "_broken", False):
            from bottrop_sim.experiments.pool import worker_context

            with _plain_main():
                _pool = ProcessPoolExecutor(max_workers=worker_count(), mp_context=worker_context(), initializer=_background, initargs=(os.getpid(),))
                for _ in range(worker_count()):
                    _pool.submit(_ready)  # starts the workers now, while the main module is hidden
        return _pool


def discard_pool() -> None:
    """Forget the server's pool (its workers or their forkserver are gone); the next :func:`pool` call builds a new one."""
    global _pool
    with _pool_lock:
        broken, _pool = _pool, None
    if broken is not None:
        with suppress(Exception):  # a pool whose processes are gone may fail to shut down cleanly; it is dropped either way
            broken.shutdown(wait=False, cancel_futures=True)


WORKER_NICENESS = 10
"""How much lower the workers' CPU priority is than the server's: the page's answers come before the ensemble's runs."""


def _background(server_pid: int) -> None:
    """Worker start: a lower CPU priority, so clicks and redraws of the server go first on a busy laptop; exit with the server.

    A ``ProcessPoolExecutor`` worker waits for tasks for ever when its server was
    killed (SIGKILL, a crash: no exit handler runs), and it keeps the forkserver
    alive with it (about 430 MB for the pair). So each worker watches the server
    (:func:`bottrop_sim.experiments.pool.die_with_parent`, as the sweeps' workers do)
    and exits when it is gone.

    Args:
        server_pid: the server's process id.
    """
    from bottrop_sim.experiments.pool import die_with_parent

    with suppress(OSError):  # not allowed here: the workers keep the server's priority
        os.nice(WORKER_NICENESS)
    die_with_parent(server_pid)


def _ready() -> bool:
    import bottrop_sim.model  # noqa: F401 - the import is the point

    return True


def member_task(task: tuple) -> tuple[str, str, int, int, dict[str, float], pd.DataFrame, pd.DataFrame]:
    """One run and its twin in a worker: (panel, variant, replication, scenario, seed[, stop flag]) -> the same keys, scores, run and twin series.

    With a stop flag (the path of a file :meth:`Ensemble.cancel` creates), the pair is
    given up at the first month after the file appeared (``RunStoppedError``), so a worker
    whose ensemble was replaced takes the new one's runs at once.
    """
    panel, variant, replication, scenario, seed, *flag = task
    stop = (lambda path=flag[0]: os.path.exists(path)) if flag else None
    scores, run, twin = run_pair(scenario, seed, stop)
    return panel, variant, replication, seed, scores, run, twin


_flags: str | None = None
"""Folder of the server's stop flags (created on first use, removed when the server exits)."""
_flags_lock = threading.Lock()


def stop_flag() -> str:
    """The path of a new stop flag (no file yet: :meth:`Ensemble.cancel` creates it)."""
    global _flags
    with _flags_lock:
        if _flags is None:
            _flags = tempfile.mkdtemp(prefix="bottrop-sim-ensembles-")
            atexit.register(shutil.rmtree, _flags, True)
    return os.path.join(_flags, uuid.uuid4().hex)
