"""Pinned, seeded regression values for every shipped scenario and for the economy core.

The values live in tests/regression_values.json. Update them only on purpose (a
deliberate change of the model), with ``python -m tests.test_regression --update``,
and say why in the commit message. Counts are compared exactly, money to 1e-9.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import pytest

from bottrop_sim import load_scenario, simulate
from bottrop_sim.scenario import scenario_from_dict
from tests.conftest import SCENARIOS

VALUES = Path(__file__).with_name("regression_values.json")
PINNED = json.loads(VALUES.read_text())
NO_ADAPTATION = {"customer_search": False, "diversification": False, "green_transition": False}
SCENARIO_COLUMNS = ("employment_workplace", "unemployed", "firms", "alliance_members", "value_added_eur")
CORE_COLUMNS = ("employment_workplace", "unemployed", "firms", "retired", "moved_away", "value_added_eur")


def core_scenario(governance: dict | None = None):
    data = tomllib.loads((SCENARIOS / "closure_2018.toml").read_text())
    data["governance"] = governance or {"mode": "none", "adaptation": NO_ADAPTATION}
    return scenario_from_dict(data, SCENARIOS / "closure_2018.toml")


def pick(series, dates, columns) -> dict:
    return {d: {c: (float(series.loc[d, c]) if c.endswith("_eur") else int(series.loc[d, c])) for c in columns} for d in dates}


def check(series, pinned: dict, label: str) -> None:
    for date, values in pinned.items():
        for column, expected in values.items():
            actual = series.loc[date, column]
            if isinstance(expected, int):
                assert actual == expected, (label, date, column, actual)
            else:
                assert actual == pytest.approx(expected, rel=1e-9), (label, date, column, actual)


def test_every_shipped_scenario_is_pinned():
    assert {p.stem for p in SCENARIOS.glob("*.toml")} == set(PINNED["scenarios"])


@pytest.mark.parametrize("name", sorted(PINNED["scenarios"]))
def test_pinned_values(name):
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    check(simulate(scenario).timeseries.set_index("date"), PINNED["scenarios"][name], name)


def test_no_closure_stays_near_its_start():
    """Staff turn over and are rehired through the matching function, so the no-closure run fluctuates; its pinned
    values stay within 1.5 % of the calibrated start (32,975 jobs; unemployed: 7 % of the labour force, 3,838)."""
    for values in PINNED["scenarios"]["no_closure"].values():
        assert abs(values["employment_workplace"] / 32_975 - 1) < 0.015
        assert abs(values["unemployed"] / 3_838 - 1) < 0.06
        assert values["alliance_members"] == 0


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
    series = simulate(core_scenario(governance)).timeseries.set_index("date")
    check(series, PINNED["core_closure_2018_without_adaptation"], "core")
    assert (series["alliance_members"] == 0).all() and (series["city_budget_spent_eur"] == 0).all()


def update() -> None:
    """Recompute every pinned value (run only on purpose)."""
    scenarios = {}
    for file in sorted(SCENARIOS.glob("*.toml")):
        series = simulate(load_scenario(file)).timeseries.set_index("date")
        scenarios[file.stem] = pick(series, (series.index[len(series) // 2], series.index[-1]), SCENARIO_COLUMNS)
    core = pick(simulate(core_scenario()).timeseries.set_index("date"), ("2018-12", "2025-12", "2035-12"), CORE_COLUMNS)
    VALUES.write_text(json.dumps({"_comment": PINNED["_comment"], "scenarios": scenarios, "core_closure_2018_without_adaptation": core}, indent=1) + "\n")


if __name__ == "__main__" and "--update" in sys.argv:
    update()
