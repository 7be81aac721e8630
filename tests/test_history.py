"""The history scenario tracks the published unemployment rates (bottrop_sim/data/calibration.toml)."""

from __future__ import annotations

import tomllib
from importlib import resources

import pandas as pd
import pytest

from bottrop_sim import load_scenario, simulate
from tests.conftest import SCENARIOS

#: Known failure since the accounts (issue 10): the old fit came from firms exiting when they missed
#: a baseline profit that was booked as a fixed cost. On the integrated economy (accounts and the
#: open labour market, no rule pulling unemployment back) the 2020 recession still costs few jobs:
#: firms hoard labour and cut costs, and the model has no short-time work or hiring freeze, so the
#: pandemic months are under-predicted by 2.9-5.7 tolerances (docs/calibration.md, "Calibration and
#: validation"). Strict, so the marker must go when the history fits again (issue 11: Kurzarbeit).
NOT_YET_RECALIBRATED = pytest.mark.xfail(
    strict=True, reason="the 2020 months are under-predicted: no short-time work or hiring freeze in the model yet (issues 10, 11)"
)

FIGURES = tomllib.loads(resources.files("bottrop_sim.data").joinpath("calibration.toml").read_text())["unemployment_history"]


@pytest.fixture(scope="module")
def history():
    scenario = load_scenario(SCENARIOS / "history_2015_2023.toml")
    runs = [simulate(scenario, seed=seed).timeseries.set_index("date")["unemployment_rate"] for seed in (1, 2, 3)]
    return pd.concat(runs, axis=1).mean(axis=1)


@NOT_YET_RECALIBRATED
def test_annual_unemployment_tracks_published_figures(history):
    annual = history.groupby(history.index.str[:4]).mean()
    for year, published in FIGURES["annual"].items():
        assert abs(annual[year] - published) <= FIGURES["tolerance"], (year, annual[year], published)


@NOT_YET_RECALIBRATED
def test_monthly_unemployment_tracks_published_figures(history):
    for month, published in FIGURES["monthly"].items():
        assert abs(history[month] - published) <= FIGURES["monthly_tolerance"], (month, history[month], published)


@NOT_YET_RECALIBRATED
def test_pandemic_raises_and_then_lowers_unemployment(history):
    assert history["2020-12"] > history["2020-02"] + 0.008  # published: +1.3 points from March to December 2020
    assert history["2022-06"] < history["2021-01"]
