"""Sweep analysis: Sobol' and Morris indices, outcomes by lever, the EMA Workbench export, incomplete sweeps.

Sweeps are tiny (a 2017-12 horizon, a handful of points, one process) so the
whole module runs in seconds.
"""

from __future__ import annotations

import json
import tarfile

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bottrop_sim.cli import main
from bottrop_sim.experiments import open_results
from bottrop_sim.experiments.analysis import analyze, interval
from bottrop_sim.experiments.runner import FAULT_VARIABLE, sweep
from tests.conftest import SCENARIOS

SPEED = """
[[parameters]]
path = "shocks[0].speed"
kind = "continuous"
bounds = [0.5, 2.0]
role = "uncertainty"
"""
RESIDENT_SHARE = """
[[parameters]]
path = "mine.resident_share"
kind = "continuous"
bounds = [0.2, 0.5]
role = "uncertainty"
"""
GOVERNANCE = """
[[parameters]]
path = "governance.mode"
kind = "categorical"
values = ["none", "alliance"]
role = "lever"
"""
OUTCOMES = """
[[outcomes]]
name = "employment"
[[outcomes]]
name = "unemployment_rate"
statistic = "mean"
"""
KEYS = ["employment", "unemployment_rate_mean"]


def experiment_file(folder, name, design, samples, replications, *parameters):
    header = f'name = "{name}"\nbase = "{SCENARIOS / "closure_2018.toml"}"\ndesign = "{design}"\nsamples = {samples}\nreplications = {replications}\nseed = 11\nbatch_size = 100\nfixed = {{ end = "2017-12" }}\n'
    file = folder / f"{name}.toml"
    file.write_text(header + "".join(parameters) + OUTCOMES)
    return file


def run_sweep(folder, name, design, samples, replications, *parameters):
    out = folder / name
    report = sweep(experiment_file(folder, name, design, samples, replications, *parameters), out, workers=1)
    return out, report


@pytest.fixture(scope="module")
def sobol_sweep(tmp_path_factory):
    out, report = run_sweep(tmp_path_factory.mktemp("sobol"), "tiny_sobol", "sobol", 4, 1, SPEED, RESIDENT_SHARE)
    assert report.failed == 0
    return out, analyze(out)


@pytest.fixture(scope="module")
def morris_sweep(tmp_path_factory):
    out, report = run_sweep(tmp_path_factory.mktemp("morris"), "tiny_morris", "morris", 4, 1, SPEED, RESIDENT_SHARE)
    assert report.failed == 0
    return out, analyze(out, out / "elsewhere")


@pytest.fixture(scope="module")
def grid_sweep(tmp_path_factory):
    out, report = run_sweep(tmp_path_factory.mktemp("grid"), "tiny_grid", "grid", 1, 3, GOVERNANCE, SPEED.replace("role", "levels = 2\nrole"))
    assert report.failed == 0
    return out, analyze(out)


def test_sobol_indices_for_every_parameter_and_outcome(sobol_sweep):
    out, summary = sobol_sweep
    table = pd.read_csv(out / "analysis" / "sobol.csv")
    assert list(table.columns) == ["outcome", "parameter", "S1", "S1_conf", "S1_low", "S1_high", "ST", "ST_conf", "ST_low", "ST_high"]
    assert sorted(zip(table["outcome"], table["parameter"], strict=True)) == sorted((k, p) for k in KEYS for p in ("shocks[0].speed", "mine.resident_share"))
    assert np.isfinite(table[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy()).all()
    assert ((table["ST_low"] <= table["ST_high"]) & (table["S1_low"] <= table["S1_high"])).all()
    by = table.set_index(["outcome", "parameter"])
    for key in KEYS:
        assert by.loc[(key, "shocks[0].speed"), "ST"] > 0.0  # the phase-down speed moves employment before 2018
    assert summary["sensitivity"] == "sobol" and summary["points_missing"] == 0
    assert (out / "analysis" / "plots" / "sobol.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sobol_confidence_is_seeded(sobol_sweep, tmp_path):
    out, _ = sobol_sweep
    analyze(out, tmp_path)
    assert (tmp_path / "sobol.csv").read_text() == (out / "analysis" / "sobol.csv").read_text()


def test_morris_indices_for_every_parameter_and_outcome(morris_sweep):
    out, summary = morris_sweep
    table = pd.read_csv(out / "elsewhere" / "morris.csv")
    assert len(table) == len(KEYS) * 2
    assert set(table["outcome"]) == set(KEYS)
    assert np.isfinite(table[["mu", "mu_star", "mu_star_conf", "mu_star_low", "mu_star_high", "sigma"]].to_numpy()).all()
    assert (table["mu_star"] >= table["mu"].abs() - 1e-12).all()
    assert ((table["mu_star_low"] <= table["mu_star"]) & (table["mu_star"] <= table["mu_star_high"])).all()
    assert (table.loc[table["parameter"] == "shocks[0].speed", "mu_star"] > 0).all()
    assert summary["sensitivity"] == "morris"
    assert (out / "elsewhere" / "plots" / "morris.png").is_file()
    assert not (out / "analysis").exists()  # everything went to the chosen folder
    assert not list((out / "elsewhere").rglob("*.tmp"))


def test_summary_by_lever_intervals_contain_the_mean(grid_sweep):
    out, summary = grid_sweep
    table = pd.read_csv(out / "analysis" / "summary_by_lever.csv")
    outcomes = open_results(out).outcomes
    assert summary["sensitivity"] is None and not (out / "analysis" / "sobol.csv").exists()
    assert ((table["ci_low"] < table["mean"]) & (table["mean"] < table["ci_high"])).all()
    overall = table[table["parameter"] == "(all)"].set_index("outcome")
    assert len(outcomes) == 12 and (overall["n"] == 12).all()
    modes = table[(table["parameter"] == "governance.mode") & (table["outcome"] == "employment")]
    assert list(modes["group"]) == ["none", "alliance"] and list(modes["role"]) == ["lever", "lever"]
    for _, row in modes.iterrows():
        values = outcomes.loc[outcomes["governance.mode"] == row["group"], "employment"]
        low, high = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
        assert row["n"] == len(values) == 6
        assert row["mean"] == pytest.approx(values.mean()) and row["ci_low"] == pytest.approx(low) and row["ci_high"] == pytest.approx(high)
    speeds = table[(table["parameter"] == "shocks[0].speed") & (table["outcome"] == "employment")]
    assert list(speeds["group"]) == ["0.5", "2"]  # a two-level grid is grouped by value, not by quartile
    assert list(speeds["value_low"]) == [0.5, 2.0]
    assert {f"plots/by_{name}.png" for name in ("governance_mode", "shocks_0_speed")} <= set(summary["files"])


def test_quartile_bins_of_a_sampled_parameter(sobol_sweep):
    out, _ = sobol_sweep
    table = pd.read_csv(out / "analysis" / "summary_by_lever.csv")
    bins = table[(table["parameter"] == "shocks[0].speed") & (table["outcome"] == "employment")]
    assert [label.split()[0] for label in bins["group"]] == ["Q1", "Q2", "Q3", "Q4"]
    assert bins["n"].sum() == len(open_results(out).outcomes)
    assert (bins["value_low"].to_numpy()[1:] > bins["value_high"].to_numpy()[:-1]).all()


def test_interval_of_one_value_is_undefined():
    result = interval(pd.Series([3.0, np.nan]))
    assert result["n"] == 1 and result["mean"] == 3.0 and np.isnan(result["ci_low"]) and np.isnan(result["ci_high"])


def test_ema_layout(grid_sweep):
    out, _ = grid_sweep
    outcomes = open_results(out).outcomes
    with tarfile.open(out / "analysis" / "ema_results.tar.gz", "r:gz") as archive:
        names = set(archive.getnames())
        metadata = json.loads(archive.extractfile("metadata.json").read())
        experiments = pd.read_csv(archive.extractfile("experiments.csv"))
        employment = pd.read_csv(archive.extractfile("employment.cls"), header=None)[0].to_numpy()
    assert names == {"experiments.csv", "metadata.json", "employment.cls", "unemployment_rate_mean.cls"}
    assert metadata["outcomes"] == [["ScalarOutcome", key, f"{key}.cls"] for key in KEYS]
    assert metadata["experiments"] == {
        "shocks[0].speed": "float64",
        "governance.mode": "category",
        "scenario": "category",
        "policy": "category",
        "model": "category",
    }
    assert len(experiments) == len(outcomes) == len(employment)
    assert list(experiments["scenario"]) == list(outcomes["run_id"])
    assert set(experiments["policy"]) == {"governance.mode=none", "governance.mode=alliance"}
    np.testing.assert_allclose(employment, outcomes["employment"])
    plain = pd.read_csv(out / "analysis" / "ema_outcomes.csv")
    assert list(plain.columns) == KEYS and len(plain) == len(outcomes)
    pd.testing.assert_frame_equal(pd.read_csv(out / "analysis" / "ema_experiments.csv"), experiments)


def test_ema_workbench_loads_the_export(morris_sweep):
    ema_workbench = pytest.importorskip("ema_workbench")
    out, _ = morris_sweep
    results = open_results(out).outcomes
    experiments, outcomes = ema_workbench.load_results(str(out / "elsewhere" / "ema_results.tar.gz"))
    assert len(experiments) == len(results)
    assert list(experiments.columns) == ["shocks[0].speed", "mine.resident_share", "scenario", "policy", "model"]
    assert set(outcomes) == set(KEYS)
    for key in KEYS:
        assert outcomes[key].shape == (len(results),)
        np.testing.assert_allclose(outcomes[key], results[key])
    np.testing.assert_allclose(experiments["shocks[0].speed"], results["shocks[0].speed"])


@pytest.fixture
def incomplete_sobol(tmp_path, monkeypatch):
    monkeypatch.setenv(FAULT_VARIABLE, "p000001-r0000,p000003-r0000")
    out, report = run_sweep(tmp_path, "broken", "sobol", 2, 1, SPEED, RESIDENT_SHARE)
    assert report.failed == 2 and report.total == 8
    return out


def test_incomplete_sweep_is_refused_with_a_clear_message(incomplete_sobol):
    with pytest.raises(ValueError, match=r"incomplete: 2 of 8 design points have no finished run \(6 of 8 runs finished, 2 failed, 0 not run yet\)"):
        analyze(incomplete_sobol)
    assert not (incomplete_sobol / "analysis").exists()  # nothing written


def test_incomplete_sweep_without_indices_when_allowed(incomplete_sobol):
    summary = analyze(incomplete_sobol, allow_incomplete=True)
    assert summary["points_missing"] == 2 and summary["sensitivity"] is None
    assert not (incomplete_sobol / "analysis" / "sobol.csv").exists()
    table = pd.read_csv(incomplete_sobol / "analysis" / "summary_by_lever.csv")
    assert (table.loc[table["parameter"] == "(all)", "n"] == 6).all()
    assert len(pd.read_csv(incomplete_sobol / "analysis" / "ema_outcomes.csv")) == 6


def test_trust_diagnostics_of_a_sobol_sweep_with_one_replication(sobol_sweep, capsys):
    out, summary = sobol_sweep
    assert {"sobol_convergence.csv", "plots/sobol_convergence.png", "replication_noise.csv"} <= set(summary["files"])
    convergence = pd.read_csv(out / "analysis" / "sobol_convergence.csv")
    assert sorted(convergence["base_samples"].unique()) == [2, 4]  # N = 4: the first half and all of it
    full = convergence[convergence["base_samples"] == 4].set_index(["outcome", "parameter"])["ST"]
    table = pd.read_csv(out / "analysis" / "sobol.csv").set_index(["outcome", "parameter"])["ST"]
    np.testing.assert_allclose(full.sort_index(), table.sort_index(), rtol=1e-9)  # the last point of the curve is the reported index
    noise = pd.read_csv(out / "analysis" / "replication_noise.csv")
    assert list(noise["outcome"]) == KEYS and (noise["replications"] == 1).all() and noise["noise_share"].isna().all()
    assert any("one replication per design point" in w for w in summary["warnings"])
    assert all(entry["trusted"] is False for entry in summary["most_influential"].values())  # named, but not to be trusted
    assert main(["analyze", str(out), "--out", str(out / "again")]) == 0
    assert "warning: employment: one replication" in capsys.readouterr().err


def test_robustness_and_prim_of_a_grid_sweep(grid_sweep, tmp_path, capsys):
    pytest.importorskip("ema_workbench")
    out, _ = grid_sweep
    robust = pd.read_csv(out / "analysis" / "robustness.csv")
    outcomes = open_results(out).outcomes
    assert set(robust["policy"]) == {"governance.mode=none", "governance.mode=alliance"} and (robust["states"] == 2 * 3).all()  # 2 speeds x 3 seeds
    employment = outcomes.pivot_table(index=["shocks[0].speed", "replication"], columns="governance.mode", values="employment")
    by_hand = (employment.max(axis=1).to_numpy()[:, None] - employment).max()
    for mode in ("none", "alliance"):
        row = robust[(robust["outcome"] == "employment") & (robust["policy"] == f"governance.mode={mode}")].iloc[0]
        assert row["max_regret"] == pytest.approx(by_hand[mode])
    assert main(["analyze", str(out), "--out", str(tmp_path), "--discover", "employment", "--discover-quantile", "0.25"]) == 0
    report = json.loads(capsys.readouterr().out)
    box = report["discovery"]["employment"]
    assert box["cases"] == 3 and box["runs"] == 12 and (tmp_path / "prim_employment.csv").is_file()
    limits = pd.read_csv(tmp_path / "prim_employment.csv")
    assert set(limits["role"]) <= {"uncertainty", "lever"} and sorted(box["uncertainties"] + box["levers"]) == sorted(limits["parameter"])
    assert main(["analyze", str(out), "--out", str(tmp_path), "--discover", "happiness"]) == 2
    assert "not an outcome of this sweep" in capsys.readouterr().err
