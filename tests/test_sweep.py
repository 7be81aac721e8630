"""Batch sweeps: designs and seeds, identical results on every backend, crash safety, failures."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from bottrop_sim import ScenarioError
from bottrop_sim.cli import main
from bottrop_sim.experiments import open_results
from bottrop_sim.experiments.designs import design_points, seeds
from bottrop_sim.experiments.runner import FAULT_VARIABLE, sweep
from bottrop_sim.experiments.spec import Parameter, load_experiment
from bottrop_sim.simulate import replication_seeds as shared_seeds
from tests.conftest import ROOT
from tests.sweep_helpers import BIN, DaskCluster, write_experiment

STORED = ["run_id", "point", "replication", "seed", "param_hash", "employment", "resistance", "unemployment_rate_mean"]
pytestmark = pytest.mark.timeout(600)


def stored(folder) -> pd.DataFrame:
    """The results that must not depend on how the sweep ran."""
    results = open_results(folder)
    return results.outcomes[STORED].sort_values("run_id").reset_index(drop=True)


# --- designs and seeds -------------------------------------------------------------------


@pytest.mark.parametrize(("design", "samples", "expected"), [("grid", 4, 3 * 2 * 2), ("lhs", 7, 7), ("sobol", 8, 8 * (3 + 2)), ("morris", 3, 3 * (3 + 1))])
def test_design_sizes_bounds_and_types(tmp_path, design, samples, expected):
    experiment, _ = load_experiment(write_experiment(tmp_path, design=design, samples=samples))
    points = design_points(experiment)
    assert len(points) == expected
    assert list(points["point"]) == list(range(expected))
    assert set(points["governance.mode"]) <= {"none", "alliance", "city_led"}
    assert all(isinstance(v, int) and 20 <= v <= 80 for v in points["governance.alliance.founding_members"])
    assert points["firms.hiring_rate"].between(0.1, 0.4).all()
    if design == "grid":
        assert set(points["firms.hiring_rate"]) == {0.1, 0.4}
    if design in ("lhs", "sobol"):
        assert points["firms.hiring_rate"].nunique() > 2


def test_designs_are_reproducible_from_the_seed(tmp_path):
    experiment, _ = load_experiment(write_experiment(tmp_path, design="lhs", samples=5))
    pd.testing.assert_frame_equal(design_points(experiment), design_points(experiment))
    other = experiment.model_copy(update={"seed": 6})
    assert not design_points(experiment).equals(design_points(other))


def test_seeds_derive_from_one_seed_sequence(tmp_path):
    experiment, _ = load_experiment(write_experiment(tmp_path, replications=3))
    _, replication_seeds = seeds(experiment)
    assert replication_seeds == shared_seeds(5, 4)[1:]  # the first child seeds the sampler
    assert len(set(replication_seeds)) == 3


def test_replications_share_seeds_across_design_points(tmp_path):
    out = tmp_path / "out"
    sweep(write_experiment(tmp_path, replications=2), out, workers=1)
    runs = open_results(out).runs
    by_replication = runs.groupby("replication")["seed"].nunique()
    assert (by_replication == 1).all()  # common random numbers
    assert runs.groupby("point")["seed"].nunique().eq(2).all()


# --- the same results on every backend ------------------------------------------------------


@pytest.fixture(scope="module")
def sequential(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sequential")
    experiment = write_experiment(folder)
    sweep(experiment, folder / "out", workers=1)
    return experiment, stored(folder / "out")


def test_sequential_store_is_complete(sequential):
    _, frame = sequential
    assert len(frame) == 12 * 2 and frame["run_id"].is_unique
    assert np.isfinite(frame[["employment", "resistance", "unemployment_rate_mean"]].to_numpy()).all()


def test_two_processes_give_identical_results(sequential, tmp_path):
    experiment, reference = sequential
    sweep(experiment, tmp_path / "out", workers=2)
    pd.testing.assert_frame_equal(stored(tmp_path / "out"), reference)


def test_dask_local_cluster_gives_identical_results(sequential, tmp_path):
    experiment, reference = sequential
    sweep(experiment, tmp_path / "out", workers=2, backend="dask")
    pd.testing.assert_frame_equal(stored(tmp_path / "out"), reference)


def test_dask_scheduler_and_workers_as_processes_give_identical_results(sequential, tmp_path):
    experiment, reference = sequential
    cluster = DaskCluster(workers=2)
    try:
        code = main(["sweep", str(experiment), "--out", str(tmp_path / "out"), "--scheduler", cluster.address, "--quiet"])
    finally:
        cluster.close()
    assert code == 0
    pd.testing.assert_frame_equal(stored(tmp_path / "out"), reference)


# --- crash safety, failures, interruption ---------------------------------------------------


def _as_from_a_terminal() -> None:
    """In the sweep's process before it starts: Ctrl-C does what it does in a terminal.

    A test run started in the background by a shell without job control (``pytest &``,
    ``nohup``) has SIGINT ignored, and ignored signals stay ignored in every child:
    the sweep would never see the interrupt the Ctrl-C test sends.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_sweep(experiment, out, *extra, env=None) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "bottrop-sim"), "sweep", str(experiment), "--out", str(out), "--quiet", *extra],
        env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=_as_from_a_terminal,
    )  # fmt: skip


def wait_for_batches(out, count: int, process: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while len(list((out / "batches").glob("manifest-*.parquet"))) < count if (out / "batches").is_dir() else True:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the sweep committed no batch in time"
        time.sleep(0.05)


def test_sigkill_at_any_moment_loses_and_duplicates_nothing(sequential, tmp_path):
    _, reference = sequential
    experiment_file = write_experiment(tmp_path, batch_size=1, replications=2)  # same runs, a batch per run
    out = tmp_path / "out"
    for kill_after in (1, 5, 11):
        process = start_sweep(experiment_file, out, "--workers", "2")
        wait_for_batches(out, kill_after, process)
        partial = open_results(out)  # readable while the sweep runs
        assert partial.outcomes["run_id"].is_unique
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert main(["sweep", str(experiment_file), "--out", str(out), "--workers", "2", "--quiet"]) == 0
    manifests = pd.concat(pd.read_parquet(f) for f in (out / "batches").glob("manifest-*.parquet"))
    assert manifests["run_id"].is_unique  # no run was done twice
    pd.testing.assert_frame_equal(stored(out), reference)


def test_a_killed_dask_worker_has_its_runs_run_again(sequential, tmp_path):
    experiment, reference = sequential
    out = tmp_path / "out"
    cluster = DaskCluster(workers=2)
    try:
        process = start_sweep(experiment, out, "--scheduler", cluster.address)
        wait_for_batches(out, 1, process)
        cluster.workers[0].kill()  # a worker dies mid-sweep
        cluster.workers.append(cluster._worker())
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    finally:
        cluster.close()
    pd.testing.assert_frame_equal(stored(out), reference)


def test_failing_runs_are_isolated_and_retried_on_request(sequential, tmp_path):
    experiment, reference = sequential
    out = tmp_path / "out"
    failing = "p000001-r0000,p000004-r0001"
    os.environ[FAULT_VARIABLE] = failing
    try:
        report = sweep(experiment, out, workers=2)
    finally:
        del os.environ[FAULT_VARIABLE]
    assert report.failed == 2 and report.finished == 24
    runs = open_results(out).runs.set_index("run_id")
    assert set(runs.index[runs["status"] == "failed"]) == set(failing.split(","))
    assert runs.loc["p000001-r0000", "error"].startswith("RuntimeError: injected failure")
    assert len(open_results(out).outcomes) == 22
    again = sweep(experiment, out, workers=2)
    assert again.finished == 0 and again.skipped == 24  # failed runs stay failed unless asked
    retried = sweep(experiment, out, workers=2, retry_failed=True)
    assert retried.finished == 2 and retried.failed == 0
    pd.testing.assert_frame_equal(stored(out), reference)


def test_ctrl_c_stops_cleanly_and_keeps_finished_runs(sequential, tmp_path):
    experiment, reference = sequential
    out = tmp_path / "out"
    process = start_sweep(experiment, out, "--workers", "1")
    wait_for_batches(out, 1, process)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "resume" in err and "Traceback" not in err
    kept = len(open_results(out).outcomes)
    assert kept >= 3
    assert main(["sweep", str(experiment), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    pd.testing.assert_frame_equal(stored(out), reference)


def test_results_load_in_pandas_and_duckdb(sequential, tmp_path):
    experiment_file, _ = sequential
    sweep(experiment_file, tmp_path / "out", workers=1)
    results = open_results(tmp_path / "out")
    assert {"governance.mode", "employment"} <= set(results.outcomes.columns)
    means = results.duckdb().sql('select "governance.mode" as mode, avg(employment) as jobs from outcomes group by 1 order by 1').df()
    assert list(means["mode"]) == ["alliance", "city_led", "none"]
    assert len(results.series) == 24 * 18 and set(results.series.columns) >= {"run_id", "date", "employment_workplace"}
    record = json.loads((tmp_path / "out" / "experiment.json").read_text())
    assert record["runs"] == 24 and "versions" in record and "git_revision" in record


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ("bogus = 1", "bogus"),
        ('design = "random"', "design"),
    ],
)
def test_bad_experiment_fields_are_refused(tmp_path, extra, field):
    text = write_experiment(tmp_path).read_text()
    text = text.replace('design = "grid"', extra) if extra.startswith("design") else text.replace("seed = 5", f"seed = 5\n{extra}")
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_experiment(path)
    assert caught.value.field == field and str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("bounds = [20, 80]", "bounds = [80, 20]", "parameters[1].bounds"),
        ('values = ["none", "alliance", "city_led"]', 'values = ["none", "anarchy"]', "parameters[0]"),
        ('path = "firms.hiring_rate"', 'path = "firms.hireing_rate"', "parameters[2]"),
        ('name = "employment"', 'name = "happiness"', "outcomes[0].name"),
    ],
)
def test_bad_parameters_and_outcomes_are_refused_before_anything_runs(tmp_path, old, new, field, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(write_experiment(tmp_path).read_text().replace(old, new))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert field in err and "bad.toml" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_folder_of_another_experiment_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    sweep(write_experiment(tmp_path, replications=1), out, workers=1)
    before = sorted(p.name for p in out.rglob("*"))
    assert main(["sweep", str(write_experiment(tmp_path, replications=1, end="2016-03")), "--out", str(out)]) == 2
    assert "other settings" in capsys.readouterr().err
    assert sorted(p.name for p in out.rglob("*")) == before


def test_shipped_experiments_are_valid():
    from bottrop_sim.experiments.calibration import is_calibration_file

    for file in sorted((ROOT / "experiments").glob("*.toml")):
        assert file.read_text().startswith("# Question:")
        if is_calibration_file(file):  # checked in tests/test_calibration_fit.py
            continue
        experiment, _ = load_experiment(file)
        assert len(design_points(experiment)) > 0


def test_sweep_command_runs_in_a_subprocess(tmp_path):
    done = subprocess.run([sys.executable, "-m", "bottrop_sim.cli", "sweep", str(write_experiment(tmp_path, replications=1)), "--out", str(tmp_path / "o"), "--workers", "1"],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "12 runs" in done.stdout


def test_duckdb_works_without_kept_series_and_before_any_result(tmp_path):
    text = write_experiment(tmp_path, replications=1).read_text().replace('keep_series = ["employment_workplace"]\n', "")
    experiment = tmp_path / "noseries.toml"
    experiment.write_text(text)
    out = tmp_path / "out"
    os.environ[FAULT_VARIABLE] = ",".join(f"p{p:06d}-r0000" for p in range(12))  # every run fails: nothing stored
    try:
        sweep(experiment, out, workers=1)
    finally:
        del os.environ[FAULT_VARIABLE]
    connection = open_results(out).duckdb()
    assert connection.sql("select count(*) from outcomes").fetchall()[0][0] == 0
    assert connection.sql("select count(*) from runs where status = 'failed'").fetchall()[0][0] == 12


def test_analyze_command(tmp_path, capsys):
    experiment = write_experiment(tmp_path, replications=1)
    out = tmp_path / "out"
    os.environ[FAULT_VARIABLE] = "p000000-r0000"
    try:
        sweep(experiment, out, workers=1)
    finally:
        del os.environ[FAULT_VARIABLE]
    assert main(["analyze", str(out)]) == 2  # one point has no finished run
    assert "incomplete" in capsys.readouterr().err
    assert main(["analyze", str(out), "--allow-incomplete"]) == 0
    sweep(experiment, out, workers=1, retry_failed=True)
    assert main(["analyze", str(out), "--out", str(tmp_path / "analysis")]) == 0
    assert (tmp_path / "analysis" / "summary_by_lever.csv").is_file()
    assert (tmp_path / "analysis" / "ema_results.tar.gz").is_file()


@pytest.mark.parametrize("text", ['say "hi"', "back\\slash", "two\nlines", "tab\tand ümlaut", "emoji 😀"])
def test_categorical_text_values_travel_unchanged_as_path_value_pairs_and_through_the_toml_writer(text):
    import tomllib

    from bottrop_sim.experiments.spec import parameter_values
    from bottrop_sim.files import toml_text
    from bottrop_sim.scenario.fields import with_values

    parameter = Parameter(path="description", kind="categorical", values=[text])
    values = parameter_values([parameter], {"description": np.str_(text)})
    assert values == {"description": text} and type(values["description"]) is str
    assert with_values({"name": "x"}, values)["description"] == text
    assert tomllib.loads(toml_text({"description": text}))["description"] == text
