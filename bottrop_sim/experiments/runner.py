"""Running a sweep: local processes or a Dask cluster, resumable, crash-safe, with progress.

The model core knows nothing of Dask: a run is the plain function
:func:`run_task` on a picklable task. Results are committed in batches as they
arrive (see :mod:`bottrop_sim.experiments.store`), never all held in memory; a
run that raises is recorded as failed with its error text and the sweep goes
on; runs of a worker that dies are run again; Ctrl-C commits what has finished
and stops. Running the same command again resumes: finished runs are skipped,
failed ones are retried with ``retry_failed``.

For tests of failure handling, the environment variable
``BOTTROP_SIM_FAIL_RUNS`` (comma-separated run ids), read by the process that
starts the sweep, makes those runs raise.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

import pandas as pd

from bottrop_sim.errors import ScenarioError
from bottrop_sim.experiments.designs import design_points, seeds
from bottrop_sim.experiments.spec import Experiment, load_experiment, parameter_overrides
from bottrop_sim.experiments.store import ResultStore, latest_manifest, param_hash, run_id
from bottrop_sim.provenance import git_revision, package_versions

FAULT_VARIABLE = "BOTTROP_SIM_FAIL_RUNS"
FLUSH_SECONDS = 10.0


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """One run of a design point with one seed; never raises (a failure is a result).

    Args:
        task: run_id, point, replication, seed, param_hash, overrides, base_data,
            base_file, outcomes (list of dicts), keep_series, needs_twin.

    Returns:
        The manifest row, the outcome row and the kept series of the run.
    """
    from bottrop_sim.monitoring import REGISTRY
    from bottrop_sim.runs import run_with_twin
    from bottrop_sim.scenario.composition import apply_overrides
    from bottrop_sim.scenario.loading import scenario_from_dict

    started = time.perf_counter()
    manifest = {key: task[key] for key in ("run_id", "point", "replication", "seed", "param_hash")}
    try:
        if task.get("inject_failure"):
            raise RuntimeError("injected failure (BOTTROP_SIM_FAIL_RUNS)")
        scenario = scenario_from_dict(apply_overrides(task["base_data"], task["overrides"]), task["base_file"], strict=False)
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


@dataclass
class SweepReport:
    """What a sweep call did."""

    total: int
    skipped: int
    finished: int
    failed: int
    seconds: float


def fingerprint(experiment: Experiment, base_data: dict[str, Any]) -> str:
    """Hash of everything that decides the runs (the experiment and its base scenario)."""
    text = json.dumps({"experiment": experiment.model_dump(mode="json", exclude={"batch_size"}), "base": base_data}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def prepare(experiment_file: str | Path, out: str | Path) -> tuple[Experiment, dict[str, Any], pd.DataFrame, list[dict[str, Any]]]:
    """Validate, write (or check) the experiment record, and list every run's task."""
    experiment, base_data = load_experiment(experiment_file)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ScenarioError("<command line>", "--out", str(out), "a folder (new, or holding this experiment's results), not a file")
    design = design_points(experiment)
    _, replication_seeds = seeds(experiment)
    stamp = fingerprint(experiment, base_data)
    record_file = out / "experiment.json"
    if record_file.is_file():
        record = json.loads(record_file.read_text())
        if record.get("fingerprint") != stamp:
            raise ScenarioError(
                "<command line>", "--out", str(out), f"a new folder, or one holding this same experiment (it holds '{record.get('name')}' with other settings)"
            )
    else:
        out.mkdir(parents=True, exist_ok=True)
        record = {
            "name": experiment.name,
            "fingerprint": stamp,
            "experiment": experiment.model_dump(mode="json"),
            "base_scenario": base_data,
            "replication_seeds": replication_seeds,
            "points": len(design),
            "runs": len(design) * experiment.replications,
            "versions": package_versions(),
            "git_revision": git_revision(),
            "created_utc": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
        }
        temporary = out / "design.parquet.tmp"
        design.astype({c: "object" for c in design.columns if c != "point" and design[c].dtype == object}).to_parquet(temporary, index=False)
        os.replace(temporary, out / "design.parquet")
        temporary = out / "experiment.json.tmp"
        temporary.write_text(json.dumps(record, indent=2, default=str))
        os.replace(temporary, record_file)
    base_hash = hashlib.sha256(json.dumps(base_data, sort_keys=True, default=str).encode()).hexdigest()
    outcomes = [o.model_dump(mode="json") for o in experiment.outcomes]
    tasks = []
    for _, row in design.iterrows():
        values = {p.path: _native(row[p.path]) for p in experiment.parameters}
        for replication, seed in enumerate(replication_seeds):
            tasks.append(
                {
                    "run_id": run_id(int(row["point"]), replication),
                    "point": int(row["point"]),
                    "replication": replication,
                    "seed": seed,
                    "param_hash": param_hash(base_hash, values),
                    "overrides": parameter_overrides(experiment.parameters, values),
                    "base_data": base_data,
                    "base_file": experiment.base_file,
                    "outcomes": outcomes,
                    "keep_series": list(experiment.keep_series),
                    "needs_twin": experiment.needs_twin,
                }
            )
    return experiment, base_data, design, tasks


def _native(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def sweep(
    experiment_file: str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    backend: str = "processes",
    scheduler: str | None = None,
    retry_failed: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
) -> SweepReport:
    """Run (or resume) a sweep.

    Args:
        experiment_file: the experiment TOML file.
        out: the results folder.
        workers: processes (default: all cores); for Dask's LocalCluster, its workers.
        backend: ``processes`` or ``dask``.
        scheduler: address of an existing Dask scheduler (``tcp://host:port``).
        retry_failed: run again the runs recorded as failed.
        progress: called with (done, total, failed) after each finished run.
    """
    started = time.perf_counter()
    experiment, _, _, tasks = prepare(experiment_file, out)
    done = latest_manifest(Path(out))
    finished = set(done.loc[done["status"] == "ok", "run_id"]) if len(done) else set()
    failed_before = set(done.loc[done["status"] == "failed", "run_id"]) if len(done) else set()
    skip = finished | (set() if retry_failed else failed_before)
    failing = set(os.environ.get(FAULT_VARIABLE, "").split(",")) - {""}  # fault injection for tests, read where the sweep starts
    todo = [{**t, "inject_failure": t["run_id"] in failing} for t in tasks if t["run_id"] not in skip]
    store = ResultStore(Path(out))
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
        if len(pending["manifest"]) >= experiment.batch_size or time.monotonic() - last_flush > FLUSH_SECONDS:
            flush()
        if progress:
            progress(counts["done"], len(todo), counts["failed"])

    if progress:
        progress(0, len(todo), 0)
    try:
        if backend == "dask":
            results = _dask(todo, workers, scheduler)
        elif (workers or os.cpu_count() or 1) == 1:
            results = (run_task(task) for task in todo)
        else:
            results = processes(run_task, todo, workers or os.cpu_count() or 1)
        for result in results:
            collect(result)
    finally:
        flush()  # what has finished is kept, also on Ctrl-C or an error
    return SweepReport(
        total=len(tasks), skipped=len(tasks) - len(todo), finished=counts["done"], failed=counts["failed"], seconds=time.perf_counter() - started
    )


def worker_context() -> BaseContext:
    """Start method of the worker processes.

    ``forkserver`` where available: a server process imports the model once and
    forks workers from it, so workers start in milliseconds instead of
    re-importing everything (as ``spawn`` does); no worker inherits the parent's
    threads. Elsewhere ``spawn``.
    """
    if "forkserver" in get_all_start_methods():
        context = get_context("forkserver")
        context.set_forkserver_preload(["bottrop_sim.experiments.runner", "bottrop_sim.model", "bottrop_sim.monitoring"])
        return context
    return get_context("spawn")


def processes(function: Callable[[Any], Any], tasks: list[Any], workers: int) -> Iterator[Any]:
    """``function`` over tasks on local processes, results as they finish (in any order).

    A pool broken by a dying worker is rebuilt and the runs it held are submitted
    again; at most twice as many tasks as workers are in flight.
    """
    queue = list(reversed(tasks))
    limit = 2 * workers
    while queue:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=worker_context())
        running: dict[Any, dict[str, Any]] = {}
        try:
            while queue or running:
                while queue and len(running) < limit:
                    task = queue.pop()
                    running[pool.submit(function, task)] = task
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    task = running.pop(future)
                    yield future.result()
        except BrokenProcessPool:
            queue.extend(running.values())  # a worker died: its runs go back to the queue
            running.clear()
        finally:
            for future in running:
                future.cancel()
            pool.shutdown(wait=False, cancel_futures=True)


def _dask(tasks: list[dict[str, Any]], workers: int | None, scheduler: str | None) -> Iterator[dict[str, Any]]:
    """Run tasks on a Dask cluster: an existing scheduler, or a LocalCluster of ``workers`` processes."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler, timeout="30s")
    else:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        limit = max(2 * len(client.scheduler_info().get("workers", {})), 4)
        queue = list(reversed(tasks))
        futures = as_completed()
        while queue and futures.count() < limit:
            task = queue.pop()
            futures.add(client.submit(run_task, task, key=f"run-{task['run_id']}-{task['param_hash']}", pure=False))
        for future in futures:
            yield future.result()
            future.release()
            if queue:
                task = queue.pop()
                futures.add(client.submit(run_task, task, key=f"run-{task['run_id']}-{task['param_hash']}", pure=False))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
