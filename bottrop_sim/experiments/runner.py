"""Running a sweep: local processes or a Dask cluster, resumable, crash-safe, with progress.

The model core knows nothing of Dask: a run is the plain function
:func:`run_task` on a picklable task. Results are committed in batches as they
arrive (see :mod:`bottrop_sim.experiments.store`), never all held in memory.
Every task is accounted for until its result is stored: a run that raises is
recorded as failed with its error text and the sweep goes on; the run of a
worker that dies is run again, and recorded as failed with the reason after
three deaths (see :mod:`bottrop_sim.experiments.pool`); Ctrl-C commits what
has finished and stops. Running the same command again resumes: finished runs
are skipped, failed ones are retried with ``retry_failed``. The report counts
the runs stored, failed and missing in the folder.

Nothing is written before the experiment, the folder and the backend (a Dask
scheduler must answer) have been checked.

For tests of failure handling, two environment variables (comma-separated run
ids), read by the process that starts the sweep: ``BOTTROP_SIM_FAIL_RUNS``
makes those runs raise, ``BOTTROP_SIM_CRASH_RUNS`` makes their worker process
kill itself (SIGKILL) each time it starts them.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from bottrop_sim.errors import ScenarioError
from bottrop_sim.experiments.plan import Plan, plan_sweep, write_record
from bottrop_sim.experiments.pool import WorkerLost, run_tasks
from bottrop_sim.experiments.store import ResultStore, latest_manifest

FAULT_VARIABLE = "BOTTROP_SIM_FAIL_RUNS"
CRASH_VARIABLE = "BOTTROP_SIM_CRASH_RUNS"
FLUSH_SECONDS = 10.0
SCHEDULER_TIMEOUT_S = 5.0


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """One run of a design point with one seed; never raises (a failure is a result).

    Args:
        task: run_id, point, replication, seed, param_hash, values ((path, value) pairs), base_data,
            base_file, outcomes (list of dicts), keep_series, needs_twin.

    Returns:
        The manifest row, the outcome row and the kept series of the run.
    """
    from bottrop_sim.monitoring import REGISTRY
    from bottrop_sim.runs import run_with_twin
    from bottrop_sim.scenario.fields import with_values
    from bottrop_sim.scenario.loading import scenario_from_dict

    started = time.perf_counter()
    manifest = {key: task[key] for key in ("run_id", "point", "replication", "seed", "param_hash")}
    try:
        if task.get("inject_crash"):
            os.kill(os.getpid(), signal.SIGKILL)
        if task.get("inject_failure"):
            raise RuntimeError("injected failure (BOTTROP_SIM_FAIL_RUNS)")
        scenario = scenario_from_dict(with_values(task["base_data"], task["values"]), task["base_file"], strict=False)
        pair = run_with_twin(scenario, seed=task["seed"], with_twin=task["needs_twin"])  # resilience needs the twin
        run, card = pair.run.timeseries, pair.scores
        values: dict[str, float] = {}
        for outcome in task["outcomes"]:
            name, statistic = outcome["name"], outcome["statistic"]
            if statistic == "final":
                values[name] = float(card[name]) if name in REGISTRY else float(run[name].iloc[-1])
            else:
                first, last = outcome.get("window") or (run["date"].iloc[0], run["date"].iloc[-1])
                values[f"{name}_mean"] = float(run.loc[(run["date"] >= first) & (run["date"] <= last), name].mean())
        series = run[["date", *task["keep_series"]]].assign(run_id=task["run_id"]) if task["keep_series"] else None
        outcome_row = {**manifest, **values}
        manifest |= {"status": "ok", "error": ""}
    except Exception as error:
        outcome_row, series = None, None
        last = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
        where = f" ({Path(last.filename).name}:{last.lineno})" if last else ""
        manifest |= {"status": "failed", "error": f"{type(error).__name__}: {error}{where}"}
    manifest["duration_s"] = time.perf_counter() - started
    manifest["finished_utc"] = pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds")
    return {"manifest": manifest, "outcomes": outcome_row, "series": series}


def lost_result(task: dict[str, Any], reason: str) -> dict[str, Any]:
    """The failed result of a run whose worker died (``reason`` in words)."""
    manifest = {key: task[key] for key in ("run_id", "point", "replication", "seed", "param_hash")}
    manifest |= {"status": "failed", "error": f"WorkerDied: {reason}", "duration_s": float("nan")}
    manifest["finished_utc"] = pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds")
    return {"manifest": manifest, "outcomes": None, "series": None}


@dataclass
class SweepReport:
    """What a sweep call did, and what the results folder holds afterwards.

    Attributes:
        total: runs of the experiment.
        skipped: runs not started by this call (stored before, or failed before without ``retry_failed``).
        finished: runs this call finished (ok or failed).
        failed: runs of this call that failed.
        seconds: wall time of this call.
        stored: runs of the experiment with a stored result in the folder.
        failed_total: runs recorded as failed in the folder.
        missing: runs with neither (``total - stored - failed_total``); zero after a sweep that was not interrupted.
        notes: messages for the user (an extended design, a quarantined batch).
    """

    total: int
    skipped: int
    finished: int
    failed: int
    seconds: float
    stored: int = 0
    failed_total: int = 0
    missing: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every run of the experiment has a stored result."""
        return self.stored == self.total

    def line(self) -> str:
        """The final line of the sweep command."""
        return f"stored {self.stored} of {self.total} runs, {self.failed_total} failed, {self.missing} missing"


def sweep(
    experiment_file: str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    backend: str = "processes",
    scheduler: str | None = None,
    retry_failed: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
    notify: Callable[[str], None] | None = None,
) -> SweepReport:
    """Run (or resume, or extend) a sweep.

    Args:
        experiment_file: the experiment TOML file.
        out: the results folder.
        workers: processes (default: all cores); for Dask's LocalCluster, its workers.
        backend: ``processes`` or ``dask``.
        scheduler: address of an existing Dask scheduler (``tcp://host:port``).
        retry_failed: run again the runs recorded as failed.
        progress: called with (done, total, failed) after each finished run.
        notify: called with messages for the user (extension, quarantined batches).

    Raises:
        ScenarioError: an invalid experiment or folder, or a scheduler that does not
            answer; nothing has been written then.
    """
    started = time.perf_counter()
    plan = plan_sweep(experiment_file, out)  # validation: nothing written before it passes
    client = _dask_client(workers, scheduler) if backend == "dask" else None
    try:
        write_record(plan)
        store = ResultStore(plan.out)
        notes = [*plan.notes, *store.quarantine_damaged()]
        for note in notes:
            if notify:
                notify(note)
        todo = pending_tasks(plan, retry_failed)
        counts = _execute(plan, store, todo, workers, client, progress)
    finally:
        if client is not None:
            client[0].close()
            if client[1] is not None:
                client[1].close()
    done = latest_manifest(plan.out)
    ids = {t["run_id"] for t in plan.tasks}
    done = done[done["run_id"].isin(ids)]
    stored, failed_total = int((done["status"] == "ok").sum()), int((done["status"] == "failed").sum())
    return SweepReport(
        total=len(plan.tasks), skipped=len(plan.tasks) - len(todo), finished=counts["done"], failed=counts["failed"],
        seconds=time.perf_counter() - started, stored=stored, failed_total=failed_total, missing=len(plan.tasks) - stored - failed_total, notes=notes,
    )  # fmt: skip


def pending_tasks(plan: Plan, retry_failed: bool) -> list[dict[str, Any]]:
    """The tasks still to run (with test fault injection marked)."""
    done = latest_manifest(plan.out)
    finished = set(done.loc[done["status"] == "ok", "run_id"]) if len(done) else set()
    failed_before = set(done.loc[done["status"] == "failed", "run_id"]) if len(done) else set()
    skip = finished | (set() if retry_failed else failed_before)
    failing = set(os.environ.get(FAULT_VARIABLE, "").split(",")) - {""}  # fault injection for tests, read where the sweep starts
    crashing = set(os.environ.get(CRASH_VARIABLE, "").split(",")) - {""}
    return [{**t, "inject_failure": t["run_id"] in failing, "inject_crash": t["run_id"] in crashing} for t in plan.tasks if t["run_id"] not in skip]


def _execute(plan: Plan, store: ResultStore, todo: list[dict[str, Any]], workers: int | None, client: Any, progress: Callable | None) -> dict[str, int]:
    pending: dict[str, list] = {"manifest": [], "outcomes": [], "series": []}
    counts = {"done": 0, "failed": 0}
    last_flush = time.monotonic()

    def flush() -> None:
        nonlocal last_flush
        if pending["manifest"]:
            store.commit(pending["manifest"], pending["outcomes"], pending["series"])
            for key in pending:
                pending[key] = []
        last_flush = time.monotonic()

    def collect(result: dict[str, Any]) -> None:
        pending["manifest"].append(result["manifest"])
        if result["outcomes"] is not None:
            pending["outcomes"].append(result["outcomes"])
        if result["series"] is not None:
            pending["series"].append(result["series"])
        counts["done"] += 1
        counts["failed"] += result["manifest"]["status"] != "ok"
        if len(pending["manifest"]) >= plan.experiment.batch_size or time.monotonic() - last_flush > FLUSH_SECONDS:
            flush()
        if progress:
            progress(counts["done"], len(todo), counts["failed"])

    if progress:
        progress(0, len(todo), 0)
    workers = workers or os.cpu_count() or 1
    if client is not None:
        results: Iterator[Any] = _dask(todo, client[0])
    elif workers == 1:
        results = (run_task(task) for task in todo)
    else:
        results = run_tasks(run_task, todo, workers)
    try:
        for result in results:
            collect(lost_result(result.task, result.reason) if isinstance(result, WorkerLost) else result)
    finally:
        results.close()  # stops the workers now, also on Ctrl-C
        flush()  # what has finished is kept, also on Ctrl-C or an error
    return counts


ADDRESS = re.compile(r"^(?:(?P<scheme>tcp|tls)://)?(?P<host>[A-Za-z0-9_.\-]+|\[[0-9A-Fa-f:]+\]):(?P<port>\d{1,5})$")


def check_scheduler_address(address: str, timeout: float = SCHEDULER_TIMEOUT_S) -> None:
    """Refuse, quickly, an address that is malformed or where nothing listens.

    Raises:
        ScenarioError: naming the address and what is wrong with it.
    """
    match = ADDRESS.match(address.strip())
    if not match or not 1 <= int(match["port"]) <= 65535:
        raise ScenarioError("<command line>", "--scheduler", address, "a Dask scheduler address tcp://HOST:PORT (or tls://HOST:PORT), port 1-65535")
    try:
        with socket.create_connection((match["host"].strip("[]"), int(match["port"])), timeout=timeout):
            pass
    except OSError as error:
        raise ScenarioError(
            "<command line>", "--scheduler", address, f"the address of a running Dask scheduler (no answer within {timeout:g} s: {error}); nothing was written"
        ) from None


def _dask_client(workers: int | None, scheduler: str | None) -> tuple[Any, Any]:
    """(client, LocalCluster or None): connect to ``scheduler`` (checked first), or start a LocalCluster."""
    from distributed import Client, LocalCluster

    if scheduler:
        check_scheduler_address(scheduler)
        try:
            return Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT_S * 2:g}s"), None
        except OSError as error:
            raise ScenarioError("<command line>", "--scheduler", scheduler, f"the address of a running Dask scheduler ({error}); nothing was written") from None
    cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster), cluster


def _dask(tasks: list[dict[str, Any]], client: Any) -> Iterator[dict[str, Any]]:
    """Run tasks on a Dask cluster; a run whose workers kept dying (KilledWorker) is recorded as failed."""
    from distributed import as_completed

    limit = max(2 * len(client.scheduler_info().get("workers", {})), 4)
    queue = list(reversed(tasks))
    futures = as_completed()
    owner = {}

    def submit() -> None:
        task = queue.pop()
        future = client.submit(run_task, task, key=f"run-{task['run_id']}-{task['param_hash']}", pure=False)
        owner[future.key] = task
        futures.add(future)

    while queue and futures.count() < limit:
        submit()
    for future in futures:
        task = owner.pop(future.key)
        try:
            yield future.result()
        except Exception as error:  # the scheduler gave up on it (e.g. KilledWorker): a failed run, with the reason
            yield lost_result(task, f"Dask: {type(error).__name__}: {error}")
        future.release()
        if queue:
            submit()


def dry_run(experiment_file: str | Path, out: str | Path, *, workers: int | None = None, retry_failed: bool = False) -> dict[str, Any]:
    """What a sweep would do, without writing anything: design size, runs to do and an estimated time.

    The time per run is the mean duration of the runs already stored in ``out``,
    or else that of one trial run (the first design point, in this process);
    the estimate divides the total by the number of workers.

    Returns:
        points, replications, runs, stored, failed, to_run, seconds_per_run, basis (how it was measured),
        workers, estimated_seconds, state (new, same or extended) and notes.
    """
    plan = plan_sweep(experiment_file, out)
    done = latest_manifest(plan.out) if (plan.out / "batches").is_dir() else pd.DataFrame(columns=["run_id", "status", "duration_s"])
    done = done[done["run_id"].isin({t["run_id"] for t in plan.tasks})]
    ok = done[done["status"] == "ok"]
    skip = set(ok["run_id"]) | (set() if retry_failed else set(done.loc[done["status"] == "failed", "run_id"]))
    to_run = sum(t["run_id"] not in skip for t in plan.tasks)
    durations = pd.to_numeric(ok["duration_s"], errors="coerce").dropna()
    if len(durations):
        per_run, basis = float(durations.mean()), f"mean of {len(durations)} stored runs"
    else:
        trial = run_task(plan.tasks[0])
        per_run, basis = float(trial["manifest"]["duration_s"]), "one trial run in this process"
    workers = workers or os.cpu_count() or 1
    return {
        "points": len(plan.design),
        "replications": plan.experiment.replications,
        "runs": len(plan.tasks),
        "stored": len(ok),
        "failed": int((done["status"] == "failed").sum()),
        "to_run": to_run,
        "seconds_per_run": per_run,
        "basis": basis,
        "workers": workers,
        "estimated_seconds": per_run * to_run / min(workers, max(to_run, 1)),
        "state": plan.state,
        "notes": plan.notes,
    }
