"""Which setting wins, and when: run experiments/which_setting_wins.toml with its references and analyse it.

The logic is in :mod:`bottrop_sim.experiments.settings_map`; this script parses
the options, shows a progress line and writes the results into ``--out``:
runs.csv (one row per setting, point and seed: jobs and value added of the run
and its twin), points.csv (per point: the differences alliance minus each
reference, with 95 % intervals, p-values, Holm-adjusted p-values and verdicts),
verdicts.csv, morris.csv, halves.csv, ends.csv (the pessimistic and
optimistic alliance scenarios minus each reference at the same seeds) and
summary.md.

    python experiments/which_setting_wins.py --out results/which_setting_wins --workers 2
    python experiments/which_setting_wins.py --out /tmp/quick --trajectories 2 --replications 2   # a quick run
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from bottrop_sim.experiments import settings_map

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    """Run the experiment and write its analysis; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--experiment", default=str(HERE / "which_setting_wins.toml"), help="experiment file (default: %(default)s)")
    parser.add_argument("--out", required=True, help="folder for the CSV files and summary.md")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores; 1 runs in this process)")
    parser.add_argument("--trajectories", type=int, help="override the number of Morris trajectories (samples) for a quick run")
    parser.add_argument("--replications", type=int, help="override the seeds per point for a quick run")
    parser.add_argument("--no-ends", action="store_true", help="skip the pessimistic and optimistic alliance scenarios (the two ends)")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    args = parser.parse_args(argv)

    experiment, base_data = settings_map.load(args.experiment, samples=args.trajectories, replications=args.replications)
    tasks = settings_map.build_tasks(experiment, base_data, ends=None if args.no_ends else settings_map.ENDS)
    print(f"{experiment.name}: {len(tasks)} runs with their twins on {args.workers} worker(s)", file=sys.stderr)

    def progress(done: int, total: int, seconds: float) -> None:
        if not args.quiet:
            left = seconds / done * (total - done)
            print(f"\r{done}/{total} runs, {seconds / 60:.1f} min, about {left / 60:.1f} min left", end="", file=sys.stderr, flush=True)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    partial = out / "runs_partial.jsonl"
    partial.unlink(missing_ok=True)

    def sink(row: dict[str, object]) -> None:
        with partial.open("a", encoding="utf-8") as file:
            file.write(json.dumps(row) + "\n")

    runs = settings_map.run_all(tasks, args.workers, progress, sink)
    if not args.quiet:
        print(file=sys.stderr)
    result = settings_map.analyse(runs, experiment, args.out)
    print(result["summary"])
    print(f"written: {Path(args.out).resolve()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
