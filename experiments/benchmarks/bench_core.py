"""Speed of the model against Mesa's BoltzmannWealth in the same process, command start time, peak memory.

1. Runs: the default closure scenario (2015-01 to 2035-12, all firms, data
   collection on, model construction included) under each governance setting
   (none, city_led, alliance, hybrid), each repetition followed by Mesa's
   ``BoltzmannWealth`` (N=1000, 100 steps). Per setting: seconds per full run,
   microseconds per firm-step, and the ratio to Boltzmann's microseconds per
   agent-step (each run against the Boltzmann run next to it; target: ratio at
   most 0.2). The ratio, not the absolute time, is the figure to compare across
   machines and loads.
2. Start: ``bottrop-sim --help`` (target 0.6 s) and ``python -c "import bottrop_sim"``
   (target 0.5 s), wall time of fresh processes.
3. Memory of one run (a fresh process each): peak resident memory of the
   process (Linux ``VmHWM``; not ``ru_maxrss``, which Linux keeps across ``exec``
   and so reports this benchmark's own size), its resident memory just before
   the run (interpreter and imports), and the run's peak of traced allocations
   (tracemalloc, numpy included).

Every figure is given as min / median / max over the repetitions. Runs per
second of a sweep on 2 workers: see bench_sweep.py.

Usage: python experiments/benchmarks/bench_core.py [--repeats 5] [--scenario scenarios/closure_2018.toml] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODES = ("none", "city_led", "alliance", "hybrid")

MEMORY_SCRIPT = """
import json, resource, sys, tracemalloc
from bottrop_sim import BottropModel, load_scenario

def resident_mb(field):
    # Linux: VmRSS (now) and VmHWM (peak) of this process's own memory since its exec. ru_maxrss is no
    # measure here: Linux keeps it across exec, so it starts at the size of the process that started this one.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # elsewhere (may include the parent's size)

scenario = load_scenario(sys.argv[1])
before = resident_mb("VmRSS")
tracemalloc.start()
model = BottropModel(scenario)
while model.running:
    model.step()
model.datacollector.get_model_vars_dataframe()
_, traced = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(json.dumps({"peak_rss_mb": resident_mb("VmHWM"), "rss_before_run_mb": before, "run_traced_peak_mb": traced / 2**20}))
"""


def time_bottrop(scenario) -> tuple[float, int]:
    """Seconds for one full run (model construction and data frame included) and its firm-steps."""
    from bottrop_sim import BottropModel

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
    from mesa.examples import BoltzmannWealth

    start = time.perf_counter()
    model = BoltzmannWealth(n=agents, width=10, height=10, seed=42)
    for _ in range(steps):
        model.step()
    return time.perf_counter() - start, agents * steps


def spread(values: list[float]) -> dict[str, float]:
    """Min, median and max."""
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def text(figures: dict[str, float], digits: int = 3) -> str:
    return " / ".join(f"{figures[k]:.{digits}f}" for k in ("min", "median", "max"))


def start_times(repeats: int) -> dict[str, dict[str, float]]:
    """Wall time of ``bottrop-sim --help`` and of ``import bottrop_sim`` in fresh processes."""
    command = shutil.which("bottrop-sim") or str(Path(sys.executable).with_name("bottrop-sim"))
    commands = {
        "bottrop-sim --help": [command, "--help"],
        # what the console script runs, in this interpreter (follows PYTHONPATH, so another checkout can be timed)
        "console script code --help": [sys.executable, "-c", "import sys; from bottrop_sim.cli import main; sys.exit(main())", "--help"],
        "import bottrop_sim": [sys.executable, "-c", "import bottrop_sim"],
    }
    result = {}
    for label, argv in commands.items():
        subprocess.run(argv, check=True, capture_output=True)  # warm the file cache
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            seconds.append(time.perf_counter() - start)
        result[label] = spread(seconds)
    return result


def memory(scenario_path: str, repeats: int) -> dict[str, dict[str, float]]:
    """Memory figures of one run, each in a fresh process."""
    samples = [
        json.loads(subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, scenario_path], check=True, capture_output=True, text=True).stdout)
        for _ in range(repeats)
    ]
    return {key: spread([sample[key] for sample in samples]) for key in samples[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "closure_2018.toml"))
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    args = parser.parse_args()
    from bottrop_sim import load_scenario

    base = load_scenario(args.scenario)
    scenarios = {mode: base.model_copy(update={"governance": base.governance.model_copy(update={"mode": mode})}) for mode in MODES}
    time_bottrop(base)  # warm-up (imports, caches)
    time_boltzmann()
    runs: dict[str, list[tuple[float, int, float]]] = {mode: [] for mode in MODES}
    boltzmann = []
    for _ in range(args.repeats):
        for mode, scenario in scenarios.items():
            seconds, firm_steps = time_bottrop(scenario)
            b_seconds, agent_steps = time_boltzmann()
            boltzmann.append(b_seconds / agent_steps * 1e6)
            runs[mode].append((seconds, firm_steps, (seconds / firm_steps) / (b_seconds / agent_steps)))
    report: dict[str, object] = {"scenario": base.name, "repeats": args.repeats, "boltzmann_us_per_agent_step": spread(boltzmann)}
    print(f"scenario: {base.name} ({base.start} to {base.end}), {args.repeats} repetitions; figures are min / median / max")
    print(f"BoltzmannWealth (N=1000, 100 steps): {text(spread(boltzmann))} us per agent-step")
    print(f"{'governance':<10} {'s per run':>23} {'us per firm-step':>23} {'ratio (target <= 0.2)':>23}")
    for mode in MODES:
        seconds = spread([r[0] for r in runs[mode]])
        per_firm = spread([r[0] / r[1] * 1e6 for r in runs[mode]])
        ratio = spread([r[2] for r in runs[mode]])
        report[mode] = {"seconds_per_run": seconds, "us_per_firm_step": per_firm, "ratio_to_boltzmann": ratio}
        print(f"{mode:<10} {text(seconds):>23} {text(per_firm):>23} {text(ratio):>23}")
    report["start_seconds"] = start_times(args.repeats)
    for label, figures in report["start_seconds"].items():
        print(f"start {label:<20} {text(figures)} s")
    report["memory_mb"] = memory(args.scenario, min(args.repeats, 3))
    for label, figures in report["memory_mb"].items():
        print(f"memory {label:<20} {text(figures, 1)} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
