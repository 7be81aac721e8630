"""Pinned, seeded regression values for the shipped scenarios and for the economy core.

Update these only on purpose (a deliberate change of the model), and say so in
the commit message. Counts are compared exactly, money to 1e-9.
"""

from __future__ import annotations

import tomllib

import pytest

from bottrop_sim import simulate
from bottrop_sim.scenario import scenario_from_dict
from tests.conftest import SCENARIOS

PINNED = {
    "no_closure": {
        # without shocks the economy stays on its steady state: every month equals the first
        "2018-12": {"employment_workplace": 32984, "unemployed": 3852, "firms": 2263, "retired": 0, "moved_away": 0, "value_added_eur": 162213850.0},
        "2035-12": {"employment_workplace": 32984, "unemployed": 3852, "firms": 2263, "retired": 0, "moved_away": 0, "value_added_eur": 162213850.0},
    },
    "closure_2018": {
        "2018-12": {"employment_workplace": 30849, "unemployed": 4040, "firms": 2250, "retired": 354, "moved_away": 2, "value_added_eur": 150180146.27273738},
        "2025-12": {"employment_workplace": 28937, "unemployed": 3843, "firms": 2322, "retired": 630, "moved_away": 39, "value_added_eur": 142484027.3887911},
        "2035-12": {"employment_workplace": 28789, "unemployed": 3901, "firms": 2325, "retired": 630, "moved_away": 39, "value_added_eur": 142276316.94672924},
    },
}

#: The economy core alone: closure_2018 with governance "none" and firm adaptation switched off.
CORE_PINNED = {
    "2018-12": {"employment_workplace": 30866, "unemployed": 4025, "firms": 2252, "retired": 357, "moved_away": 1, "value_added_eur": 150215108.10833788},
    "2025-12": {"employment_workplace": 28802, "unemployed": 3895, "firms": 2315, "retired": 621, "moved_away": 46, "value_added_eur": 141833536.14923748},
    "2035-12": {"employment_workplace": 28813, "unemployed": 3872, "firms": 2320, "retired": 621, "moved_away": 46, "value_added_eur": 142190453.83854887},
}
NO_ADAPTATION = {"customer_search": False, "diversification": False, "green_transition": False}


def check(series, pinned: dict, label: str) -> None:
    for date, values in pinned.items():
        for column, expected in values.items():
            actual = series.loc[date, column]
            if isinstance(expected, int):
                assert actual == expected, (label, date, column, actual)
            else:
                assert actual == pytest.approx(expected, rel=1e-9), (label, date, column, actual)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_pinned_values(name, closure_scenario, no_closure_scenario):
    scenario = {"closure_2018": closure_scenario, "no_closure": no_closure_scenario}[name]
    assert scenario.seed == 20181221
    check(simulate(scenario).timeseries.set_index("date"), PINNED[name], name)


@pytest.mark.parametrize(
    "governance",
    [
        {"adaptation": NO_ADAPTATION},
        {"mode": "none", "adaptation": NO_ADAPTATION},
        {"mode": "city_led", "city": {"budget_eur_year": 0}, "adaptation": NO_ADAPTATION},
    ],
    ids=["default-mode", "explicit-none", "city-with-zero-budget"],
)
def test_governance_off_reproduces_the_core_exactly(governance):
    data = tomllib.loads((SCENARIOS / "closure_2018.toml").read_text())
    data["governance"] = governance
    scenario = scenario_from_dict(data, SCENARIOS / "closure_2018.toml")
    series = simulate(scenario).timeseries.set_index("date")
    check(series, CORE_PINNED, "core")
    assert (series["alliance_members"] == 0).all() and (series["city_budget_spent_eur"] == 0).all()
