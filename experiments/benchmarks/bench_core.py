"""Speed of the model against Mesa's BoltzmannWealth, measured in the same process.

Runs the default closure scenario (2015-01 to 2035-12, all firms, data collection
on) under each governance setting (none, city_led, alliance, hybrid) and Mesa's
``BoltzmannWealth`` (N=1000, 100 steps) alternately, several times, and prints
the best time of each, microseconds per firm-step and per Boltzmann agent-step,
and their ratio (target: at most 1.0). The ratio, not the absolute time, is the
figure to compare across machines.

Usage: python experiments/benchmarks/bench_core.py [--repeats 5] [--scenario scenarios/closure_2018.toml]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from mesa.examples import BoltzmannWealth

from bottrop_sim import BottropModel, load_scenario

ROOT = Path(__file__).resolve().parents[2]
MODES = ("none", "city_led", "alliance", "hybrid")


def time_bottrop(scenario) -> tuple[float, int]:
    """Seconds for one full run (model construction included) and its firm-steps."""
    start = time.perf_counter()
    model = BottropModel(scenario)
    firm_steps = 0
    while model.running:
        model.step()
        firm_steps += int(model.indicators["firms"]) + (1 if model.mine is not None else 0)
    model.datacollector.get_model_vars_dataframe()
    return time.perf_counter() - start, firm_steps


def time_boltzmann(agents: int = 1000, steps: int = 100) -> tuple[float, int]:
    """Seconds for BoltzmannWealth and its agent-steps."""
    start = time.perf_counter()
    model = BoltzmannWealth(n=agents, width=10, height=10, seed=42)
    for _ in range(steps):
        model.step()
    return time.perf_counter() - start, agents * steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "closure_2018.toml"))
    args = parser.parse_args()
    base = load_scenario(args.scenario)
    scenarios = {mode: base.model_copy(update={"governance": base.governance.model_copy(update={"mode": mode})}) for mode in MODES}
    time_bottrop(base)  # warm-up (imports, caches)
    time_boltzmann()
    bottrop: dict[str, list[tuple[float, int]]] = {mode: [] for mode in MODES}
    boltzmann = []
    for _ in range(args.repeats):
        for mode, scenario in scenarios.items():
            bottrop[mode].append(time_bottrop(scenario))
        boltzmann.append(time_boltzmann())
    b_seconds, agent_steps = min(boltzmann)
    per_agent = b_seconds / agent_steps * 1e6
    print(f"scenario: {base.name} ({base.start} to {base.end}), best of {args.repeats}")
    print(f"BoltzmannWealth: {b_seconds:.3f} s for {agent_steps} agent-steps = {per_agent:.3f} us per agent-step")
    print(f"{'governance':<10} {'seconds':>8} {'firm-steps':>11} {'us/firm-step':>13} {'ratio':>6}  (target: ratio <= 1.0)")
    for mode in MODES:
        seconds, firm_steps = min(bottrop[mode])
        per_firm = seconds / firm_steps * 1e6
        print(f"{mode:<10} {seconds:>8.3f} {firm_steps:>11} {per_firm:>13.3f} {per_firm / per_agent:>6.3f}")


if __name__ == "__main__":
    main()
