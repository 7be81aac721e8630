"""Experiment files at the edge: invalid input refused before anything is written, validate, dry runs,
a bad scheduler, damaged batches, extending a sweep, distributions of uncertainties."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from bottrop_sim import ScenarioError
from bottrop_sim.cli import main
from bottrop_sim.experiments import open_results
from bottrop_sim.experiments.designs import design_points, to_value
from bottrop_sim.experiments.runner import sweep
from bottrop_sim.experiments.spec import Parameter, load_experiment
from tests.conftest import ROOT
from tests.sweep_helpers import free_port, write_experiment

pytestmark = pytest.mark.timeout(600)

SHIFT = """
[[parameters]]
path = "shocks[0].timing_shift_months"
kind = "integer"
bounds = [0, 24]
role = "uncertainty"
"""


def variant(tmp_path, old: str, new: str, **options) -> str:
    text = write_experiment(tmp_path, **options).read_text()
    assert old in text, old
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(old, new, 1))
    return str(path)


INVALID = [
    pytest.param(
        'statistic = "mean"', 'statistic = "mean"\nwindow = ["2016-05", "2016-02"]', "outcomes[2].window", "first not after last", id="reversed-window"
    ),
    pytest.param(
        'statistic = "mean"',
        'statistic = "mean"\nwindow = ["2019-01", "2019-12"]',
        "outcomes[2].window",
        "within the horizon 2015-01..2016-06",
        id="window-outside-horizon",
    ),
    pytest.param("samples = 4", 'samples = "4"', "samples", "without quotes", id="samples-as-text"),
    pytest.param("replications = 2", 'replications = "2"', "replications", "without quotes", id="replications-as-text"),
    pytest.param(
        '[[outcomes]]\nname = "employment"', SHIFT + '[[outcomes]]\nname = "employment"', "parameters[3]", "starts within the horizon", id="shock-after-end"
    ),
    pytest.param("bounds = [0.1, 0.4]", 'bounds = ["0.1", 0.4]', "parameters[2].bounds[0]", "a number", id="bound-as-text"),
    pytest.param(
        "bounds = [0.1, 0.4]",
        'bounds = [0.1, 0.4]\ndistribution = "triangular"\nmode = 0.5',
        "parameters[2].mode",
        "within the bounds",
        id="mode-outside-bounds",
    ),
    pytest.param(
        "bounds = [0.1, 0.4]", 'bounds = [0.1, 0.4]\ndistribution = "normal"\nmean = 0.2', "parameters[2].sd", "needs mean and sd", id="normal-without-sd"
    ),
    pytest.param(
        "bounds = [0.1, 0.4]", 'bounds = [0.1, 0.4]\ndistribution = "normal"\nmean = 0.2\nsd = -1.0', "parameters[2].sd", "greater than 0", id="negative-sd"
    ),
    pytest.param(
        "bounds = [0.1, 0.4]",
        'bounds = [0.1, 0.4]\ndistribution = "lognormal"\nmedian = 0.2\nsigma = 0.5\nmean = 1.0',
        "parameters[2].mean",
        "no mean",
        id="lognormal-with-mean",
    ),
    pytest.param(
        "bounds = [20, 80]",
        'bounds = [20, 80]\ndistribution = "normal"\nmean = 50.0\nsd = 5.0',
        "parameters[1].distribution",
        "continuous",
        id="distribution-of-an-integer",
    ),
    pytest.param('fixed = { end = "2016-06" }', 'fixed = { end = "2016-13" }', "fixed.end", "", id="bad-fixed-value"),
    pytest.param(
        'fixed = { end = "2016-06" }', 'fixed = { "governance.mode" = "none" }', "fixed.governance.mode", "not also a varied parameter", id="fixed-and-varied"
    ),
]


@pytest.mark.parametrize(("old", "new", "field", "allowed"), INVALID)
@pytest.mark.parametrize("command", ["sweep", "dry-run", "validate"])
def test_invalid_experiments_exit_2_naming_file_field_value_allowed_and_write_nothing(tmp_path, capsys, old, new, field, allowed, command):
    path = variant(tmp_path, old, new)
    out = tmp_path / "out"
    args = {"sweep": ["sweep", path, "--out", str(out)], "dry-run": ["sweep", path, "--out", str(out), "--dry-run"], "validate": ["validate", path]}[command]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"bad.toml: field '{field}'" in err and "got " in err and allowed in err and "Traceback" not in err, err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml", "tiny.toml"]


def test_a_one_value_parameter_is_a_dead_sobol_dimension_and_refused(tmp_path, capsys):
    path = variant(
        tmp_path,
        'fixed = { end = "2016-06" }',
        '[[parameters]]\npath = "end"\nkind = "categorical"\nvalues = ["2016-06"]\nrole = "uncertainty"\n',
        design="sobol",
    )
    assert main(["validate", path]) == 2
    err = capsys.readouterr().err
    assert "field 'parameters[0].values'" in err and "[fixed]" in err


def test_fixed_values_shorten_the_horizon_without_a_design_dimension(tmp_path):
    experiment, base = load_experiment(write_experiment(tmp_path, design="sobol", samples=4, end="2016-03"))
    assert base["end"] == "2016-03" and [p.path for p in experiment.parameters] == [
        "governance.mode",
        "governance.alliance.founding_members",
        "firms.hiring_rate",
    ]
    assert len(design_points(experiment)) == 4 * (3 + 2)
    out = tmp_path / "out"
    sweep(write_experiment(tmp_path, replications=1, end="2016-03"), out, workers=1)
    series = open_results(out).series
    assert series["date"].max() == "2016-03" and series.groupby("run_id").size().eq(15).all()


def test_validate_accepts_the_shipped_experiments_and_scenarios(capsys):
    files = [str(f) for f in sorted((ROOT / "experiments").glob("*.toml"))] + [str(ROOT / "scenarios" / "closure_2018.toml")]
    assert main(["validate", *files]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(line.startswith("ok: ") for line in lines)
    timing = next(line for line in lines if "closure_timing" in line)
    assert "experiment: 36 design points x 5 replications = 180 runs" in timing  # closure_timing: 3 x 3 x 4
    calibration = next(line for line in lines if "calibrate_history" in line)
    assert "calibration: 64 parameter sets x 2 replications = 128 runs" in calibration
    assert lines[-1] == f"ok: {files[-1]}"


def test_dry_run_prints_the_size_and_an_estimate_and_writes_nothing(tmp_path, capsys):
    experiment = write_experiment(tmp_path, replications=2)
    out = tmp_path / "out"
    assert main(["sweep", str(experiment), "--out", str(out), "--workers", "2", "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "design: 12 points x 2 replications = 24 runs; stored 0, failed 0, to run 24" in text
    assert "on 2 worker(s)" in text and "one trial run" in text and "nothing was written" in text
    assert not out.exists()
    sweep(write_experiment(tmp_path, replications=1), out, workers=1)
    experiment = write_experiment(tmp_path, replications=2)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in out.rglob("*"))
    assert main(["sweep", str(experiment), "--out", str(out), "--workers", "2", "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "stored 12, failed 0, to run 12" in text and "mean of 12 stored runs" in text and "extending from 1 to 2 replications" in text
    assert sorted((p.name, p.stat().st_mtime_ns) for p in out.rglob("*")) == before


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:{port}", "not an address", "tcp://127.0.0.1:99999", "tcp://no-such-host.invalid:8786"])
def test_a_bad_scheduler_fails_fast_with_exit_2_and_writes_nothing(tmp_path, capsys, address):
    address = address.format(port=free_port())  # nothing listens there
    out = tmp_path / "out"
    started = time.monotonic()
    assert main(["sweep", str(write_experiment(tmp_path)), "--out", str(out), "--scheduler", address, "--quiet"]) == 2
    assert time.monotonic() - started < 15
    err = capsys.readouterr().err
    assert "field '--scheduler'" in err and "Dask scheduler" in err and "internal error" not in err
    assert not out.exists()


# --- damaged batches ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["outcomes", "manifest", "series"])
def test_a_truncated_batch_is_quarantined_and_its_runs_redone(tmp_path, capsys, kind):
    experiment = write_experiment(tmp_path, replications=1, batch_size=4)
    clean, out = tmp_path / "clean", tmp_path / "out"
    sweep(experiment, clean, workers=1)
    sweep(experiment, out, workers=1)
    damaged = out / "batches" / f"{kind}-000002.parquet"
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])
    assert main(["analyze", str(out)]) == 2
    err = capsys.readouterr().err
    assert "000002.parquet" in err and "quarantine" in err and "Traceback" not in err
    assert main(["sweep", str(experiment), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "batch 000002 is damaged" in captured.err and "run again" in captured.err
    assert "this call: 4 runs" in captured.out and "stored 12 of 12 runs, 0 failed, 0 missing" in captured.out
    assert sorted(p.name for p in (out / "quarantine").iterdir()) == [f"{k}-000002.parquet" for k in ("manifest", "outcomes", "series")]
    columns = ["run_id", "seed", "employment", "resistance", "unemployment_rate_mean"]
    pd.testing.assert_frame_equal(open_results(out).outcomes[columns], open_results(clean).outcomes[columns])
    assert main(["analyze", str(out)]) == 0


# --- extending a sweep -----------------------------------------------------------------------------------------


def test_more_replications_reuse_every_finished_run(tmp_path):
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    first = sweep(write_experiment(tmp_path, replications=1), out, workers=1)
    manifests = sorted((out / "batches").glob("manifest-*"))
    second = sweep(write_experiment(tmp_path, replications=3), out, workers=2)
    assert (first.finished, second.finished, second.skipped, second.stored) == (12, 24, 12, 36)
    assert all(m.exists() for m in manifests)  # the first call's batches are kept as they were
    sweep(write_experiment(tmp_path, replications=3), fresh, workers=1)
    columns = ["run_id", "seed", "param_hash", "employment", "resistance", "unemployment_rate_mean"]
    pd.testing.assert_frame_equal(open_results(out).outcomes[columns], open_results(fresh).outcomes[columns])
    assert open_results(out).experiment["runs"] == 36


def test_more_sobol_points_reuse_every_finished_run_and_shrinking_is_refused(tmp_path, capsys):
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    small = sweep(write_experiment(tmp_path, design="sobol", samples=2, replications=1), out, workers=1)
    large = sweep(write_experiment(tmp_path, design="sobol", samples=4, replications=1), out, workers=1)
    assert (small.finished, large.finished, large.skipped, large.stored) == (10, 10, 10, 20)
    sweep(write_experiment(tmp_path, design="sobol", samples=4, replications=1), fresh, workers=1)
    columns = ["run_id", "seed", "param_hash", "governance.mode", "firms.hiring_rate", "employment"]
    pd.testing.assert_frame_equal(open_results(out).outcomes[columns], open_results(fresh).outcomes[columns])
    assert main(["sweep", str(write_experiment(tmp_path, design="sobol", samples=2, replications=1)), "--out", str(out)]) == 2
    assert "field 'samples'" in capsys.readouterr().err
    assert main(["analyze", str(out)]) == 0


def test_an_lhs_design_with_more_points_is_not_an_extension(tmp_path, capsys):
    out = tmp_path / "out"
    sweep(write_experiment(tmp_path, design="lhs", samples=3, replications=1), out, workers=1)
    assert main(["sweep", str(write_experiment(tmp_path, design="lhs", samples=5, replications=1)), "--out", str(out)]) == 2
    assert "other settings" in capsys.readouterr().err


# --- distributions -----------------------------------------------------------------------------------------------


def normal_parameter(**extra) -> Parameter:
    return Parameter(path="firms.hiring_rate", kind="continuous", role="uncertainty", distribution="normal", mean=0.25, sd=0.05, **extra)


def test_distribution_quantiles_match_scipy():
    normal = normal_parameter(bounds=(0.1, 0.4))
    law = stats.truncnorm((0.1 - 0.25) / 0.05, (0.4 - 0.25) / 0.05, loc=0.25, scale=0.05)
    for u in (0.0, 0.1, 0.5, 0.9, 1.0):
        assert to_value(normal, u) == pytest.approx(law.ppf(u), abs=1e-9)
    unbounded = normal_parameter()
    assert to_value(unbounded, 0.0) == pytest.approx(stats.norm(0.25, 0.05).ppf(0.001))
    triangle = Parameter(path="x", kind="continuous", role="uncertainty", distribution="triangular", bounds=(0.0, 4.0), mode=1.0)
    assert to_value(triangle, 1 / 4) == pytest.approx(1.0)  # a quarter of the mass lies below the mode (area of the left triangle: 1 x 0.5 / 2)
    lognormal = Parameter(path="x", kind="continuous", role="uncertainty", distribution="lognormal", median=2.0, sigma=0.5)
    assert to_value(lognormal, 0.5) == pytest.approx(2.0)


def test_an_lhs_sample_of_a_normal_uncertainty_follows_it(tmp_path):
    text = write_experiment(tmp_path, design="lhs", samples=400).read_text()
    text = text.replace("bounds = [0.1, 0.4]", 'distribution = "normal"\nmean = 0.25\nsd = 0.03')
    (tmp_path / "normal.toml").write_text(text)
    experiment, _ = load_experiment(tmp_path / "normal.toml")
    values = design_points(experiment)["firms.hiring_rate"].to_numpy(float)
    assert abs(values.mean() - 0.25) < 0.005 and abs(values.std() - 0.03) < 0.005
    assert stats.kstest(values, stats.norm(0.25, 0.03).cdf).pvalue > 0.05


@settings(max_examples=60, deadline=None)
@given(mean=st.floats(-5, 5), sd=st.floats(0.01, 3), u=st.floats(0, 1), width=st.floats(0.1, 4))
def test_a_truncated_normal_stays_within_its_bounds_and_is_monotone(mean, sd, u, width):
    parameter = Parameter(path="x", kind="continuous", role="uncertainty", distribution="normal", mean=mean, sd=sd, bounds=(mean - width, mean + width / 2))
    value = to_value(parameter, u)
    assert mean - width <= value <= mean + width / 2
    assert to_value(parameter, min(1.0, u + 0.01)) >= value


def test_distribution_fields_refused_directly():
    with pytest.raises(ValueError, match="a lever is set"):
        Parameter(path="x", kind="continuous", role="lever", distribution="normal", mean=1.0, sd=1.0)
    with pytest.raises(ValueError, match="low >= 0"):
        Parameter(path="x", kind="continuous", role="uncertainty", distribution="lognormal", median=1.0, sigma=1.0, bounds=(-1.0, 2.0))
    assert np.isfinite(to_value(normal_parameter(), 1.0))


def test_scenario_error_is_raised_for_a_window_outside_a_varied_horizon(tmp_path):
    path = variant(
        tmp_path,
        'fixed = { end = "2016-06" }',
        "",
        extra='[[parameters]]\npath = "end"\nkind = "categorical"\nvalues = ["2016-06", "2018-12"]\nrole = "uncertainty"\n',
    )
    file = tmp_path / "bad.toml"
    file.write_text(file.read_text().replace('statistic = "mean"', 'statistic = "mean"\nwindow = ["2017-01", "2017-12"]'))
    with pytest.raises(ScenarioError) as caught:
        load_experiment(path)
    assert caught.value.field == "outcomes[2].window" and "end = '2016-06'" in caught.value.allowed


def test_roles_come_from_the_scenario_schema_and_a_disagreeing_role_is_refused(tmp_path, capsys):
    from bottrop_sim.experiments.spec import load_experiment

    root = Path(__file__).resolve().parents[1]
    experiment, _ = load_experiment(root / "experiments" / "governance_sweep.toml")
    roles = {p.path: p.role for p in experiment.parameters}
    assert roles["governance.mode"] == "lever" and roles["governance.alliance.initial_trust"] == "uncertainty"
    text = (root / "experiments" / "governance_sweep.toml").read_text().replace('path = "governance.mode"', 'path = "governance.mode"\nrole = "uncertainty"')
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('base = "../scenarios/', f'base = "{(root / "scenarios").as_posix()}/'))
    assert main(["validate", str(bad)]) == 2
    error = capsys.readouterr().err
    assert "parameters[0].role" in error and "'lever'" in error and "declared once" in error
