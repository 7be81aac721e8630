"""Sweep throughput, parallel efficiency, runner and store overhead, and memory over many runs.

A small sweep of the default closure scenario (horizon 2015-01 to 2019-12, a
grid over the governance setting and the hiring rate, several replications):

1. reference: the same runs with ``run_task`` in this process, no store;
2. the sweep with 1 worker: runs per minute, and the runner and store overhead
   against the reference (target below 5 %);
3. the sweep with 2 workers: runs per minute and parallel efficiency
   (speed-up / 2, target at least 90 %);
4. a long sweep (``--memory-runs``, default 2,000) with 2 workers, printing the
   parent process's resident memory every 10 % of the runs: it must not grow
   with the number of finished runs.

Usage: python experiments/benchmarks/bench_sweep.py [--runs 120] [--memory-runs 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bottrop_sim.experiments.runner import prepare, run_task, sweep

ROOT = Path(__file__).resolve().parents[2]


def experiment_text(replications: int) -> str:
    return f"""name = "bench"
base = "{ROOT / "scenarios" / "closure_2018.toml"}"
design = "grid"
replications = {replications}
seed = 1
batch_size = 50
[[parameters]]
path = "governance.mode"
kind = "categorical"
values = ["none", "city_led", "alliance", "hybrid"]
role = "lever"
[[parameters]]
path = "firms.hiring_rate"
kind = "continuous"
bounds = [0.1, 0.4]
levels = 3
role = "uncertainty"
[[parameters]]
path = "end"
kind = "categorical"
values = ["2019-12"]
role = "uncertainty"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=120, help="runs of the throughput sweeps (a multiple of 12)")
    parser.add_argument("--memory-runs", type=int, default=2000, help="runs of the memory sweep (a multiple of 12; 0 skips it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        experiment = folder / "bench.toml"
        experiment.write_text(experiment_text(max(1, args.runs // 12)))
        _, _, _, tasks = prepare(experiment, folder / "prepare")
        run_task(tasks[0])  # warm-up
        start = time.perf_counter()
        for task in tasks:
            run_task(task)
        reference = time.perf_counter() - start
        timings = {}
        for workers in (1, 2):
            start = time.perf_counter()
            sweep(experiment, folder / f"out{workers}", workers=workers)
            timings[workers] = time.perf_counter() - start
        runs = len(tasks)
        print(f"{runs} runs of 2015-01..2019-12")
        print(f"reference (run_task in process, no store): {reference:.2f} s = {60 * runs / reference:.0f} runs/min")
        for workers, seconds in timings.items():
            print(f"sweep, {workers} worker(s): {seconds:.2f} s = {60 * runs / seconds:.0f} runs/min")
        print(f"runner and store overhead (1 worker vs reference): {100 * (timings[1] / reference - 1):.1f} % (target < 5 %)")
        print(f"parallel efficiency (2 workers): {100 * timings[1] / timings[2] / 2:.1f} % (target >= 90 %)")
        if args.memory_runs:
            experiment.write_text(experiment_text(max(1, args.memory_runs // 12)))
            total = 12 * max(1, args.memory_runs // 12)
            marks = {max(1, round(total * k / 10)) for k in range(1, 11)}
            samples = []

            def progress(done: int, _total: int, _failed: int) -> None:
                if done in marks:
                    samples.append((done, rss_mib()))

            start = time.perf_counter()
            sweep(experiment, folder / "memory", workers=2, progress=progress)
            seconds = time.perf_counter() - start
            print(f"memory sweep: {total} runs in {seconds:.0f} s ({60 * total / seconds:.0f} runs/min, 2 workers)")
            print("finished runs -> parent resident memory (MiB): " + ", ".join(f"{d}: {m:.0f}" for d, m in samples))
            print(f"growth from 10 % to 100 % of the runs: {samples[-1][1] - samples[0][1]:+.1f} MiB")


if __name__ == "__main__":
    main()
