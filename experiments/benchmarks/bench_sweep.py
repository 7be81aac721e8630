"""Sweep throughput on 2 workers, runner and store overhead, and memory per 1,000 runs.

A small sweep of the default closure scenario (a grid over the governance
setting and the hiring rate, several replications, horizon 2015-01 to
``--end``):

1. reference: the same runs with ``run_task`` in this process, no store;
2. the sweep with 1 worker, and ``--repeats`` times with 2 workers: runs per
   second (min / median / max over the repetitions), the runner and store
   overhead against the reference, and the parallel efficiency (speed-up / 2);
3. memory: ``--memory-runs`` runs in one worker process (no fresh process in
   between), its resident memory after each run; the growth per 1,000 runs is
   the least-squares slope after ten warm-up runs (Mesa's agent-id counter
   kept every model alive before: about 4,000 MiB per 1,000 runs).

Usage: python experiments/benchmarks/bench_sweep.py [--runs 120] [--repeats 3] [--memory-runs 300]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from bottrop_sim.experiments.plan import plan_sweep
from bottrop_sim.experiments.pool import run_tasks
from bottrop_sim.experiments.runner import run_task, sweep

ROOT = Path(__file__).resolve().parents[2]


def experiment_text(replications: int, end: str) -> str:
    return f"""name = "bench"
base = "{ROOT / "scenarios" / "closure_2018.toml"}"
design = "grid"
replications = {replications}
seed = 1
batch_size = 50
fixed = {{ end = "{end}" }}
[[parameters]]
path = "governance.mode"
kind = "categorical"
values = ["none", "city_led", "alliance", "hybrid"]
[[parameters]]
path = "firms.hiring_rate"
kind = "continuous"
bounds = [0.1, 0.4]
levels = 3
[[outcomes]]
name = "employment"
[[outcomes]]
name = "unemployment_rate"
statistic = "mean"
"""


def rss_mib() -> float:
    """Resident memory of this process, MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_and_measure(task: dict) -> tuple[int, float]:
    """One run in a worker, then (pid, resident memory in MiB) of the worker."""
    run_task(task)
    gc.collect()
    return os.getpid(), rss_mib()


def spread(values: list[float]) -> str:
    return f"min {min(values):.2f} / median {statistics.median(values):.2f} / max {max(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=120, help="runs of the throughput sweeps (a multiple of 12)")
    parser.add_argument("--repeats", type=int, default=3, help="repetitions of the 2-worker sweep")
    parser.add_argument("--end", default="2019-12", help="last month of the throughput runs")
    parser.add_argument("--memory-runs", type=int, default=300, help="runs in one worker for the memory slope (0 skips it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        experiment = folder / "bench.toml"
        experiment.write_text(experiment_text(max(1, args.runs // 12), args.end))
        tasks = plan_sweep(experiment, folder / "plan").tasks
        runs = len(tasks)
        run_task(tasks[0])  # warm-up
        start = time.perf_counter()
        for task in tasks:
            run_task(task)
        reference = time.perf_counter() - start
        start = time.perf_counter()
        sweep(experiment, folder / "one", workers=1)
        one = time.perf_counter() - start
        two = []
        for repeat in range(args.repeats):
            start = time.perf_counter()
            report = sweep(experiment, folder / f"two{repeat}", workers=2)
            two.append(time.perf_counter() - start)
            assert report.complete, report.line()
        rates = [runs / seconds for seconds in two]
        print(f"{runs} runs of 2015-01..{args.end}, {os.cpu_count()} cores")
        print(f"reference (run_task in process, no store): {runs / reference:.2f} runs/s")
        print(f"sweep, 1 worker: {runs / one:.2f} runs/s; runner and store overhead {100 * (one / reference - 1):+.1f} %")
        print(f"sweep, 2 workers, {args.repeats} repetitions: runs/s {spread(rates)}")
        print(f"parallel efficiency (2 workers, median): {100 * one / statistics.median(two) / 2:.0f} %")
        if args.memory_runs:
            experiment.write_text(experiment_text(max(1, -(-args.memory_runs // 12)), "2015-06"))
            memory_tasks = plan_sweep(experiment, folder / "plan").tasks[: args.memory_runs]
            samples = list(run_tasks(run_and_measure, memory_tasks, 1))
            assert len({pid for pid, _ in samples}) == 1, "the runs were spread over several processes"
            memory = np.array([rss for _, rss in samples])
            done = np.arange(1, len(memory) + 1)
            slope = np.polyfit(done[10:], memory[10:], 1)[0] if len(memory) > 20 else float("nan")
            print(
                f"memory: {len(memory)} runs in one worker, resident {memory[9]:.0f} MiB after 10 runs, {memory[-1]:.0f} MiB after {len(memory)}; "
                f"growth {1000 * slope:+.1f} MiB per 1,000 runs"
            )


if __name__ == "__main__":
    main()
