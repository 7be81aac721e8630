"""The default initial state matches the published Bottrop figures (bottrop_sim/data/calibration.toml)."""

from __future__ import annotations

import tomllib
from importlib import resources

import numpy as np
import pytest

from bottrop_sim import simulate
from bottrop_sim.economy.sector_table import default_table_path, derive_final_demand, load_sector_table
from bottrop_sim.model import BottropModel

FIGURES = tomllib.loads(resources.files("bottrop_sim.data").joinpath("calibration.toml").read_text())
META = tomllib.loads(resources.files("bottrop_sim.data").joinpath("sector_table.meta.toml").read_text())


def within(value: float, name: str) -> None:
    figure = FIGURES[name]
    assert abs(value - figure["value"]) <= figure["tolerance"] * abs(figure["value"]) + (figure["tolerance"] if figure["unit"].startswith("share") else 0), (
        name,
        value,
    )


@pytest.fixture(scope="module")
def initial(no_closure_scenario):
    return BottropModel(no_closure_scenario)


def test_workplace_employment_and_mine_staff(initial):
    within(int(initial.firms.headcount[: initial.firms.size].sum()), "employees_workplace")
    assert initial.mine is not None and initial.mine.staff == FIGURES["mine_staff_2015"]["value"]


def test_unemployment_rate(initial):
    rate = initial.labour.unemployment_rate()
    assert abs(rate - FIGURES["unemployment_rate"]["value"]) <= FIGURES["unemployment_rate"]["tolerance"]


def test_establishments(initial):
    within(int(initial.firms.alive[: initial.firms.size].sum()), "establishments_with_employees")


def test_value_added_first_year(no_closure_scenario):
    series = simulate(no_closure_scenario.model_copy(update={"end": "2015-12"})).timeseries
    within(float(series["value_added_eur"].sum()), "gross_value_added_eur_year")


def test_residents_hold_about_half_the_jobs(initial):
    firms_staff = initial.firms.headcount[: initial.firms.size].sum()
    resident_jobs = initial.labour.employed_local.sum()
    mine = initial.mine.staff
    # residents: the commuter share for firm jobs, the mine's own share for its staff
    expected = FIGURES["resident_share_of_jobs"]["value"] * (firms_staff - mine) + initial.scenario.mine.resident_share * mine
    assert abs(resident_jobs - expected) <= 0.002 * firms_staff
    assert int(initial.labour.out_commuters.sum()) == FIGURES["out_commuters"]["value"]


def test_sector_employment_matches_the_table(initial):
    table = load_sector_table()
    staff = initial.sector_staff()[: table.n]
    np.testing.assert_allclose(staff, table.employment_2015, rtol=0.03, atol=5)


def test_final_demand_column_is_derived_from_2015_employment():
    table = load_sector_table()
    derived = derive_final_demand(table.input_coefficients, table.employment_2015, table.labour_per_output)
    np.testing.assert_allclose(table.final_demand, derived, rtol=1e-4)


def test_every_column_of_the_default_table_has_a_documented_source():
    import pandas as pd

    columns = pd.read_csv(default_table_path()).columns
    described = set(META["columns"])
    for column in columns:
        key = "a_<supplier>" if column.startswith("a_") else column
        assert key in described, column
        assert META["columns"][key]["source"].strip(), column
        assert META["columns"][key]["unit"].strip(), column
    for name, figure in FIGURES.items():
        assert figure["source"].strip(), name
