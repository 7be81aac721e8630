"""Stand-in pools and short scenarios for the ensemble tests without a browser (tests/test_app_ensemble.py, tests/test_app_replications.py)."""

from __future__ import annotations

from concurrent.futures import Future

from bottrop_sim import load_scenario
from bottrop_sim.app.workers import member_task
from bottrop_sim.scenario.schema import Scenario

from .conftest import SCENARIOS


def here(task) -> Future:
    """Run an ensemble task in this process (a synchronous stand-in for the pool)."""
    future: Future = Future()
    future.set_result(member_task(task))
    return future


class Deferred:
    """A stand-in pool that keeps what it is handed, as (task, future) pairs; the test finishes the futures (or leaves them running)."""

    def __init__(self) -> None:
        self.handed: list[tuple[tuple, Future]] = []

    def __call__(self, task: tuple) -> Future:
        future: Future = Future()
        self.handed.append((task, future))
        return future


def short_scenarios() -> tuple[Scenario, Scenario]:
    """The closure scenario cut to 2015-2019 (the closure inside), and the same with the alliance."""
    base = load_scenario(SCENARIOS / "closure_2018.toml").model_copy(update={"end": "2019-12"})
    alliance = base.model_copy(update={"governance": base.governance.model_copy(update={"mode": "alliance"})})
    return base, alliance
