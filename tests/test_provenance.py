"""Provenance is built once per command (issue 9): runs never call git; the first record that asks does, once."""

from __future__ import annotations

import json
import subprocess
import sys

COUNT_GIT_CALLS = """
import json, subprocess
calls = []
real_run = subprocess.run

def counting_run(args, *rest, **options):
    if args and args[0] == "git":
        calls.append(list(args))
    return real_run(args, *rest, **options)

subprocess.run = counting_run
from bottrop_sim import Scenario
from bottrop_sim.compare import compare
from bottrop_sim.simulate import simulate

runs = [simulate(Scenario(end="2015-03"), seed=seed) for seed in (1, 2, 3)]
during_runs = len(calls)
records = [run.provenance for run in runs]
after_records = len(calls)
comparison = compare([Scenario(name="a", end="2015-03"), Scenario(name="b", end="2015-03")], replications=2, workers=1)
print(json.dumps({
    "during_runs": during_runs,
    "after_records": after_records,
    "after_compare": len(calls),
    "revisions": sorted({r["git_revision"] for r in records} | {comparison.provenance["git_revision"]}),
    "seeds": [r["seed"] for r in records],
}))
"""


def test_runs_never_call_git_and_a_process_asks_git_once():
    done = subprocess.run([sys.executable, "-c", COUNT_GIT_CALLS], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert counts["during_runs"] == 0  # three runs: no provenance built, no git call
    assert 1 <= counts["after_records"] <= 2  # the first record: `git rev-parse HEAD` (and `git status` in a checkout)
    assert counts["after_compare"] == counts["after_records"]  # a comparison of 4 runs and their twins adds none
    assert len(counts["revisions"]) == 1 and counts["revisions"][0]  # every record names the same revision
    assert counts["seeds"] == [1, 2, 3]  # each record still carries its own run's seed
