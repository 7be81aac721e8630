"""The map of which setting wins (experiments/which_setting_wins.py, bottrop_sim.experiments.settings_map).

A tiny Morris design (two parameters, two trajectories, two seeds, horizon to December 2019) run on two
worker processes against no coordination. Checked from separate ``simulate`` calls: for one design point and
seed the four differences (jobs and value added, as levels and as shock-minus-twin gaps) are the alliance's
minus the reference's; the point table's means are the means over the seeds, inside their intervals, and the
verdicts follow the Holm-adjusted p-values; the Morris table has one row per parameter and measure.
"""

from __future__ import annotations

import numpy as np
import pytest

from bottrop_sim import simulate
from bottrop_sim.experiments import settings_map
from bottrop_sim.scenario.fields import with_values
from bottrop_sim.scenario.loading import scenario_from_dict
from tests.conftest import SCENARIOS

EXPERIMENT = f"""
name = "tiny_settings_map"
base = "{(SCENARIOS / "closure_2018_alliance.toml").as_posix()}"
design = "morris"
samples = 2
replications = 2
seed = 7
fixed = {{ end = "2019-12" }}

[[parameters]]
path = "governance.alliance.brokered_price_premium"
kind = "continuous"
bounds = [0.0, 0.15]

[[parameters]]
path = "governance.alliance.labs.hybrid_retail.success_rate"
kind = "continuous"
bounds = [0.3, 0.8]

[[outcomes]]
name = "employment_workplace"
"""


@pytest.fixture(scope="module")
def mapped(tmp_path_factory):
    file = tmp_path_factory.mktemp("settings_map") / "tiny.toml"
    file.write_text(EXPERIMENT, encoding="utf-8")
    experiment, base_data = settings_map.load(file)
    tasks = settings_map.build_tasks(experiment, base_data, references={"none": "closure_2018.toml"})
    runs = settings_map.run_all(tasks, workers=2)
    return experiment, base_data, runs, settings_map.analyse(runs, experiment, tmp_path_factory.mktemp("out"))


def jobs_and_value_added(scenario, seed):
    frame = simulate(scenario, seed=seed).timeseries
    year = frame["date"].str.startswith("2019")
    return float(frame.loc[frame["date"] == "2019-12", "employment_workplace"].iloc[0]), float(frame.loc[year, "value_added_eur"].mean())


def test_the_differences_are_the_alliance_minus_the_reference(mapped):
    experiment, base_data, runs, result = mapped
    points = result["points"]
    point = 3
    row = points.loc[points["point"] == point].iloc[0]
    values = {p.path: row[p.path] for p in experiment.parameters}
    alliance = scenario_from_dict(with_values(base_data, values), experiment.base_file)
    reference = scenario_from_dict(
        with_values(settings_map.reference_data(experiment, {"none": "closure_2018.toml"})["none"][0], {}), SCENARIOS / "closure_2018.toml"
    )
    assert alliance.governance.mode == "alliance" and reference.governance.mode == "none"
    seed = int(runs.loc[(runs["setting"] == "alliance") & (runs["point"] == point) & (runs["replication"] == 1), "seed"].iloc[0])
    a, a_twin = jobs_and_value_added(alliance, seed), jobs_and_value_added(alliance.without_shocks(), seed)
    n, n_twin = jobs_and_value_added(reference, seed), jobs_and_value_added(reference.without_shocks(), seed)
    diffs = settings_map.differences(runs)
    mine = diffs[(diffs["point"] == point) & (diffs["replication"] == 1) & (diffs["reference"] == "none")].iloc[0]
    assert mine["jobs_level"] == pytest.approx(a[0] - n[0])
    assert mine["jobs_gap"] == pytest.approx((a[0] - a_twin[0]) - (n[0] - n_twin[0]))
    assert mine["va_level"] == pytest.approx(a[1] - n[1])
    assert mine["va_gap"] == pytest.approx((a[1] - a_twin[1]) - (n[1] - n_twin[1]))
    both = diffs[(diffs["point"] == point) & (diffs["reference"] == "none")]
    assert row["jobs_gap_vs_none_mean"] == pytest.approx(both["jobs_gap"].mean())
    assert np.ptp(both["jobs_level"]) > 0 or np.ptp(both["va_level"]) > 0, "two seeds gave the same run"


def test_intervals_and_verdicts_are_consistent(mapped):
    _, _, _, result = mapped
    points = result["points"]
    assert len(points) == 2 * (2 + 1)
    for measure in settings_map.MEASURES:
        prefix = f"{measure}_vs_none"
        for suffix in ("mean", "low", "high", "p", "p_holm", "verdict"):
            assert f"{prefix}_{suffix}" in points.columns
        finite = points[f"{prefix}_low"].notna()
        assert (points.loc[finite, f"{prefix}_low"] <= points.loc[finite, f"{prefix}_mean"]).all()
        assert (points.loc[finite, f"{prefix}_mean"] <= points.loc[finite, f"{prefix}_high"]).all()
        assert (points[f"{prefix}_p_holm"] >= points[f"{prefix}_p"] - 1e-12).all()
        clear = points[f"{prefix}_p_holm"] < settings_map.ALPHA
        assert set(points.loc[~clear, f"{prefix}_verdict"]) <= {"unclear"}
        assert (points.loc[clear & (points[f"{prefix}_mean"] > 0), f"{prefix}_verdict"] == "wins").all()
        assert (points.loc[clear & (points[f"{prefix}_mean"] < 0), f"{prefix}_verdict"] == "loses").all()
    counts = result["verdicts"].set_index("measure")
    assert (counts[["wins", "loses", "unclear"]].sum(axis=1) == len(points)).all()


def test_the_morris_table_has_one_row_per_parameter(mapped):
    experiment, _, _, result = mapped
    morris = result["morris"]
    paths = [p.path for p in experiment.parameters]
    for measure, rows in morris.groupby("measure"):
        assert sorted(rows["parameter"]) == sorted(paths), measure
        assert (rows["mu_star"] >= rows["mu"].abs() - 1e-9).all()
    assert set(morris["measure"]) == {f"{m}_vs_none_mean" for m in settings_map.MEASURES}
    assert "## Verdicts" in result["summary"]
