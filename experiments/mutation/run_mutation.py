"""Mutation testing of the accounting and the labour code with mutmut; prints the share of mutants the fast tests kill.

The files mutated and the tests run are set in pyproject.toml (``[tool.mutmut]``), two sets:

* accounts: economy/accounts.py, economy/accounting.py, economy/trade_booking.py, economy/finance.py,
  economy/households.py, economy/short_time_work.py (its payments are booked in the
  ledger) and model/spillovers.py (the city's budget), tested by tests/test_accounts_fast.py,
  tests/test_trade_fast.py, tests/test_households_fast.py and tests/test_short_time_city_fast.py;
* labour: economy/labour.py, economy/labour_flows.py, model/population.py and streams.py, tested by
  tests/test_labour_fast.py, tests/test_labour_flows_fast.py, tests/test_staffing_fast.py and
  tests/test_streams_fast.py.

These test files (and tests/test_accounts_paths.py) are the selection (a few seconds together); mutmut runs, for each
mutant, only the tests that reach its function. ``--target`` picks the set to
mutate. Target: at least 90 % of the mutants of each set killed.

Usage: python experiments/mutation/run_mutation.py [--target accounts|labour|all] [--max-children 2]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: mutant-name prefixes (module paths) of each file set
TARGETS = {
    "accounts": (
        "bottrop_sim.economy.accounts.",
        "bottrop_sim.economy.accounting.",
        "bottrop_sim.economy.trade_booking.",
        "bottrop_sim.economy.finance.",
        "bottrop_sim.economy.households.",
        "bottrop_sim.economy.short_time_work.",
        "bottrop_sim.model.spillovers.",
    ),
    "labour": ("bottrop_sim.economy.labour.", "bottrop_sim.economy.labour_flows.", "bottrop_sim.model.population.", "bottrop_sim.streams."),
}
STATES = ("killed", "survived", "no tests", "timeout", "suspicious", "skipped", "segfault", "not checked")


def score(results: str, prefixes: tuple[str, ...]) -> tuple[int, int, dict[str, int], list[str]]:
    """Killed and total mutants of the set, the count per state and the lines of those not killed."""
    rows = re.findall(rf"^\s*(\S+):\s*({'|'.join(STATES)})\s*$", results, flags=re.MULTILINE)
    states = [state for name, state in rows if name.startswith(prefixes)]
    counts = {state: states.count(state) for state in sorted(set(states))}
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    missed = [f"{name}: {state}" for name, state in rows if name.startswith(prefixes) and state in ("survived", "no tests")]
    return killed, sum(counts.values()), counts, missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=(*TARGETS, "all"), default="all", help="file set to mutate")
    parser.add_argument("--max-children", type=int, default=2, help="parallel test processes")
    parser.add_argument("--keep", action="store_true", help="keep the mutants/ folder of an earlier run (resume)")
    args = parser.parse_args()
    if not args.keep:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    targets = list(TARGETS) if args.target == "all" else [args.target]
    names = [] if args.target == "all" else [f"{prefix}*" for prefix in TARGETS[args.target]]
    subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children), *names], cwd=ROOT, check=False)
    results = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True, check=False).stdout
    passed = True
    for target in targets:
        killed, total, counts, missed = score(results, TARGETS[target])
        print(f"{target}: {counts}")
        print(f"{target}: killed {killed} of {total} mutants: {killed / total:.1%}" if total else f"{target}: no mutants found")
        for line in missed:
            print(line)
        passed = passed and total > 0 and killed / total >= 0.9
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
