"""How long a comparison of the four governance settings takes (target: 4 scenarios x 10 replications in under a minute).

Runs ``compare`` on the four closure scenarios (each with its counterfactual
twin) with 10 replications on all local cores, and, in the same process, one
single run of the closure scenario as the reference. Prints the wall time, the
runs per second, and the ratio of the comparison's time to the time the same
number of runs would take one after another (below 1: the processes help).

Usage: python experiments/benchmarks/bench_compare.py [--replications 10] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from bottrop_sim import load_scenario, simulate
from bottrop_sim.compare import compare

ROOT = Path(__file__).resolve().parents[2]
FILES = ("closure_2018", "closure_2018_city_led", "closure_2018_alliance", "closure_2018_hybrid")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    scenarios = [load_scenario(ROOT / "scenarios" / f"{name}.toml") for name in FILES]
    simulate(scenarios[0], seed=1)  # warm-up
    start = time.perf_counter()
    simulate(scenarios[0], seed=2)
    single = time.perf_counter() - start
    start = time.perf_counter()
    compare(scenarios, replications=args.replications, seed=1, workers=args.workers)
    seconds = time.perf_counter() - start
    runs = 2 * len(scenarios) * args.replications  # every scenario with its twin
    print(f"compare: {len(scenarios)} scenarios x {args.replications} replications (+ twins) = {runs} runs on {args.workers} workers")
    print(f"wall time: {seconds:.1f} s (target < 60 s); {runs / seconds:.2f} runs per second")
    print(f"reference single run: {single:.2f} s; comparison / (runs x single run) = {seconds / (runs * single):.3f}")


if __name__ == "__main__":
    main()
