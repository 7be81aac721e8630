"""Common random numbers: how much pairing a scenario with its twin reduces the variance of its effect.

For seeds 1..n, runs the closure scenario and its twin (the same scenario minus
its shocks) and takes the closure effect on jobs in Bottrop in 2021 (mean of
``employment_workplace`` over the year, closure minus twin). Paired: the twin
runs on the same seed (common random numbers). Unpaired: the twin of seed i is
taken from seed i + 1 (cyclically), as if the two runs had independent dice.
Prints both variances and their ratio (target: unpaired / paired >= 10), and
the effects.

Options change the economy the pairing works on: ``--demand-sd`` sets the sd of
firms' idiosyncratic demand (noise that the scenario and its twin share; default
0.15 since issue 10, ratio about 440; 0 switches it off),
``--liquidity-months`` sets firms' cash buffers (with the default 2 months, exit
after 6 illiquid months is a knife edge: one firm's exit in one run and not the
other makes the runs diverge) and ``--no-search`` switches customer search and
diversification off (before issue 10, with search against the highest expected orders ever, noisy demand
made search win orders from nowhere).

Usage: python experiments/benchmarks/bench_crn.py [--seeds 8] [--workers 2] [--scenario scenarios/closure_2018.toml]
       [--end 2021-12] [--demand-sd 0.1] [--liquidity-months 24] [--no-search]
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from bottrop_sim import load_scenario, simulate

ROOT = Path(__file__).resolve().parents[2]


def jobs_in(scenario, seed: int, year: str = "2021") -> float:
    """Mean jobs in Bottrop over ``year`` in one run."""
    series = simulate(scenario, seed=seed).timeseries
    return float(series.loc[series["date"].str.startswith(year), "employment_workplace"].mean())


def variant(scenario, end: str | None = None, demand_sd: float | None = None, liquidity_months: float | None = None, search: bool = True):
    """The scenario with the benchmark's options applied."""
    firms: dict = {}
    if demand_sd is not None:
        firms["idiosyncratic_demand_sd"] = demand_sd
    if liquidity_months is not None:
        firms["liquidity_months"] = liquidity_months
    update: dict = {"firms": scenario.firms.model_copy(update=firms)}
    if end is not None:
        update["end"] = end
    if not search:
        adaptation = scenario.governance.adaptation.model_copy(update={"customer_search": False, "diversification": False})
        update["governance"] = scenario.governance.model_copy(update={"adaptation": adaptation})
    return scenario.model_copy(update=update)


def _job(args: tuple) -> float:
    path, twin, seed, options = args
    scenario = variant(load_scenario(path), **options)
    return jobs_in(scenario.without_shocks() if twin else scenario, seed)


def paired_and_unpaired(path: str, seeds: list[int], workers: int = 1, **options) -> tuple[np.ndarray, np.ndarray]:
    """Closure effects on 2021 jobs: paired (same seed) and unpaired (the twin of the next seed)."""
    tasks = [(path, False, s, options) for s in seeds] + [(path, True, s, options) for s in seeds]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            values = list(pool.map(_job, tasks))
    else:
        values = [_job(t) for t in tasks]
    closure, twin = np.array(values[: len(seeds)]), np.array(values[len(seeds) :])
    return closure - twin, closure - np.roll(twin, -1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "closure_2018.toml"))
    parser.add_argument("--end", default=None, help="last month (default: the scenario's); 2021-12 is enough for the 2021 effect")
    parser.add_argument("--demand-sd", type=float, default=None)
    parser.add_argument("--liquidity-months", type=float, default=None)
    parser.add_argument("--no-search", action="store_true")
    args = parser.parse_args()
    seeds = list(range(1, args.seeds + 1))
    options = {"end": args.end, "demand_sd": args.demand_sd, "liquidity_months": args.liquidity_months, "search": not args.no_search}
    paired, unpaired = paired_and_unpaired(args.scenario, seeds, args.workers, **options)
    print(f"options: {options}")
    var_paired, var_unpaired = np.var(paired, ddof=1), np.var(unpaired, ddof=1)
    print(f"scenario: {args.scenario}, seeds {seeds[0]}..{seeds[-1]}; closure effect on jobs in Bottrop, mean of 2021 (closure minus twin)")
    print(f"paired   (same seed):   mean {paired.mean():9.1f}  variance {var_paired:11.1f}  effects {np.round(paired).astype(int).tolist()}")
    print(f"unpaired (next seed):   mean {unpaired.mean():9.1f}  variance {var_unpaired:11.1f}  effects {np.round(unpaired).astype(int).tolist()}")
    print(f"variance ratio unpaired / paired: {var_unpaired / var_paired:.1f}  (target >= 10)")


if __name__ == "__main__":
    main()
