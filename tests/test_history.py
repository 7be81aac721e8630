"""The history scenario tracks the published unemployment rates (bottrop_sim/data/calibration.toml)."""

from __future__ import annotations

import tomllib
from importlib import resources

import pandas as pd
import pytest

from bottrop_sim import load_scenario, simulate
from tests.conftest import SCENARIOS

FIGURES = tomllib.loads(resources.files("bottrop_sim.data").joinpath("calibration.toml").read_text())["unemployment_history"]


@pytest.fixture(scope="module")
def history():
    scenario = load_scenario(SCENARIOS / "history_2015_2023.toml")
    runs = [simulate(scenario, seed=seed).timeseries.set_index("date")["unemployment_rate"] for seed in (1, 2, 3)]
    return pd.concat(runs, axis=1).mean(axis=1)


def test_annual_unemployment_tracks_published_figures(history):
    annual = history.groupby(history.index.str[:4]).mean()
    for year, published in FIGURES["annual"].items():
        assert abs(annual[year] - published) <= FIGURES["tolerance"], (year, annual[year], published)


def test_monthly_unemployment_tracks_published_figures(history):
    for month, published in FIGURES["monthly"].items():
        assert abs(history[month] - published) <= FIGURES["monthly_tolerance"], (month, history[month], published)


def test_pandemic_raises_and_then_lowers_unemployment(history):
    assert history["2020-12"] > history["2020-02"] + 0.008  # published: +1.3 points from March to December 2020
    assert history["2022-06"] < history["2021-01"]
