"""The worked example of docs/sweeps.md runs as written, and its claims about the results hold."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pandas as pd
import pytest

from tests.conftest import ROOT
from tests.sweep_helpers import BIN

pytestmark = pytest.mark.timeout(900)


def example_blocks() -> list[str]:
    text = (ROOT / "docs" / "sweeps.md").read_text()
    section = text.split("## Worked example", 1)[1]
    return re.findall(r"```bash\n(.*?)```", section, flags=re.S)


def test_the_worked_example_runs_from_experiment_file_to_plot(tmp_path):
    blocks = example_blocks()
    assert len(blocks) == 3
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    for block in blocks:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=800)
        assert done.returncode == 0, done.stdout + done.stderr
    results = tmp_path / "results"
    assert (results / "example_employment.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = json.loads((results / "example_summary.json").read_text())
    assert summary["runs_finished"] == 27 and summary["points_missing"] == 0
    robust = pd.read_csv(results / "example" / "analysis" / "robustness.csv")
    assert set(robust["policy"]) == {f"governance.mode={m}" for m in ("none", "city_led", "alliance")}
    assert (robust["states"] == 9).all()  # "three speeds x three seeds", as the page says
    noise = pd.read_csv(results / "example" / "analysis" / "replication_noise.csv")
    assert noise["replications_for_precision"].notna().all()
    speeds = sorted(pd.read_parquet(results / "example" / "design.parquet")["shocks[0].speed"].unique())
    assert len(speeds) == 3 and speeds[0] == 0.5 and speeds[-1] == 2.0  # triangular quantiles 0, 0.5 and 1
