"""The per-firm panel for researchers: ``simulate(..., panel=True)`` and ``bottrop-sim run --panel`` (panel.parquet).

Checked against the run's own time series (sums over firms equal the region's
columns), not against the code that fills the panel.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from bottrop_sim import simulate
from bottrop_sim.model.observation import PANEL_COLUMNS

from .conftest import SCENARIOS


@pytest.fixture(scope="module")
def short(closure_scenario):
    return closure_scenario.model_copy(update={"end": "2019-06"})


@pytest.fixture(scope="module")
def result(short):
    return simulate(short, seed=3, panel=True)


def test_no_panel_unless_asked_for(short):
    assert simulate(short.model_copy(update={"end": "2015-03"}), seed=3).panel is None


def test_panel_rows_add_up_to_the_time_series(result):
    panel, series = result.panel, result.timeseries.set_index("date")
    assert tuple(panel.columns) == PANEL_COLUMNS
    months = panel.groupby("date")
    assert list(months.size().index) == list(series.index)  # one block per simulated month
    assert (months["headcount"].sum() == series["employment_workplace"]).all()
    active = panel[~panel["exited"]]
    assert (active[~active["mine"]].groupby("date").size() == series["firms"]).all()
    # a firm that exits has its last row in its exit month (exits happen with firms' demand noise): every month adds up
    exits = panel[panel["exited"]].groupby("date").size().reindex(series.index, fill_value=0)
    assert (exits == series["firm_exits"]).all() and exits.sum() >= 12
    assert (months["hires"].sum() == series["hires"]).all()
    assert np.allclose(months["liquidity"].sum(), series["liquidity_eur"], rtol=1e-12)
    assert np.allclose(months["output"].sum(), series["output_eur"], rtol=1e-12)  # an exiting firm produced that month too
    gone = panel[panel["exited"]]
    assert (gone["headcount"] == 0).all() and (gone["liquidity"] == 0).all() and not gone["mine"].any()
    assert gone["output"].gt(0).any() and gone["hires"].ge(0).all()
    later = panel.merge(gone[["firm", "date"]], on="firm", suffixes=("", "_exit"))
    assert (later["date"] <= later["date_exit"]).all()  # no row after a firm's exit month
    assert not panel.duplicated(["date", "firm"]).any()
    assert (panel.groupby("date")["firm"].apply(lambda firms: firms.is_monotonic_increasing)).all()  # slot order within a month
    assert panel["mine"].groupby(panel["date"]).sum().max() == 1
    assert (panel.loc[panel["mine"], "sector"] == result.scenario.mine.sector).all()


def test_the_panel_does_not_change_the_run(result, short):
    plain = simulate(short, seed=3)
    pd.testing.assert_frame_equal(plain.timeseries, result.timeseries)


def test_run_writes_the_panel_as_parquet(tmp_path, result):
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bottrop_sim.cli",
            "run",
            str(SCENARIOS / "closure_2018.toml"),
            "--set",
            "end=2019-06",
            "--seed",
            "3",
            "--panel",
            "--quiet",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    written = pd.read_parquet(out / "panel.parquet")
    pd.testing.assert_frame_equal(written, result.panel, check_dtype=False)
    assert (out / "timeseries.csv").exists() and (out / "accounts.csv").exists()
