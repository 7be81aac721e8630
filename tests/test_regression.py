"""Pinned, seeded regression values for the shipped scenarios.

Update these only on purpose (a deliberate change of the model), and say so in
the commit message. Counts are compared exactly, money and CO2 to 1e-9.
"""

from __future__ import annotations

import pytest

from bottrop_sim import simulate

PINNED = {
    "no_closure": {
        # without shocks the economy stays on its steady state: every month equals the first
        "2018-12": {"employment_workplace": 32975, "unemployed": 3851, "firms": 2263, "retired": 0, "moved_away": 0, "value_added_eur": 162128350.0},
        "2035-12": {"employment_workplace": 32975, "unemployed": 3851, "firms": 2263, "retired": 0, "moved_away": 0, "value_added_eur": 162128350.0},
    },
    "closure_2018": {
        "2018-12": {"employment_workplace": 30772, "unemployed": 4054, "firms": 2246, "retired": 364, "moved_away": 17, "value_added_eur": 149786356.1510191},
        "2025-12": {"employment_workplace": 28822, "unemployed": 3879, "firms": 2322, "retired": 652, "moved_away": 115, "value_added_eur": 141830383.7160983},
        "2035-12": {"employment_workplace": 28754, "unemployed": 3862, "firms": 2322, "retired": 652, "moved_away": 120, "value_added_eur": 141768380.8395012},
    },
}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_pinned_values(name, closure_scenario, no_closure_scenario):
    scenario = {"closure_2018": closure_scenario, "no_closure": no_closure_scenario}[name]
    assert scenario.seed == 20181221
    series = simulate(scenario).timeseries.set_index("date")
    for date, values in PINNED[name].items():
        for column, expected in values.items():
            actual = series.loc[date, column]
            if isinstance(expected, int):
                assert actual == expected, (name, date, column, actual)
            else:
                assert actual == pytest.approx(expected, rel=1e-9), (name, date, column, actual)
