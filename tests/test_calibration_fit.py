"""``bottrop-sim calibrate``: fitted on one period, checked on another; recovers a known value; refuses bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bottrop_sim import load_scenario, simulate
from bottrop_sim.cli import main
from bottrop_sim.experiments.calibration import calibrate, load_calibration, target_role
from tests.conftest import SCENARIOS

TRUE_START_RATE = 0.075


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A calibration whose targets the model itself made with a known start rate of unemployment."""
    folder = tmp_path_factory.mktemp("calibration")
    base = folder / "base.toml"
    base.write_text(f'extends = "{(SCENARIOS / "no_closure.toml").as_posix()}"\nname = "short"\nend = "2016-12"\n', encoding="utf-8")
    truth = simulate(load_scenario(base, [f"labour.unemployment_rate_start={TRUE_START_RATE}"]), seed=99).timeseries
    annual = truth.assign(year=truth["date"].str[:4]).groupby("year")["unemployment_rate"].mean()
    spec = folder / "fit.toml"
    spec.write_text(
        f"""name = "synthetic"
base = "base.toml"
samples = 16
replications = 1
accept_share = 0.25
seed = 5
fit_period = ["2015-01", "2015-12"]

[[parameters]]
path = "labour.unemployment_rate_start"
bounds = [0.04, 0.10]

[[targets]]
column = "unemployment_rate"
period = "2015"
value = {float(annual["2015"])!r}
tolerance = 0.002
source = "the model itself, start rate {TRUE_START_RATE}"

[[targets]]
column = "unemployment_rate"
period = "2016-06"
value = {float(truth.set_index("date").loc["2016-06", "unemployment_rate"])!r}
tolerance = 0.002
source = "the model itself, held out"
""",
        encoding="utf-8",
    )
    return spec


def test_abc_recovers_the_value_that_made_the_targets(synthetic):
    result = calibrate(synthetic, workers=1)
    posterior = result.summary["parameters"]["labour.unemployment_rate_start"]
    assert posterior["p05"] - 0.004 <= TRUE_START_RATE <= posterior["p95"] + 0.004
    assert abs(posterior["median"] - TRUE_START_RATE) < 0.006  # prior range 0.04-0.10: the fit narrows it to about a tenth
    assert result.samples["accepted"].sum() == 4
    accepted = result.samples[result.samples["accepted"]]
    assert accepted["distance"].max() <= result.samples.loc[~result.samples["accepted"], "distance"].min()
    roles = dict(zip(result.fit["period"], result.fit["role"], strict=True))
    assert roles == {"2015": "fit", "2016-06": "validation"}
    assert result.summary["fit_targets"] == 1 and result.summary["validation_targets"] == 1
    assert result.calibrated["labour"]["unemployment_rate_start"] == pytest.approx(posterior["median"])


def test_two_worker_processes_give_the_same_fit_as_one(synthetic):
    """The default pool (the sweeps' worker processes) is used for more than one worker; the fit does not depend on it."""
    alone, pooled = calibrate(synthetic, workers=1), calibrate(synthetic, workers=2)
    pd.testing.assert_frame_equal(alone.samples, pooled.samples)


def test_the_command_writes_the_fit_and_a_calibrated_scenario(synthetic, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["calibrate", str(synthetic), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    fit = pd.read_csv(out / "fit.csv")
    assert set(fit["role"]) == {"fit", "validation"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["provenance"]["seeds"] and "git_revision" in summary["provenance"]
    calibrated = load_scenario(out / "synthetic_calibrated.toml")  # a complete scenario file that loads
    assert calibrated.labour.unemployment_rate_start == pytest.approx(summary["parameters"]["labour.unemployment_rate_start"]["median"])


def test_a_target_is_fitted_only_if_its_whole_period_lies_in_the_fit_period(synthetic):
    spec, _, _ = load_calibration(synthetic)
    year, month = spec.targets
    assert target_role(year, ("2015-01", "2015-12")) == "fit"
    assert target_role(year, ("2015-02", "2015-12")) == "validation"
    assert target_role(month, ("2016-06", "2016-06")) == "fit"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("bounds = [0.04, 0.10]", "bounds = [0.10, 0.04]"), "parameters[0].bounds"),
        (("bounds = [0.04, 0.10]", "bounds = [0.04, 1.5]"), "parameters[0].bounds"),
        (('path = "labour.unemployment_rate_start"', 'path = "labour.no_such_field"'), "parameters[0].path"),
        (('path = "labour.unemployment_rate_start"', 'path = "governance.mode"'), "parameters[0].path"),
        (('period = "2016-06"', 'period = "2019-06"'), "targets[1].period"),
        (('period = "2016-06"', 'period = "2016-13"'), "targets[1].period"),
        (('fit_period = ["2015-01", "2015-12"]', 'fit_period = ["2016-01", "2015-12"]'), "fit_period"),
        (('fit_period = ["2015-01", "2015-12"]', 'fit_period = ["2017-01", "2017-12"]'), "targets"),
        (("samples = 16", 'samples = "16x"'), "samples"),
        (("seed = 5", "seed = 5\nunknown_key = 1"), "unknown_key"),
    ],
)
def test_invalid_calibration_files_are_refused_naming_the_field(synthetic, tmp_path, capsys, change, field):
    bad = tmp_path / "bad.toml"
    bad.write_text(synthetic.read_text().replace(*change).replace('base = "base.toml"', f'base = "{(synthetic.parent / "base.toml").as_posix()}"'))
    out = tmp_path / "out"
    assert main(["calibrate", str(bad), "--out", str(out), "--quiet"]) == 2
    error = capsys.readouterr().err
    assert str(bad) in error and field in error
    assert not out.exists()


def test_the_shipped_calibration_file_is_valid_and_separates_fit_from_validation():
    spec, _, _ = load_calibration(Path(__file__).resolve().parents[1] / "experiments" / "calibrate_history.toml")
    roles = [target_role(t, spec.fit_period) for t in spec.targets]
    assert roles.count("fit") >= 3 and roles.count("validation") >= 5
    fitted_years = {t.period[:4] for t, role in zip(spec.targets, roles, strict=True) if role == "fit"}
    held_out_years = {t.period[:4] for t, role in zip(spec.targets, roles, strict=True) if role == "validation"}
    assert max(fitted_years) < min(held_out_years)  # fitted on earlier years, checked on later ones
