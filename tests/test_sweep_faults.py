"""Sweeps under faults: dead workers, a killed main process, memory over many runs, compare's worker deaths."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

import pandas as pd
import pytest

from bottrop_sim.experiments import open_results
from bottrop_sim.experiments.plan import plan_sweep
from bottrop_sim.experiments.pool import WorkerLost, process_alive, run_tasks
from bottrop_sim.experiments.runner import CRASH_VARIABLE, sweep
from tests.sweep_helpers import BIN, always_crash, cmdline, crash_once, descendants, rss_after_run, sweep_workers, write_experiment

STORED = ["run_id", "point", "replication", "seed", "param_hash", "employment", "resistance", "unemployment_rate_mean"]
pytestmark = pytest.mark.timeout(600)


def stored(folder) -> pd.DataFrame:
    return open_results(folder).outcomes[STORED].sort_values("run_id").reset_index(drop=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """A 24-run sweep (2017-06 horizon, a batch per run) run in this process: the results every other way must give."""
    folder = tmp_path_factory.mktemp("reference")
    experiment = write_experiment(folder, batch_size=1, end="2017-06")
    sweep(experiment, folder / "out", workers=1)
    return experiment, stored(folder / "out")


def start_sweep(experiment, out, *extra, env=None) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "bottrop-sim"), "sweep", str(experiment), "--out", str(out), "--quiet", *extra],
        env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


def wait_for(condition, process: subprocess.Popen, timeout: float = 120, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def committed(out) -> int:
    return len(list((out / "batches").glob("manifest-*.parquet"))) if (out / "batches").is_dir() else 0


# --- a worker dies ------------------------------------------------------------------------------


def test_sigkill_of_a_worker_mid_sweep_loses_no_run(reference, tmp_path):
    experiment, expected = reference
    out = tmp_path / "out"
    process = start_sweep(experiment, out, "--workers", "2")
    wait_for(lambda: committed(out) >= 2 and len(sweep_workers(process.pid)) == 2, process, what="two workers and two batches")
    victims = sweep_workers(process.pid)
    os.kill(victims[0], signal.SIGKILL)  # a worker dies while it holds a run
    stdout, stderr = process.communicate(timeout=300)
    assert not process_alive(victims[0])
    assert process.returncode == 0, stderr
    assert "stored 24 of 24 runs, 0 failed, 0 missing" in stdout
    pd.testing.assert_frame_equal(stored(out), expected)


def test_a_run_that_keeps_killing_its_worker_is_failed_with_the_reason_and_retried_on_request(reference, tmp_path):
    experiment, expected = reference
    out = tmp_path / "out"
    process = start_sweep(experiment, out, "--workers", "2", env={CRASH_VARIABLE: "p000003-r0001"})
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 3, stderr  # never a silent exit 0 with a run missing
    assert "stored 23 of 24 runs, 1 failed, 0 missing" in stdout and "--retry-failed" in stdout
    runs = open_results(out).runs.set_index("run_id")
    assert runs.loc["p000003-r0001", "status"] == "failed"
    assert runs.loc["p000003-r0001", "error"] == "WorkerDied: the worker process died (killed by signal SIGKILL) 3 times while running it"
    again = start_sweep(experiment, out, "--workers", "2", "--retry-failed")
    stdout, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr
    assert "stored 24 of 24 runs, 0 failed, 0 missing" in stdout
    pd.testing.assert_frame_equal(stored(out), expected)


def test_the_pool_reruns_the_task_of_a_dead_worker_exactly_once_more(tmp_path):
    markers = {3: tmp_path / "three", 7: tmp_path / "seven"}
    tasks = [(value, str(markers[value]) if value in markers else "") for value in range(12)]
    results = list(run_tasks(crash_once, tasks, 2))
    assert sorted(results) == [value * value for value in range(12)]  # each task once: none lost, none doubled
    assert all(marker.read_text() == "crashed" for marker in markers.values())  # the two workers did die


def test_the_pool_gives_up_on_a_poison_task_and_keeps_the_others():
    results = list(run_tasks(always_crash, list(range(8)), 2, max_attempts=2))
    lost = [r for r in results if isinstance(r, WorkerLost)]
    assert sorted(r for r in results if not isinstance(r, WorkerLost)) == [v * v for v in range(8) if v != 3]
    assert len(lost) == 1 and lost[0].task == 3 and lost[0].attempts == 2
    assert "killed by signal SIGKILL" in lost[0].reason


# --- the main process dies ------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_no_process_of_the_sweep_outlives_its_killed_main_process(tmp_path, sig):
    experiment = write_experiment(tmp_path, replications=4, batch_size=1, end="2017-06")
    out = tmp_path / "out"
    process = start_sweep(experiment, out, "--workers", "2")
    wait_for(lambda: committed(out) >= 1 and len(sweep_workers(process.pid)) == 2, process, what="the workers")
    family = descendants(process.pid)
    names = " | ".join(cmdline(pid) for pid in family)
    assert "forkserver" in names and "resource_tracker" in names and len(family) >= 4  # forkserver, tracker, two workers
    os.kill(process.pid, sig)  # the main process only, not its group
    process.communicate(timeout=20)  # returns only once nothing holds its output pipes any more
    deadline = time.monotonic() + 20
    while any(process_alive(pid) for pid in family) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in family if process_alive(pid)] == []
    assert main_is_resumable(experiment, out)


def main_is_resumable(experiment, out) -> bool:
    report = sweep(experiment, out, workers=2)
    return report.complete and report.missing == 0


# --- memory ---------------------------------------------------------------------------------------------------


def test_memory_of_one_worker_stays_flat_over_150_runs(tmp_path):
    experiment = write_experiment(tmp_path, replications=15, end="2015-06")
    tasks = plan_sweep(experiment, tmp_path / "out").tasks[:160]
    samples = list(run_tasks(rss_after_run, tasks, 1))
    assert len({pid for pid, _ in samples}) == 1  # one worker did every run
    growth = samples[-1][1] - samples[9][1]  # after ten warm-up runs, over the next 150
    assert growth < 40, f"resident memory grew by {growth:.1f} MiB over 150 runs"


def test_mesa_no_longer_keeps_every_model_alive():
    import gc

    import mesa

    from bottrop_sim.model import BottropModel
    from bottrop_sim.scenario.loading import load_scenario
    from bottrop_sim.simulate import simulate

    def models_alive() -> int:
        gc.collect()
        return sum(isinstance(o, BottropModel) for o in gc.get_objects())

    scenario = load_scenario(os.path.join(os.path.dirname(__file__), "..", "scenarios", "closure_2018.toml"), ['end="2015-03"'])
    counters, alive = len(mesa.Agent._ids), models_alive()
    for seed in range(3):
        simulate(scenario, seed=seed)
    assert len(mesa.Agent._ids) == counters and models_alive() == alive  # three runs later, no model is left behind
    kept = simulate(scenario, seed=1, keep_model=True).model
    assert kept in mesa.Agent._ids  # a kept model may still get agents: its counter stays


# --- compare ----------------------------------------------------------------------------------------------------


def test_compare_survives_a_killed_worker_with_the_same_numbers():
    from bottrop_sim.compare import compare
    from bottrop_sim.scenario.loading import load_scenario

    root = os.path.join(os.path.dirname(__file__), "..", "scenarios")
    scenarios = [load_scenario(os.path.join(root, name), ['end="2016-06"']) for name in ("closure_2018.toml", "closure_2018_alliance.toml")]
    expected = compare(scenarios, replications=3, seed=7, workers=1).indicators
    killed = []

    def kill_a_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            workers = sweep_workers(os.getpid())
            if workers:
                time.sleep(0.3)  # let it take a run
                os.kill(workers[0], signal.SIGKILL)
                killed.append(workers[0])
            time.sleep(0.02)

    thread = threading.Thread(target=kill_a_worker)
    thread.start()
    result = compare(scenarios, replications=3, seed=7, workers=2)
    thread.join()
    assert killed, "no worker was killed"
    pd.testing.assert_frame_equal(result.indicators, expected)
