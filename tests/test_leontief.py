"""Static mode reproduces the Leontief solution; no-shock runs stay on their steady state."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bottrop_sim.economy.sector_table import default_table_path, load_sector_table
from bottrop_sim.model import BottropModel
from bottrop_sim.scenario import scenario_from_dict
from tests.economies import sector_tables, small_scenario


def table_sector_outputs(model: BottropModel) -> np.ndarray:
    n = model.firms.size
    return np.bincount(model.firms.sector[:n], weights=model.firms.output[:n], minlength=model.n_sectors_ext)[: len(model.sector_names)]


@settings(max_examples=30, deadline=None)
@given(table=sector_tables(max_sectors=6), start_level=st.floats(0.0, 2.0), seed=st.integers(0, 1000))
def test_static_mode_converges_to_leontief_within_24_steps(table, start_level, seed):
    """From any starting output level, static outputs reach x = (I - A)^-1 f within 0.1 % in 24 steps."""
    scenario = small_scenario(table, behaviour="static", months=24, seed=seed)
    model = BottropModel(scenario)
    n = model.firms.size
    model.firms.planned[:n] *= start_level  # disturb the starting point
    for _ in range(24):
        model.step()
    expected = load_sector_table(scenario.economy.sector_table).leontief_output()
    np.testing.assert_allclose(table_sector_outputs(model), expected, rtol=1e-3)


def test_default_table_static_equals_leontief_every_month(no_closure_scenario):
    model = BottropModel(no_closure_scenario.model_copy(update={"behaviour": "static", "end": "2016-12"}))
    expected = model.table.leontief_output()
    while model.running:
        model.step()
        np.testing.assert_allclose(table_sector_outputs(model), expected, rtol=1e-9)


def test_leontief_solution_of_the_default_table_employs_the_2015_staff():
    """The shipped final demand is derived from 2015 employment: x * labour_per_output = employment."""
    table = load_sector_table()
    np.testing.assert_allclose(table.leontief_output() * table.labour_per_output, table.employment_2015, rtol=1e-4)


@pytest.mark.parametrize("behaviour", ["static"])
def test_no_shock_run_stays_on_its_steady_state(no_closure_scenario, behaviour):
    """Exactly, in the static mode. In the adaptive mode staff turn over and are rehired through the
    matching function, so a no-shock run fluctuates around its start: tests/test_labour_market.py checks it there."""
    model = BottropModel(no_closure_scenario.model_copy(update={"behaviour": behaviour, "end": "2017-12"}))
    n = model.firms.size
    output, headcount, liquidity = model.firms.output[:n].copy(), model.firms.headcount[:n].copy(), model.firms.liquidity[:n].copy()
    rows = []
    while model.running:
        model.step()
        rows.append(dict(model.indicators))
    np.testing.assert_allclose(model.firms.output[:n], output, rtol=1e-10)
    np.testing.assert_array_equal(model.firms.headcount[:n], headcount)
    np.testing.assert_allclose(model.firms.liquidity[:n], liquidity, rtol=1e-8, atol=1e-3)
    for key in ("employment_workplace", "unemployed", "firms", "retired", "moved_away"):
        assert len({row[key] for row in rows}) == 1, key
    values = [row["value_added_eur"] for row in rows]
    assert max(values) - min(values) <= 1e-9 * values[0]


def test_custom_table_with_mine_purchases_adds_them_to_final_demand(tmp_path):
    """A table without the mine's sector: the mine's local purchases act as extra final demand."""
    frame = pd.read_csv(default_table_path())
    frame = frame[frame["sector"] != "mining"].drop(columns=["a_mining"])
    path = tmp_path / "table.csv"
    frame.to_csv(path, index=False)
    purchases = {"mining_supply": 3e6, "business_services": 1e6}
    scenario = scenario_from_dict(
        {"behaviour": "static", "end": "2015-12", "economy": {"sector_table": str(path)}, "mine": {"sector": "coal", "local_purchases_eur_month": purchases}}
    )
    model = BottropModel(scenario)
    while model.running:
        model.step()
    custom = load_sector_table(path)
    extra = np.array([purchases.get(s, 0.0) for s in custom.sectors])
    np.testing.assert_allclose(table_sector_outputs(model), custom.leontief_output(custom.final_demand + extra), rtol=1e-9)
    columns = model.datacollector.get_model_vars_dataframe().columns
    assert [c for c in columns if c.startswith("output_") and c != "output_eur"] == [f"output_{s}" for s in custom.sectors]
    assert model.indicators["mine_employment"] == scenario.mine.staff


def test_static_mode_equals_the_analytic_leontief_solution_through_a_demand_shock(no_closure_scenario):
    """With a recession, every month's sector output is (I - A)^-1 f(t), f(t) computed by hand from the table and the shock."""
    recession = {"type": "demand_recession", "start": "2015-03", "duration_months": 2, "recovery_months": 3, "export_fall": 0.3, "household_fall": 0.2}
    data = {**no_closure_scenario.model_dump(mode="json"), "behaviour": "static", "end": "2015-12", "shocks": [recession]}
    scenario = scenario_from_dict(data, strict=False)
    model = BottropModel(scenario)
    table = model.table
    shock = scenario.shocks[0]
    multiplier = np.array([shock.sector_multipliers.get(s, 1.0) for s in table.sectors])
    households = table.household_share
    exports = np.clip(table.export_share / np.where(households < 1, 1 - households, 1), 0, 1)  # export part of the non-household demand
    mining = table.index("mining")
    checked = 0
    while model.running:
        strength = shock.intensity(model.month)
        model.step()
        export_factor = np.clip(1 - shock.export_fall * strength * multiplier, 0, None)
        household_factor = np.clip(1 - shock.household_fall * strength * multiplier, 0, None)
        final = table.final_demand * ((1 - households) * (exports * export_factor + 1 - exports) + households * household_factor)
        final[mining] = table.final_demand[mining]  # the mine sells its coal whatever the recession (its path is its staff)
        expected = np.linalg.solve(np.eye(table.n) - table.input_coefficients, final)
        np.testing.assert_allclose(table_sector_outputs(model), expected, rtol=1e-3)
        checked += strength > 0
    assert checked >= 4
