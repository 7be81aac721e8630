"""Scenario inheritance (extends) and command-line overrides (--set)."""

from __future__ import annotations

import pytest

from bottrop_sim import ScenarioError, load_scenario
from tests.conftest import SCENARIOS


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_extends_inherits_and_overrides_only_what_differs(tmp_path):
    write(tmp_path / "base.toml", 'name = "base"\nseed = 7\n[mine]\nstaff = 1000\nresident_share = 0.5\n')
    child = write(tmp_path / "child.toml", 'extends = "base.toml"\nname = "child"\n[mine]\nstaff = 900\n')
    scenario = load_scenario(child)
    assert (scenario.name, scenario.seed, scenario.mine.staff, scenario.mine.resident_share) == ("child", 7, 900, 0.5)


def test_extends_chains_and_lists_replace_whole(tmp_path):
    write(tmp_path / "a.toml", 'name = "a"\n[[shocks]]\ntype = "demand_recession"\n[[shocks]]\ntype = "energy_price"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\nname = "b"\n')
    c = write(tmp_path / "c.toml", 'extends = "b.toml"\nname = "c"\n[[shocks]]\ntype = "energy_price"\nstart = "2023-01"\n')
    assert [s.type for s in load_scenario(tmp_path / "b.toml").shocks] == ["demand_recession", "energy_price"]
    shocks = load_scenario(c).shocks
    assert [(s.type, s.start) for s in shocks] == [("energy_price", "2023-01")]


def test_inherited_table_path_is_relative_to_the_file_that_names_it(tmp_path):
    (tmp_path / "base").mkdir()
    table = (SCENARIOS.parent / "bottrop_sim" / "data" / "sector_table.csv").read_text()
    (tmp_path / "base" / "t.csv").write_text(table)
    write(tmp_path / "base" / "base.toml", 'name = "base"\n[economy]\nsector_table = "t.csv"\n')
    child = write(tmp_path / "child.toml", 'extends = "base/base.toml"\nname = "child"\n')
    assert load_scenario(child).economy.sector_table == str((tmp_path / "base" / "t.csv").resolve())


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"x.toml": 'extends = "missing.toml"\n'}, "no file at"),
        ({"x.toml": 'extends = "y.toml"\n', "y.toml": 'extends = "x.toml"\n'}, "circular"),
        ({"x.toml": 'extends = "x.toml"\n'}, "circular"),
        ({"x.toml": "extends = 3\n"}, "as text"),
    ],
    ids=["missing", "circular", "self", "not-text"],
)
def test_bad_extends_is_refused(tmp_path, files, expected):
    for name, text in files.items():
        write(tmp_path / name, text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "x.toml")
    assert caught.value.field == "extends"
    assert expected in caught.value.allowed
    assert "x.toml" in str(caught.value)


def test_error_in_a_parent_names_the_parent_file(tmp_path):
    write(tmp_path / "base.toml", "seed = = 1\n")
    child = write(tmp_path / "child.toml", 'extends = "base.toml"\n')
    with pytest.raises(ScenarioError) as caught:
        load_scenario(child)
    assert "base.toml" in caught.value.file


def test_shipped_governance_scenarios_extend_the_closure():
    alliance = load_scenario(SCENARIOS / "closure_2018_alliance.toml")
    hybrid = load_scenario(SCENARIOS / "closure_2018_hybrid.toml")
    closure = load_scenario(SCENARIOS / "closure_2018.toml")
    assert alliance.shocks == closure.shocks == hybrid.shocks
    assert (alliance.governance.mode, hybrid.governance.mode) == ("alliance", "hybrid")
    assert alliance.governance.alliance.founding_members == 60 == hybrid.governance.alliance.founding_members


@pytest.mark.parametrize(
    ("override", "check"),
    [
        ("governance.mode=alliance", lambda s: s.governance.mode == "alliance"),
        ('governance.mode="city_led"', lambda s: s.governance.mode == "city_led"),
        ("mine.staff=1200", lambda s: s.mine.staff == 1200),
        ("labour.unemployment_rate_start=0.08", lambda s: s.labour.unemployment_rate_start == 0.08),
        ("shocks[0].closure_date=2019-06-30", lambda s: str(s.shocks[0].closure_date) == "2019-06-30"),
        ("governance.alliance.labs.hybrid_retail.effect_size=0.1", lambda s: s.governance.alliance.labs["hybrid_retail"].effect_size == 0.1),
        ("economy.final_demand_scale={mining = 0.5}", lambda s: s.economy.final_demand_scale == {"mining": 0.5}),
    ],
)
def test_set_overrides_any_field(override, check):
    assert check(load_scenario(SCENARIOS / "closure_2018.toml", [override]))


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("governance.mode=anarchy", "governance.mode"),
        ("mine.staf=3", "mine.staf"),
        ("mine.staff=-1", "mine.staff"),
        ("no_equals_sign", "--set"),
        ("shocks[5].start=2019-01", "--set"),
        ("mine..staff=1", "--set"),
    ],
)
def test_bad_override_is_refused_naming_the_field(override, field):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(SCENARIOS / "closure_2018.toml", [override])
    assert caught.value.field == field


def test_an_invalid_set_value_is_blamed_on_the_command_line():
    with pytest.raises(ScenarioError) as caught:
        load_scenario(SCENARIOS / "closure_2018.toml", ["mine.staff=-5"])
    assert caught.value.file.startswith("--set") and "closure_2018.toml" in caught.value.file
