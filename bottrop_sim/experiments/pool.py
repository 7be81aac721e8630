"""Local worker processes that account for every task and die with their parent.

Unlike ``concurrent.futures.ProcessPoolExecutor``, each worker holds exactly
one task at a time, so when a worker dies (killed by the out-of-memory killer,
``kill -9``, a segfault) the pool knows which task it was running: that task
is queued again, and after :data:`MAX_ATTEMPTS` deaths it is handed back as a
:class:`WorkerLost` (with the reason) instead of a result. No task is dropped:
every task given to :func:`run_tasks` comes back exactly once, as a result or
as a :class:`WorkerLost`.

Workers die with the process that started them: each sets the Linux
parent-death signal (``prctl(PR_SET_PDEATHSIG, SIGKILL)``, which fires when its
direct parent, the forkserver, exits) and runs a watchdog thread that polls the
sweep's own process and exits when it is gone (also when the sweep was killed
with SIGKILL, which no handler sees). A worker whose pipe to the parent closes
exits too. Workers ignore SIGINT: Ctrl-C is the parent's to handle, and it
stops the workers itself.

Each worker is replaced by a fresh process after ``tasks_per_worker`` tasks, a
safety net against slow memory growth in third-party code (the model's own
leak is fixed at its root, see :func:`bottrop_sim.simulate.release_agent_ids`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing import connection, get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from typing import Any

MAX_ATTEMPTS = 3
TASKS_PER_WORKER = 1000
WATCHDOG_SECONDS = 0.5
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@dataclass(frozen=True)
class WorkerLost:
    """A task whose worker process died ``attempts`` times while running it.

    Attributes:
        task: the task as given to :func:`run_tasks`.
        reason: why, e.g. "the worker process died (killed by signal SIGKILL) 3 times while running it".
        attempts: how often it was started.
    """

    task: Any
    reason: str
    attempts: int


class WorkerError(RuntimeError):
    """The task function raised in a worker (the worker's traceback is the message)."""


def worker_context() -> BaseContext:
    """Start method of the worker processes.

    ``forkserver`` where available: a server process imports the model once and
    forks workers from it, so workers start in milliseconds instead of
    re-importing everything (as ``spawn`` does); no worker inherits the parent's
    threads. Elsewhere ``spawn``.
    """
    if "forkserver" in get_all_start_methods():
        context = get_context("forkserver")
        context.set_forkserver_preload(["bottrop_sim.experiments.runner", "bottrop_sim.compare", "bottrop_sim.model", "bottrop_sim.monitoring"])
        return context
    return get_context("spawn")


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (Linux: from /proc; elsewhere by signal 0)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            state = handle.read().rsplit(b")", 1)[1].split()[0]
        return state not in (b"Z", b"X")
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def die_with_parent(sweep_pid: int) -> None:
    """Make this process exit when its parent or the sweep's process ``sweep_pid`` dies.

    Sets the parent-death signal (Linux ``prctl``; a no-op elsewhere) and starts a
    daemon thread that checks ``sweep_pid`` every :data:`WATCHDOG_SECONDS`.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    def watch() -> None:
        while process_alive(sweep_pid):
            time.sleep(WATCHDOG_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _worker_main(pipe: connection.Connection, function: Callable[[Any], Any], sweep_pid: int, tasks: int) -> None:
    """A worker: receive a task, send ("ok", result) or ("error", traceback), up to ``tasks`` times."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(sweep_pid)
    for _ in range(tasks):
        try:
            task = pipe.recv()
        except (EOFError, OSError):  # the parent is gone or closed the pipe
            return
        try:
            reply = ("ok", function(task))
        except Exception:
            reply = ("error", traceback.format_exc())
        pipe.send(reply)


class _Worker:
    def __init__(self, context: BaseContext, function: Callable[[Any], Any], tasks_per_worker: int) -> None:
        self.pipe, child = context.Pipe(duplex=True)
        self.process = context.Process(target=_worker_main, args=(child, function, os.getpid(), tasks_per_worker), daemon=True)
        self.process.start()
        child.close()
        self.task: tuple[Any, int] | None = None
        self.done = 0
        self.limit = tasks_per_worker

    def give(self, task: Any, attempt: int) -> None:
        self.task = (task, attempt)
        self.pipe.send(task)

    def stop(self) -> None:
        self.pipe.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)


def death_reason(exitcode: int | None) -> str:
    """A worker's exit code in words."""
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


def run_tasks(
    function: Callable[[Any], Any],
    tasks: list[Any],
    workers: int,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    tasks_per_worker: int = TASKS_PER_WORKER,
) -> Iterator[Any]:
    """``function`` over tasks on local processes; each result (or :class:`WorkerLost`) as it finishes, in any order.

    Args:
        function: a picklable function of one task; it should not raise (if it does,
            :class:`WorkerError` is raised here with the worker's traceback).
        tasks: picklable tasks.
        workers: number of processes.
        max_attempts: starts of a task before its worker deaths make it a :class:`WorkerLost`.
        tasks_per_worker: tasks after which a worker is replaced by a fresh process.
    """
    queue = deque((task, 1) for task in tasks)
    if not queue:
        return
    context = worker_context()
    pool: list[_Worker] = []
    try:
        while queue or any(w.task is not None for w in pool):
            while len(pool) < workers and sum(w.task is None for w in pool) < len(queue):
                pool.append(_Worker(context, function, tasks_per_worker))
            for worker in list(pool):
                if worker.task is None and queue:
                    task, attempt = queue.popleft()
                    try:
                        worker.give(task, attempt)
                    except OSError:  # it died while idle: the task goes back, the worker is replaced
                        queue.appendleft((task, attempt))
                        worker.stop()
                        pool.remove(worker)
            busy = [w for w in pool if w.task is not None]
            if not busy:
                continue
            ready = set(connection.wait([w.pipe for w in busy] + [w.process.sentinel for w in busy]))
            for worker in busy:
                if worker.pipe in ready or worker.process.sentinel in ready:
                    reply = None
                    try:
                        if worker.pipe.poll():
                            reply = worker.pipe.recv()
                    except (EOFError, OSError):
                        reply = None
                    task, attempt = worker.task
                    worker.task = None
                    if reply is not None:
                        worker.done += 1
                        if worker.done >= worker.limit:  # it exits by itself: replace it
                            worker.stop()
                            pool.remove(worker)
                        status, payload = reply
                        if status == "error":
                            raise WorkerError(payload)
                        yield payload
                        continue
                    worker.process.join(timeout=10)
                    reason = death_reason(worker.process.exitcode)
                    worker.stop()
                    pool.remove(worker)
                    if attempt < max_attempts:
                        queue.appendleft((task, attempt + 1))
                    else:
                        yield WorkerLost(task, f"the worker process died ({reason}) {attempt} times while running it", attempt)
    finally:
        for worker in pool:
            worker.stop()
