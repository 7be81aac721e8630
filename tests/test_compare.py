"""Scenario comparison: common seeds, twins, intervals, outputs, and the same numbers with any number of workers."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from bottrop_sim import load_scenario
from bottrop_sim.cli import main
from bottrop_sim.compare import compare, replication_seeds
from bottrop_sim.monitoring import REGISTRY
from tests.conftest import SCENARIOS

SHORT = ["end=2018-06"]


def short(name: str, *extra: str):
    return load_scenario(SCENARIOS / f"{name}.toml", [*SHORT, *extra])


@pytest.fixture(scope="module")
def result():
    return compare([short("closure_2018"), short("closure_2018_alliance", "governance.alliance.start=2015-06")], replications=3, seed=11, workers=1)


def test_seeds_come_from_one_base_seed_and_are_shared():
    assert replication_seeds(11, 4) == replication_seeds(11, 4)
    assert replication_seeds(11, 4)[:2] == replication_seeds(11, 2)  # more replications keep the first seeds
    assert len(set(replication_seeds(11, 50))) == 50
    assert replication_seeds(11, 3) != replication_seeds(12, 3)


def test_every_scenario_uses_the_same_seeds(result):
    seeds = result.indicators.groupby("scenario")["seed"].apply(lambda s: sorted(set(s)))
    assert seeds.iloc[0] == seeds.iloc[1] == sorted(replication_seeds(11, 3))


def test_comparison_rows_and_paired_differences(result):
    table = result.comparison
    assert set(table["indicator"]) == set(REGISTRY)
    first = table[table.scenario == "closure_2018"]
    assert first["diff_mean"].isna().all()
    wide = result.indicators.pivot_table(index=["indicator", "replication"], columns="scenario", values="value")
    employment = wide.loc["employment"]
    row = table[(table.scenario == "closure_2018_alliance") & (table.indicator == "employment")].iloc[0]
    assert row["diff_mean"] == pytest.approx((employment["closure_2018_alliance"] - employment["closure_2018"]).mean())
    assert row["ci_low"] <= row["mean"] <= row["ci_high"] and row["n"] == 3


def test_counterfactual_series_are_there_for_every_scenario(result):
    scenarios = set(result.series["scenario"])
    assert {"closure_2018", "closure_2018 (counterfactual)", "closure_2018_alliance", "closure_2018_alliance (counterfactual)"} <= scenarios
    twin = result.series[(result.series.scenario == "closure_2018 (counterfactual)") & (result.series.variable == "employment_workplace")]
    assert (twin["low"] <= twin["mean"]).all() and (twin["mean"] <= twin["high"]).all()


def test_no_shock_scenario_is_neutral_against_its_twin():
    outcome = compare([short("no_closure")], replications=2, seed=3, workers=1)
    values = outcome.indicators.set_index(["indicator", "replication"])["value"]
    for measure in ("resistance", "recovery", "reorientation", "renewal"):
        assert (values.loc[measure] == 0.0).all()


def test_same_numbers_sequential_and_with_two_processes(result):
    parallel = compare([short("closure_2018"), short("closure_2018_alliance", "governance.alliance.start=2015-06")], replications=3, seed=11, workers=2)
    pd.testing.assert_frame_equal(result.indicators, parallel.indicators)
    pd.testing.assert_frame_equal(result.comparison, parallel.comparison)


def test_compare_command_writes_every_output(tmp_path, capsys):
    out = tmp_path / "cmp"
    files = [str(SCENARIOS / "closure_2018.toml"), str(SCENARIOS / "closure_2018_city_led.toml")]
    code = main(["compare", *files, "--replications", "2", "--workers", "1", "--out", str(out), "--set", "end=2016-12", "--lang", "de"])
    assert code == 0
    for name in ("comparison.csv", "indicators.csv", "provenance.json", "report.html"):
        assert (out / name).is_file()
    provenance = json.loads((out / "provenance.json").read_text())
    assert provenance["replications"] == 2 and len(provenance["seeds"]) == 2 and len(provenance["scenarios"]) == 2
    html = (out / "report.html").read_text()
    assert "closure_2018_city_led" in html and "Beschäftigung" in html
    assert "https://" not in html and "http://" not in html
    printed = capsys.readouterr().out
    assert "Arbeitslosenquote" in printed


def test_compare_refuses_bad_input_without_writing(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", str(SCENARIOS / "closure_2018.toml"), "--replications", "0", "--out", str(out)]) == 2
    assert main(["compare", str(SCENARIOS / "closure_2018.toml"), str(SCENARIOS / "closure_2018.toml"), "--out", str(out)]) == 2
    assert main(["compare", str(SCENARIOS / "closure_2018.toml"), "--set", "governance.mode=anarchy", "--out", str(out)]) == 2
    assert not out.exists()
    assert "Traceback" not in capsys.readouterr().err


def test_run_writes_indicators_json(tmp_path):
    out = tmp_path / "run"
    assert main(["run", str(SCENARIOS / "closure_2018.toml"), "--out", str(out), "--quiet", "--set", "end=2017-12"]) == 0
    data = json.loads((out / "indicators.json").read_text())
    assert set(data["indicators"]) == set(REGISTRY)
    assert data["indicators"]["resistance"] < 0  # the closure costs jobs against its twin


def test_verdicts_are_corrected_for_many_comparisons_and_never_judge_governance_defined_indicators():
    from bottrop_sim.monitoring import GOVERNANCE_DEFINED, verdicts

    rows = []
    for name in REGISTRY:
        # every indicator a small difference with p = 0.01: alone clear at 5 %, but not after Holm over ~20 verdicts
        rows.append({"scenario": "B", "indicator": name, "diff_mean": 1.0, "diff_p": 0.01})
    rows.append({"scenario": "C", "indicator": "employment", "diff_mean": 5.0, "diff_p": 1e-6})  # clear even after correction
    rows.append({"scenario": "C", "indicator": "unemployment_rate", "diff_mean": 0.01, "diff_p": 1e-6})  # clear, lower is better
    frame = verdicts(pd.DataFrame(rows))
    judged = frame[frame["diff_p_holm"].notna()]
    assert len(judged) == len(rows) - len(GOVERNANCE_DEFINED)  # the governance-defined ones are not in the family
    assert (frame.loc[frame["scenario"] == "B", "verdict"] == "").all()
    c = frame[frame["scenario"] == "C"].set_index("indicator")["verdict"]
    assert c["employment"] == "better" and c["unemployment_rate"] == "worse"
    governance = frame[frame["indicator"].isin(GOVERNANCE_DEFINED)]
    assert (governance["verdict"] == "").all() and governance["diff_p_holm"].isna().all()


def test_the_comparison_carries_paired_p_values_and_verdicts(result):
    comparison = result.comparison
    assert {"diff_p", "diff_p_holm", "verdict"} <= set(comparison.columns)
    reference = comparison[comparison["scenario"] == comparison["scenario"].iloc[0]]
    assert reference["diff_p"].isna().all() and (reference["verdict"] == "").all()
    assert comparison["verdict"].isin(["", "better", "worse", "differs"]).all()
    assert (comparison.loc[comparison["indicator"] == "alliance_participation", "verdict"] == "").all()
