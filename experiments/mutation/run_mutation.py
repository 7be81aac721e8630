"""Mutation testing of the accounting code with mutmut; prints the share of mutants the fast tests kill.

The files mutated and the tests run are set in pyproject.toml (``[tool.mutmut]``):
economy/accounts.py, economy/accounting.py, economy/finance.py and
economy/households.py against tests/test_accounts_fast.py (a few seconds per run).
Target: at least 90 % of mutants killed.

Usage: python experiments/mutation/run_mutation.py [--max-children 2]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-children", type=int, default=2, help="parallel test processes")
    parser.add_argument("--keep", action="store_true", help="keep the mutants/ folder of an earlier run (resume)")
    args = parser.parse_args()
    if not args.keep:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children)], cwd=ROOT, check=False)
    results = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True, check=False).stdout
    states = re.findall(r":\s*(killed|survived|no tests|timeout|suspicious|skipped|segfault|not checked)\s*$", results, flags=re.MULTILINE)
    counts = {state: states.count(state) for state in sorted(set(states))}
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    total = sum(counts.values())
    print(counts)
    print(f"killed {killed} of {total} mutants: {killed / total:.1%}" if total else "no mutants found")
    for line in results.splitlines():
        if line.strip().endswith(("survived", "no tests")):
            print(line.strip())
    return 0 if total and killed / total >= 0.9 else 1


if __name__ == "__main__":
    raise SystemExit(main())
