"""Shocks act on the economy as described, and only while they last (compared with their twin)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bottrop_sim import simulate
from bottrop_sim.calendar import month_number
from bottrop_sim.scenario import scenario_from_dict
from bottrop_sim.shocks import DemandRecession, EnergyPrice


def pair(shocks: list[dict], end: str = "2024-12", seed: int = 3):
    """The scenario with its shocks and its twin without them (same seed)."""
    scenario = scenario_from_dict({"end": end, "shocks": shocks})
    with_shock = simulate(scenario, seed=seed).timeseries.set_index("date")
    twin = simulate(scenario.without_shocks(), seed=seed).timeseries.set_index("date")
    return with_shock, twin


@settings(max_examples=200, deadline=None)
@given(
    start=st.integers(0, 100),
    duration=st.integers(1, 24),
    recovery=st.sampled_from(["abrupt", "linear", "exponential"]),
    recovery_months=st.integers(0, 36),
)
def test_intensity_profile(start, duration, recovery, recovery_months):
    shock = EnergyPrice(
        type="energy_price", start=f"{2015 + start // 12}-{start % 12 + 1:02d}", duration_months=duration, recovery=recovery, recovery_months=recovery_months
    )
    first = month_number(shock.start)
    values = [shock.intensity(first + k) for k in range(-3, duration + recovery_months + 3)]
    assert values[:3] == [0.0, 0.0, 0.0]
    assert values[3 : 3 + duration] == [1.0] * duration
    after = values[3 + duration :]
    assert all(0.0 <= v < 1.0 for v in after)
    assert all(a >= b for a, b in itertools.pairwise(after))
    assert after[-1] == 0.0 or (recovery == "exponential" and after[-1] < 0.06)
    begin, end = shock.window()
    assert (begin == first and shock.intensity(end + 1) == 0.0) or recovery == "exponential"


def test_energy_price_raises_costs_only_while_it_lasts():
    shocked, twin = pair([{"type": "energy_price", "start": "2022-03", "duration_months": 6, "recovery": "abrupt"}])
    during = slice("2022-03", "2022-08")
    assert (shocked.loc[during, "imports_eur"] > twin.loc[during, "imports_eur"]).all()
    assert shocked.loc["2022-08", "liquidity_eur"] < twin.loc["2022-08", "liquidity_eur"]
    assert (shocked.loc[:"2022-02"] == twin.loc[:"2022-02"]).all().all()  # nothing happens before it starts


def test_demand_recession_lowers_demand_and_hits_hospitality_hardest():
    shocked, twin = pair([{"type": "demand_recession"}])  # the 2020 preset
    assert shocked.loc["2020-04", "final_demand_eur"] < 0.97 * twin.loc["2020-04", "final_demand_eur"]
    fall = 1 - shocked.loc["2020-04"] / twin.loc["2020-04"]
    assert fall["output_hospitality_personal"] > fall["output_manufacturing"] > 0
    assert fall["output_hospitality_personal"] > fall["output_trade"]


def test_key_employer_failure_removes_the_largest_firm():
    shocked, twin = pair([{"type": "key_employer_failure", "start": "2019-06"}], end="2020-12")
    assert shocked["key_employer_failures"].sum() == 1 and shocked.loc["2019-06", "key_employer_failures"] == 1
    assert shocked.loc["2019-06", "firm_exits"] >= 1
    assert shocked.loc["2019-06", "employment_workplace"] < twin.loc["2019-06", "employment_workplace"] - 100


def test_key_employer_failure_in_a_named_sector():
    scenario = scenario_from_dict({"end": "2019-07", "shocks": [{"type": "key_employer_failure", "start": "2019-06", "sector": "logistics"}]})
    from bottrop_sim import BottropModel

    model = BottropModel(scenario, seed=3)
    firms = model.firms
    logistics = model.sector_names.index("logistics")
    largest = int(np.flatnonzero(firms.sector[: firms.size] == logistics)[np.argmax(firms.headcount[: firms.size][firms.sector[: firms.size] == logistics])])
    while model.running:
        model.step()
    assert not firms.alive[largest]


def test_supply_disruption_cuts_output_of_import_dependent_sectors():
    shocked, twin = pair([{"type": "supply_disruption", "start": "2021-01", "unavailable_share": 0.5, "recovery": "abrupt"}], end="2021-12")
    fall = 1 - shocked.loc["2021-02"] / twin.loc["2021-02"]
    assert fall["output_manufacturing"] > 0.05  # about 80 % of its inputs are imported
    assert fall["output_manufacturing"] > fall["output_public_health_education"]


def test_overlapping_shocks_compound():
    recession = [{"type": "demand_recession", "start": "2022-03"}]
    both = [*recession, {"type": "energy_price", "start": "2022-03"}]
    only, twin = pair(recession, end="2022-12")
    compound, _ = pair(both, end="2022-12")
    assert compound.loc["2022-05", "final_demand_eur"] < only.loc["2022-05", "final_demand_eur"] < twin.loc["2022-05", "final_demand_eur"]


@pytest.mark.parametrize("shock", [DemandRecession(type="demand_recession"), EnergyPrice(type="energy_price")])
def test_presets_are_documented_years(shock):
    assert shock.start in ("2020-03", "2022-03")


def test_energy_suppliers_pass_their_costs_on_and_survive_the_2022_shock():
    shocked, twin = pair([{"type": "energy_price"}], end="2024-12")
    assert shocked.loc["2023-06", "output_energy"] > 0.8 * twin.loc["2023-06", "output_energy"]
    assert shocked.loc["2022-06", "employment_energy"] > 0.9 * twin.loc["2022-06", "employment_energy"]


def test_unknown_sector_names_in_shocks_are_refused():
    from bottrop_sim import ScenarioError

    for shock, field in (
        ({"type": "key_employer_failure", "start": "2019-01", "sector": "logistic"}, "shocks[0].sector"),
        ({"type": "energy_price", "sectors": ["energie"]}, "shocks[0].sectors"),
        ({"type": "demand_recession", "sector_multipliers": {"hotels": 2.0}}, "shocks[0].sector_multipliers.hotels"),
    ):
        with pytest.raises(ScenarioError) as caught:
            scenario_from_dict({"shocks": [shock]}, "x.toml")
        assert caught.value.field == field and "logistics" in caught.value.allowed


@pytest.mark.parametrize("speed", [0.5, 1.0, 2.0])
def test_phase_down_speed_starts_from_the_first_point(speed):
    from bottrop_sim.shocks import MineClosure

    closure = MineClosure(type="mine_closure", speed=speed)
    first = month_number("2015-01")
    assert closure.staff(first, 3267) == 3267  # no jump at the start, whatever the speed
    assert closure.closure_month() == round(first + (month_number("2018-12") - first) / speed)
    assert closure.producing(closure.closure_month()) and not closure.producing(closure.closure_month() + 1)


def test_a_region_without_the_mine_has_no_mining():
    frame = simulate(scenario_from_dict({"end": "2019-12", "mine": {"enabled": False}})).timeseries
    assert (frame["output_mining"] == 0).all() and (frame["mine_employment"] == 0).all()
    assert 28_500 < frame["employment_workplace"].iloc[0] < 29_700  # 32,975 less the mine and its local suppliers' share
