"""Issue 14 without a browser: replications computed once (the cache), runs under way shared between ensembles, runs given up in the workers, workers that outlive no server."""

from __future__ import annotations

from concurrent.futures import Future

import pytest

pytest.importorskip("solara")

from bottrop_sim.app.ensemble import Ensemble, InFlight, Member, ResultCache
from bottrop_sim.app.workers import member_task
from bottrop_sim.compare import run_pair
from bottrop_sim.simulate import RunStoppedError

from .ensemble_pools import Deferred, here, short_scenarios

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def short():
    """The closure scenario cut to 2015-2019 (the closure inside), and the same with the alliance."""
    return short_scenarios()


def test_replications_computed_before_come_from_the_cache_and_equal_a_fresh_run(short):
    base, alliance = short
    cache = ResultCache(size=64)
    submitted: list[tuple] = []

    def counting(task) -> Future:
        submitted.append(task[:3])
        return here(task)

    first = Ensemble({"A": base, "B": alliance}, 11, 2, submit=counting, cache=cache)
    assert first.complete and len(submitted) == 4 and len(cache) == 4
    hybrid = base.model_copy(update={"governance": base.governance.model_copy(update={"mode": "hybrid"})})
    arrivals: list[int] = []
    second = Ensemble({"A": base, "B": hybrid}, 11, 2, submit=counting, cache=cache, on_arrival=lambda: arrivals.append(1))
    assert second.complete and submitted[4:] == [("B", "", 0), ("B", "", 1)]  # only the changed panel runs again
    assert arrivals  # the page is told that the kept replications are there
    for r in range(2):  # the kept replication is the fresh one: a run depends on its scenario and seed alone
        assert second.members("A")[r] is first.members("A")[r]
        scores, run, _ = run_pair(base, second.seeds[r])
        assert second.members("A")[r].scores == scores and second.members("A")[r].run.equals(run)
    third = Ensemble({"A": base, "B": alliance}, 11, 2, submit=counting, cache=cache)
    assert third.complete and len(submitted) == 6  # a lever set back: nothing runs again
    assert third.members("B")[1] is first.members("B")[1]
    other_seed = Ensemble({"A": base}, 12, 1, submit=counting, cache=cache)
    assert other_seed.complete and len(submitted) == 7  # another seed is another run


def test_the_cache_forgets_the_least_recently_used_replication(short):
    base, alliance = short
    cache = ResultCache(size=2)
    members = [Member(seed, {"employment": float(seed)}, None, None) for seed in (1, 2, 3)]
    cache.put(base, 1, members[0])
    cache.put(base, 2, members[1])
    assert cache.get(base, 1) is members[0]  # now the most recently used
    cache.put(base, 3, members[2])
    assert cache.get(base, 2) is None and cache.get(base, 1) is members[0] and cache.get(base, 3) is members[2]
    assert cache.get(alliance, 1) is None  # another scenario, the same seed: not the same run
    assert len(cache) == 2 and cache.hits == 3 and cache.misses == 2


def test_without_a_cache_every_replication_runs(short):
    base, _ = short
    submitted: list[tuple] = []

    def counting(task) -> Future:
        submitted.append(task[:3])
        return here(task)

    Ensemble({"A": base}, 11, 2, submit=counting)
    Ensemble({"A": base}, 11, 2, submit=counting)
    assert len(submitted) == 4  # a stand-in pool gets no cache unless given one


def test_a_run_that_finished_in_its_worker_before_the_replacement_is_kept_for_the_next(short):
    base, _ = short
    cache = ResultCache(size=8)
    later = Deferred()
    pending = later.handed

    old = Ensemble({"A": base}, 11, 1, submit=later, cache=cache)
    task, future = pending[0]
    result = member_task(task)  # done in the worker ...
    old.cancel()  # ... when a lever changed, before its result came back
    future.set_result(result)
    assert old.members("A") == {} and len(cache) == 1  # not shown in the old ensemble, but kept
    new = Ensemble({"A": base}, 11, 1, submit=later, cache=cache)
    assert new.complete and len(pending) == 1  # the next ensemble asked nothing of the pool


def test_a_run_still_in_its_worker_when_the_ensemble_is_replaced_stops_at_its_next_month(short):
    """A replaced ensemble's runs free their worker: the pair is given up at the first month after the cancel, nothing of it kept."""
    import os

    base, _ = short
    cache = ResultCache(size=8)
    later = Deferred()
    pending = later.handed

    old = Ensemble({"A": base}, 11, 2, submit=later, cache=cache)
    assert len(pending) == 2  # both replications handed to the pool
    flag = pending[0][0][-1]
    assert not os.path.exists(flag)
    old.cancel()
    assert os.path.exists(flag)  # what the workers see
    for task, future in pending:
        with pytest.raises(RunStoppedError, match="stopped after 0 of 60 months"):
            member_task(task)
        future.set_exception(RunStoppedError("stopped"))
    assert old.members("A") == {} and len(cache) == 0 and old.failed() == 0  # given up on purpose: neither kept nor counted as failed
    assert not os.path.exists(flag)  # removed once no run of the ensemble is left in a worker
    steps = []

    def counted() -> bool:
        steps.append(1)
        return len(steps) > 3

    with pytest.raises(RunStoppedError, match="stopped after 3 of 60 months"):
        run_pair(base, 11, counted)


def test_runs_under_way_that_the_next_ensemble_needs_go_on_for_it_and_only_the_others_stop(short, monkeypatch):
    """A lever changed in panel B: panel A's runs in the workers go on for the new ensemble; only B's stop (and run again changed)."""
    import os

    monkeypatch.setenv("BOTTROP_SIM_APP_WORKERS", "2")  # four tasks in the pool at a time
    base, alliance = short
    hybrid = base.model_copy(update={"governance": base.governance.model_copy(update={"mode": "hybrid"})})
    cache, running, later = ResultCache(size=16), InFlight(), Deferred()
    old = Ensemble({"A": base, "B": alliance}, 11, 2, submit=later, cache=cache, running=running)
    assert [task[:3] for task, _ in later.handed] == [("A", "", 0), ("B", "", 0), ("A", "", 1), ("B", "", 1)]
    new = Ensemble({"A": base, "B": hybrid}, 11, 2, submit=later, cache=cache, running=running)  # the successor first ...
    old.cancel()  # ... then the old one stops
    assert [task[3] for task, _ in later.handed[4:]] == [hybrid, hybrid]  # new are only the changed panel's runs
    flags = {(task[0], task[3].governance.mode, task[2]): task[-1] for task, _ in later.handed}
    assert not os.path.exists(flags["A", "none", 0]) and not os.path.exists(flags["A", "none", 1])  # A's runs go on
    assert os.path.exists(flags["B", "alliance", 0]) and os.path.exists(flags["B", "alliance", 1])  # the old B's stop at their next month
    assert not any(os.path.exists(flags["B", "hybrid", r]) for r in range(2))
    for task, future in later.handed[:4]:
        if task[0] == "B":
            future.set_exception(RunStoppedError("stopped"))
    for task, future in later.handed:
        if not future.done():
            future.set_result(member_task(task))
    assert len(later.handed) == 6  # nothing ran twice
    assert new.complete and new.failed() == 0 and old.members("A") == {} and len(running) == 0
    for r in range(2):  # what arrived for A is A's run with the new ensemble's seed, nothing else
        scores, run, twin = run_pair(base, new.seeds[r])
        assert new.members("A")[r].scores == scores and new.members("A")[r].run.equals(run) and new.members("A")[r].twin.equals(twin)
    assert not any(os.path.exists(flag) for flag in flags.values())  # the given-up runs' flags are removed


def test_a_run_nobody_waits_for_any_more_is_not_joined_and_runs_afresh(short):
    """Once given up, a run is not waited for: an ensemble that wants it again (a lever set back) starts it anew."""
    base, _ = short
    running, later = InFlight(), Deferred()
    old = Ensemble({"A": base}, 11, 1, submit=later, running=running)
    old.cancel()
    again = Ensemble({"A": base}, 11, 1, submit=later, running=running)
    assert len(later.handed) == 2 and later.handed[0][0][-1] != later.handed[1][0][-1]  # a new run with its own stop flag
    later.handed[0][1].set_exception(RunStoppedError("stopped"))
    assert len(running) == 1  # the given-up run's end leaves the new one registered
    later.handed[1][1].set_result(member_task(later.handed[1][0]))
    assert again.complete and again.failed() == 0 and len(running) == 0


def test_a_run_handed_over_while_its_ensemble_is_cancelled_stops_too(short):
    """The cancel comes from another thread while the pool takes a task: that run gets its stop flag as well."""
    import os

    base, _ = short
    later = Deferred()
    holder: list[Ensemble] = []

    def cancelling(task) -> Future:
        future = later(task)
        if holder:  # the page's settings change just now (another thread in the app)
            holder[0].cancel()
        return future

    ensemble = Ensemble({"A": base}, 11, 1, submit=later)
    holder.append(ensemble)
    ensemble._submit = cancelling
    ensemble.add_variant("late", {"A": base.model_copy(update={"end": "2019-06"})})
    assert ensemble.cancelled and all(os.path.exists(task[-1]) for task, _ in later.handed)


def test_the_same_settings_in_both_panels_run_each_replication_once(short):
    """Both panels alike (the page opens so): one run per seed serves both, and every paired difference is exactly zero."""
    base, _ = short
    later = Deferred()
    ensemble = Ensemble({"A": base, "B": base}, 11, 3, submit=later)
    for task, future in later.handed:
        future.set_result(member_task(task))
    assert [task[:3] for task, _ in later.handed] == [("A", "", 0), ("A", "", 1), ("A", "", 2)] and ensemble.complete
    for r in range(3):
        assert ensemble.members("B")[r].scores == ensemble.members("A")[r].scores and ensemble.members("B")[r].seed == ensemble.seeds[r]
    difference = ensemble.differences(["employment"])["employment"]
    assert difference.mean == 0.0 and difference.n == 3


def test_a_run_that_finishes_between_the_cache_look_and_the_join_is_not_run_again(short):
    """Another ensemble asks the cache (not there yet), the run finishes in its worker, then the ensemble asks the runs under way (gone)."""
    base, _ = short
    later, running = Deferred(), InFlight()

    class Racing(ResultCache):
        """A cache at whose next look the run in the worker finishes (the pool's thread, just then)."""

        finish = None

        def get(self, scenario, seed, *, counted=True):
            member = super().get(scenario, seed, counted=counted)
            if self.finish is not None:
                finish, self.finish = self.finish, None
                finish()
            return member

    cache = Racing(size=8)
    first = Ensemble({"A": base}, 11, 1, submit=later, cache=cache, running=running)
    task, future = later.handed[0]
    result = member_task(task)
    cache.finish = lambda: future.set_result(result)
    second = Ensemble({"A": base}, 11, 1, submit=later, cache=cache, running=running)
    assert len(later.handed) == 1  # found finished in the cache when it was no longer under way: not handed to the pool again
    assert first.complete and second.complete and second.failed() == 0 and len(running) == 0
    found, ran = second.members("A")[0], first.members("A")[0]
    assert found.seed == ran.seed == second.seeds[0] and found.scores == ran.scores and found.run is ran.run and found.twin is ran.twin


def test_a_finished_run_is_in_the_cache_before_it_is_no_longer_under_way(short):
    """The order of the two records of a finished run: never a moment in which an ensemble asking finds it in neither."""
    base, _ = short
    later, running = Deferred(), InFlight()
    under_way_at_put: list[int] = []

    class Watching(ResultCache):
        def put(self, scenario, seed, member):
            under_way_at_put.append(len(running))
            super().put(scenario, seed, member)

    ensemble = Ensemble({"A": base}, 11, 1, submit=later, cache=Watching(size=8), running=running)
    task, future = later.handed[0]
    future.set_result(member_task(task))
    assert under_way_at_put == [1] and len(running) == 0 and ensemble.complete


def test_the_server_pool_gives_up_the_runs_of_a_replaced_ensemble(short, monkeypatch):
    """With real worker processes: the replaced ensemble's runs end given up (RunStoppedError) and the next ensemble's run arrives."""
    import threading

    from bottrop_sim.app import workers as module

    monkeypatch.setenv("BOTTROP_SIM_APP_WORKERS", "1")
    module.discard_pool()
    futures: list[Future] = []

    def submit(task) -> Future:
        future = module.pool().submit(member_task, task)
        futures.append(future)
        return future

    try:
        base, _ = short
        old = Ensemble({"A": base}, 12, 2, submit=submit, cache=ResultCache(size=8))
        old.cancel()  # the seed was typed while the workers started
        assert len(futures) == 2
        assert all(isinstance(future.exception(timeout=300), RunStoppedError) for future in futures)
        arrived = threading.Event()
        new = Ensemble({"A": base}, 13, 1, submit=submit, on_arrival=arrived.set, cache=ResultCache(size=8))
        assert arrived.wait(300) and new.complete and new.failed() == 0
        assert old.members("A") == {} and old.failed() == 0
    finally:
        module.discard_pool()


KILLED_SERVER = """
import os, sys, time
from bottrop_sim.app import workers
pool = workers.pool()
pids = pool.submit(os.getpid).result(timeout=120), pool.submit(os.getpid).result(timeout=120)
print(" ".join(str(p) for p in sorted(set(pids) | set(pool._processes))), flush=True)
time.sleep(600)
"""


def test_the_ensemble_workers_exit_when_the_server_is_killed(tmp_path):
    """A server killed with SIGKILL runs no exit handler; its pool's workers must not wait for tasks for ever."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from bottrop_sim.experiments.pool import process_alive

    server = subprocess.Popen([sys.executable, "-c", KILLED_SERVER], stdout=subprocess.PIPE, text=True, env={**os.environ, "BOTTROP_SIM_APP_WORKERS": "2"})
    try:
        workers = [int(pid) for pid in server.stdout.readline().split()]
        assert len(workers) == 2 and all(process_alive(pid) for pid in workers)
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
    deadline = time.time() + 30
    while any(process_alive(pid) for pid in workers) and time.time() < deadline:
        time.sleep(0.2)
    assert not any(process_alive(pid) for pid in workers), "workers outlived their server"
