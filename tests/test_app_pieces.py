"""The workshop app's pieces under the page, without a browser: runs, panels, the network layout, scores, exports, words and checks.

What must hold (issue #6): both panels run from the same seed as ``simulate``;
the exported scenario file loads with ``load_scenario``; typed numbers are read
as people write them; every text exists in both languages.
"""

from __future__ import annotations

import io
import tomllib

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("solara")

from bottrop_sim import load_scenario, simulate
from bottrop_sim.app.export import panel_description, scenario_toml, timeseries_csv
from bottrop_sim.app.levers import LEVER_BY_PATH, LEVERS, check_entry, lever_values, panel_scenario, schema_range
from bottrop_sim.app.runs import PanelRun, advance
from bottrop_sim.app.scoring import KEY_INDICATORS, RESILIENCE, rows
from bottrop_sim.app.state import scenario_catalog
from bottrop_sim.app.texts import SCENARIOS, TEXT, month_text, parse_number, scenario_description

from .conftest import SCENARIOS as SCENARIO_FOLDER

pytestmark = pytest.mark.timeout(300)


# --------------------------------------------------------------------------- the pieces


def test_runs_equal_simulate_with_the_same_seed(closure_scenario):
    run = PanelRun(closure_scenario, seed=5)
    while advance([run], 12):
        pass
    expected = simulate(closure_scenario, seed=5).timeseries
    pd.testing.assert_frame_equal(run.snapshot.timeseries, expected)
    twin = simulate(closure_scenario.without_shocks(), seed=5).timeseries
    pd.testing.assert_frame_equal(run.snapshot.twin, twin)


def test_panels_differ_only_by_their_settings(closure_scenario):
    alliance = closure_scenario.model_copy(update={"governance": closure_scenario.governance.model_copy(update={"mode": "alliance"})})
    runs = [PanelRun(closure_scenario, 3), PanelRun(alliance, 3)]
    assert advance(runs, 36) == 36
    a, b = (run.snapshot.timeseries for run in runs)
    founded = a.index[a["date"] == "2017-03"][0]
    economy = ["employment_workplace", "unemployed", "value_added_eur", "firms", "co2_t"]
    pd.testing.assert_frame_equal(a.loc[: founded - 1, economy], b.loc[: founded - 1, economy])  # common random numbers until the alliance acts
    assert not a.loc[founded:, economy].equals(b.loc[founded:, economy])


def test_network_layout_is_computed_once_and_links_are_the_heaviest(closure_scenario):
    run = PanelRun(closure_scenario, seed=1)
    start = run.snapshot.firms.xy.copy()
    graph = run.model.supply_network()
    weights = sorted((w for _, _, w in graph.edges(data="weight")), reverse=True)[:50]
    links = run.strongest_links(50)
    flows = sorted((graph.edges[int(s), int(b)]["weight"] for s, b in links), reverse=True)
    np.testing.assert_allclose(flows, weights)  # before any search or brokerage the links are the graph's edges
    advance([run], 60)
    moved = run.snapshot.firms.xy
    np.testing.assert_array_equal(moved[: len(start)], start)  # old firms keep their place
    assert len(moved) >= len(start)  # firms founded meanwhile get a place too


def test_scorecard_rows_give_a_minus_b_and_the_better_panel(closure_scenario):
    alliance = closure_scenario.model_copy(update={"governance": closure_scenario.governance.model_copy(update={"mode": "alliance"})})
    runs = {"A": PanelRun(closure_scenario, 2), "B": PanelRun(alliance, 2)}
    advance(list(runs.values()), 60)
    snapshots = {p: r.snapshot for p, r in runs.items()}
    lines = {row.name: row for row in rows(snapshots, "en", RESILIENCE + KEY_INDICATORS)}
    employment = [snapshots[p].timeseries["employment_workplace"].iloc[-12:].mean() for p in ("A", "B")]
    shown_values = {panel: parse_number(text, "en") for panel, text in lines["employment"].values.items()}
    assert shown_values.keys() == {"A", "B"} and all(float(v).is_integer() for v in shown_values.values())  # whole persons
    assert shown_values["A"] == pytest.approx(employment[0], abs=0.5) and shown_values["B"] == pytest.approx(employment[1], abs=0.5)
    delta = employment[0] - employment[1]
    # about three significant digits: whole persons from 100 on, one decimal from 10, two below
    places = 0 if abs(delta) >= 100 else (1 if abs(delta) >= 10 else 2)
    shown = lines["employment"].difference
    assert shown[0] == ("+" if delta > 0 else "-") and len(shown.partition(".")[2]) == places
    assert float(shown.replace(",", "")) == pytest.approx(delta, abs=0.6 * 10**-places)  # rounded half up or to even
    assert lines["employment"].better == ("A" if employment[0] > employment[1] else "B")
    assert lines["resistance"].values["A"].endswith("%") and lines["resistance"].values["A"].startswith("-")
    assert lines["alliance_trust"].values["A"] == "–"  # no alliance, no trust to measure


@pytest.mark.parametrize("name", sorted(p.stem for p in SCENARIO_FOLDER.glob("*.toml")))
def test_exported_scenario_files_load_back_unchanged(tmp_path, name):
    scenario = load_scenario(SCENARIO_FOLDER / f"{name}.toml")
    path = tmp_path / f"{name}_export.toml"
    path.write_text(scenario_toml(scenario, comment=["exported in a test"]), encoding="utf-8")
    assert "extends" not in tomllib.loads(path.read_text(encoding="utf-8"))
    assert load_scenario(path) == scenario


def test_exported_panel_settings_load_and_run(tmp_path):
    base = load_scenario(SCENARIO_FOLDER / "closure_2018.toml")
    values = {**lever_values(base), "governance.mode": "hybrid", "governance.alliance.founding_members": 90, "governance.hybrid.cost_reduction_share": 0.5}
    scenario = panel_scenario(base, values, SCENARIO_FOLDER / "closure_2018.toml")
    path = tmp_path / "panel.toml"
    described = scenario.model_copy(update={"description": panel_description(base, scenario, "B")})
    path.write_text(scenario_toml(described, name="closure_2018_b_hybrid"), encoding="utf-8")
    loaded = load_scenario(path)
    assert loaded.governance.mode == "hybrid" and loaded.governance.alliance.founding_members == 90
    assert "panel B: governance.mode = 'hybrid'; governance.alliance.founding_members = 90" in loaded.description
    assert loaded.model_copy(update={"name": scenario.name, "description": scenario.description}) == scenario


def test_time_series_csv_loads_with_pandas(closure_scenario):
    run = PanelRun(closure_scenario, 1)
    advance([run], 6)
    table = pd.read_csv(io.StringIO(timeseries_csv({"A": run.snapshot})))
    assert set(table["run"]) == {"scenario", "counterfactual"}
    assert len(table) == 12 and table["panel"].eq("A").all()
    np.testing.assert_allclose(table.loc[table["run"] == "scenario", "employment_workplace"], run.snapshot.timeseries["employment_workplace"])


# --------------------------------------------------------------------------- words, numbers, checks


@pytest.mark.parametrize(
    ("entry", "lang", "value"),
    [
        ("1.500.000", "de", 1_500_000),
        ("0,5", "de", 0.5),
        ("0.5", "de", 0.5),
        ("1,500,000", "en", 1_500_000),
        ("2.75", "en", 2.75),
        (" 60 ", "de", 60),
        ("abc", "en", None),
        ("", "de", None),
    ],
)
def test_typed_numbers_are_read_as_people_write_them(entry, lang, value):
    assert parse_number(entry, lang) == value


def test_lever_checks_use_the_schema_range_in_shown_units():
    trust = LEVER_BY_PATH["governance.alliance.initial_trust"]
    assert check_entry(trust, "40", "de") == (0.4, None)
    assert check_entry(trust, "140", "de") == (None, "Erlaubt: 0 bis 100 %.")
    budget = LEVER_BY_PATH["governance.city.budget_eur_year"]
    assert check_entry(budget, "2,5", "de") == (2_500_000.0, None)
    assert schema_range("governance.alliance.founding_members") == (0, 5000)
    for lever in LEVERS:
        if lever.slider is not None:  # every slider position is a valid value
            low, high = schema_range(lever.path)
            assert low <= lever.stored(lever.slider[0]) and lever.stored(lever.slider[1]) <= high, lever.path


def test_every_text_exists_in_both_languages():
    assert set(TEXT["de"]) == set(TEXT["en"])
    for lever in LEVERS:
        assert set(lever.label) == set(lever.help) == set(lever.unit) == {"de", "en"}
    for name in scenario_catalog(SCENARIO_FOLDER):
        assert name in SCENARIOS, f"add a German and English description of {name} to bottrop_sim/app/texts.py"


def test_descriptions_fall_back_to_the_file():
    assert scenario_description("my_own", "de", "from the file") == "from the file"
    assert month_text("2018-12", "de") == "Dez. 2018" and month_text("2018-03", "en") == "Mar 2018"
