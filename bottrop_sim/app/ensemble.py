"""Ensembles of the two panels: each panel's scenario over common seeds, run in worker processes, summarised as they arrive.

One live run per panel plays month by month in the app (the session's seed);
behind it, every panel's scenario and its counterfactual twin run to the end for
:data:`ENSEMBLE_SIZE` seeds from :func:`bottrop_sim.simulate.replication_seeds`
(the seeds ``bottrop-sim compare`` uses), panel A and B with the same seed in
each replication (common random numbers: the paired difference A − B of one
replication comes from the settings, not from the dice). The runs go to the
server's pool of worker processes (:mod:`bottrop_sim.app.workers`), each run is
:func:`bottrop_sim.compare.run_pair`.

The summaries:

* :meth:`Ensemble.band`: per month the median and the 10-90 % range over the seeds that arrived;
* :meth:`Ensemble.differences`: per indicator the mean paired difference A − B with its
  Student-t interval (:func:`bottrop_sim.statistics.interval`) and a verdict. Indicators with
  a better direction form one family of tests, corrected for multiple comparisons with
  Holm's step-down method (Holm 1979); governance-defined indicators (alliance participation
  and trust, public money spent) and those without a direction (re-orientation) are shown
  but never tested or marked better or worse.

Nothing here imports Solara.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bottrop_sim import statistics
from bottrop_sim.monitoring import REGISTRY
from bottrop_sim.scenario.schema import Scenario
from bottrop_sim.simulate import replication_seeds
from bottrop_sim.statistics import CONFIDENCE, interval

from .replications import RESULTS, RUNNING, InFlight, Member, ResultCache
from .workers import discard_pool, member_task, pool, worker_count

logger = logging.getLogger(__name__)

ENSEMBLE_SIZE = 8
"""Seeds per panel (common to A and B)."""
BAND = (0.10, 0.90)
"""Quantiles of the band drawn around the median line."""
GOVERNANCE_DEFINED = ("alliance_participation", "alliance_trust", "public_money_spent")
"""Indicators that a governance setting defines rather than achieves: shown, never marked better or worse."""
IN_FLIGHT = 2
"""Tasks per worker handed to the pool at a time."""
ALPHA = 1.0 - CONFIDENCE
"""Family-wise error rate of the verdicts (Holm)."""


@dataclass(frozen=True)
class Band:
    """Median and band of one series over the seeds that arrived."""

    years: np.ndarray
    median: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n: int


@dataclass(frozen=True)
class Difference:
    """The paired difference A − B of one indicator over common seeds.

    Attributes:
        name: indicator name.
        mean, low, high: mean difference and its interval (NaN bounds with fewer than two seeds).
        n: seeds with both panels.
        p: two-sided p value of the paired t test (NaN if not tested).
        p_holm: the p value after Holm's correction over the tested indicators (NaN if not tested).
        verdict: "clear" (difference clear after the correction), "unclear", "descriptive"
            (governance-defined or without a direction: not tested), "waiting" (fewer than two seeds) or
            "undefined" (the indicator has no value in these settings, e.g. resilience without a shock).
        better: "A" or "B" for a clear difference in an indicator with a direction, else None.
    """

    name: str
    mean: float
    low: float
    high: float
    n: int
    p: float
    p_holm: float
    verdict: str
    better: str | None


def tested(name: str) -> bool:
    """Whether an indicator's difference gets a verdict: it has a better direction and is not governance-defined."""
    return name not in GOVERNANCE_DEFINED and REGISTRY[name].higher_is_better is not None


paired_p = statistics.paired_p_value
"""Two-sided p value of the paired t test that the mean difference is zero (:func:`bottrop_sim.statistics.paired_p_value`)."""


def holm(p_values: Mapping[str, float]) -> dict[str, float]:
    """Holm's step-down adjusted p values by name (:func:`bottrop_sim.statistics.holm`; NaN stays NaN)."""
    names = list(p_values)
    return dict(zip(names, statistics.holm([p_values[name] for name in names]).tolist(), strict=True))


def paired_differences(a: Sequence[Mapping[str, float]], b: Sequence[Mapping[str, float]], names: Iterable[str]) -> dict[str, Difference]:
    """Differences A − B over paired replications (``a[i]`` and ``b[i]`` share a seed), with intervals, Holm-corrected verdicts.

    Args:
        a: scorecards of panel A, one per replication.
        b: scorecards of panel B, the same replications in the same order.
        names: the indicators to compare.
    """
    names = list(names)
    values = {name: np.array([x.get(name, math.nan) - y.get(name, math.nan) for x, y in zip(a, b, strict=True)], float) for name in names}
    p = {name: paired_p(values[name]) if tested(name) else math.nan for name in names}
    adjusted = holm(p)
    result = {}
    for name in names:
        spread = interval(values[name])
        if not tested(name):
            verdict, better = "descriptive", None
        elif len(a) < 2:
            verdict, better = "waiting", None
        elif spread.n < 2:  # not defined in these settings (e.g. resilience without a shock)
            verdict, better = "undefined", None
        elif adjusted[name] < ALPHA:
            verdict = "clear"
            better = "A" if (spread.mean > 0) == bool(REGISTRY[name].higher_is_better) else "B"
        else:
            verdict, better = "unclear", None
        result[name] = Difference(name, spread.mean, spread.low, spread.high, spread.n, p[name], adjusted[name], verdict, better)
    return result


def years_of(dates: pd.Series) -> np.ndarray:
    """'YYYY-MM' dates as fractional years (2018-12 -> 2018.917)."""
    text = dates.astype(str)
    return text.str.slice(0, 4).astype(int).to_numpy() + (text.str.slice(5, 7).astype(int).to_numpy() - 1) / 12.0


def band_of(frames: Sequence[pd.DataFrame], column: str) -> Band | None:
    """Median and 10-90 % band of ``column`` over runs of the same months (None without runs)."""
    frames = [f for f in frames if f is not None and not f.empty and column in f.columns]
    if not frames:
        return None
    stacked = np.vstack([f[column].to_numpy(float) for f in frames])
    # without gaps np.quantile gives nanquantile's numbers in one vectorised pass (nanquantile loops over the months in Python)
    quantile = np.nanquantile if np.isnan(stacked).any() else np.quantile
    low, median, high = quantile(stacked, [BAND[0], 0.5, BAND[1]], axis=0)
    return Band(years_of(frames[0]["date"]), median, low, high, len(frames))


class Ensemble:
    """The replications of both panels (and of variants of them, see :mod:`bottrop_sim.app.why`), arriving from the pool.

    Args:
        scenarios: panel -> its validated scenario.
        base_seed: the session's seed; replication seeds derive from it.
        size: seeds per panel.
        on_arrival: called (from a pool thread) after each finished replication.
        submit: schedule a task (default: the server's pool); tests pass a synchronous stand-in.
        cache: finished replications to take instead of running them again, and to keep new ones in
            (default: the server's :data:`RESULTS` with the server's pool, none with another ``submit``).
        running: replications under way to wait for instead of starting them again (default: the server's
            :data:`RUNNING` with the server's pool, one of the ensemble's own with another ``submit``).
    """

    def __init__(
        self,
        scenarios: Mapping[str, Scenario],
        base_seed: int,
        size: int = ENSEMBLE_SIZE,
        on_arrival: Callable[[], None] | None = None,
        submit: Callable[[tuple], Future] | None = None,
        cache: ResultCache | None = None,
        running: InFlight | None = None,
    ) -> None:
        self.scenarios = dict(scenarios)
        self._cache = cache if cache is not None else (RESULTS if submit is None else None)
        self._running = running if running is not None else (RUNNING if submit is None else InFlight())
        self.base_seed = int(base_seed)
        self.seeds = replication_seeds(self.base_seed, size)
        self.on_arrival = on_arrival
        self._submit = submit or (lambda task: pool().submit(member_task, task))
        self._lock = threading.Lock()
        self._members: dict[tuple[str, str, int], Member] = {}
        self._bands: dict[tuple[str, str, bool], tuple[int, Band | None]] = {}  # (panel, column, twin) -> (seeds it holds, band)
        self._failed: dict[str, int] = {}
        self._queue: deque[tuple] = deque()
        self._in_flight = 0
        self._expected: dict[str, int] = {}
        self._panels: dict[str, set[str]] = {}
        self.cancelled = False
        self.add_variant("", self.scenarios)

    # ---------------------------------------------------------------- running
    def add_variant(self, variant: str, scenarios: Mapping[str, Scenario]) -> None:
        """Run ``scenarios`` (panel -> scenario) over the ensemble's seeds under the name ``variant`` ("" is the panels themselves)."""
        self.add_variants({variant: scenarios})

    def add_variants(self, variants: Mapping[str, Mapping[str, Scenario]]) -> None:
        """Run several variants (name -> panel -> scenario), seed by seed: the first seed of every variant first.

        The pool works through the tasks in order, so whole replications finish
        early and a view that needs all variants of a seed can show it soon.
        """
        tasks = [
            (panel, variant, r, scenario, seed)
            for r, seed in enumerate(self.seeds)
            for variant, scenarios in variants.items()
            for panel, scenario in scenarios.items()
        ]
        with self._lock:
            for variant, scenarios in variants.items():
                self._expected[variant] = self._expected.get(variant, 0) + len(scenarios) * len(self.seeds)
                self._panels[variant] = self._panels.get(variant, set()) | set(scenarios)
        cached = {}
        if self._cache is not None:  # replications computed before arrive at once
            for task in tasks:
                member = self._cache.get(task[3], task[4])
                if member is not None:
                    cached[task[:3]] = member
        with self._lock:
            self._members.update(cached)
        adopted = []
        for task in tasks:  # replications under way (for a replaced ensemble, or this one's other panel) are waited for, not run again
            if task[:3] not in cached and (future := self._running.join(task[3], task[4], self)) is not None:
                adopted.append((task, future))
        with self._lock:
            self._in_flight += len(adopted)
            joined = {task[:3] for task, _ in adopted}
            self._queue.extend(task for task in tasks if task[:3] not in cached and task[:3] not in joined)
        for task, future in adopted:
            future.add_done_callback(lambda done, task=task: self._arrived(done, task))
        if cached and self.on_arrival is not None:
            self.on_arrival()
        self._pump()

    def _pump(self) -> None:
        """Hand queued tasks to the pool, at most :data:`IN_FLIGHT` per worker at a time (the rest wait here, where cancelling is free)."""
        while True:
            with self._lock:
                if self.cancelled or not self._queue or self._in_flight >= IN_FLIGHT * worker_count():
                    return
                task = self._queue.popleft()
                self._in_flight += 1
            if not self._hand_over(task):
                return
            if self.cancelled:  # cancelled while this task was handed over: its run stops too, unless another ensemble waits for it
                self._running.leave(self)

    def _hand_over(self, task: tuple) -> bool:
        """Submit ``task`` (its result arrives in :meth:`_arrived`); if the pool cannot take it, try once more with a fresh pool, else count it and the queue as failed.

        Before it submits, it asks whether the replication is under way (then waits
        for that run) and then whether it finished meanwhile (it was not cached when
        the task was queued): a run that finished between those looks is in the
        cache, since runs enter the cache before they leave the runs under way
        (:meth:`InFlight.start`). The pool cannot take a task when its worker
        processes or their forkserver are gone (the server is stopping, or they
        were killed); this is logged as a warning and shown as failed runs, never
        as a traceback. Returns whether the task was handed over (or found).
        """

        def arrived(done: Future) -> None:
            self._arrived(done, task)

        for attempt in range(2):
            if (future := self._running.join(task[3], task[4], self)) is not None:  # started meanwhile by another ensemble
                future.add_done_callback(arrived)
                return True
            if self._cache is not None and (member := self._cache.get(task[3], task[4], counted=False)) is not None:
                found: Future = Future()  # finished meanwhile (by another ensemble): it arrives as if from the pool
                found.set_result((*task[:3], member.seed, member.scores, member.run, member.twin))
                arrived(found)
                return True
            try:
                self._running.start(task[3], task[4], self, lambda flag: self._submit((*task, flag)), arrived)
                return True
            except (BrokenProcessPool, OSError, RuntimeError) as error:
                if attempt == 0:
                    discard_pool()
                    continue
                with self._lock:
                    self._in_flight -= 1
                    lost = [task, *self._queue]
                    self._queue.clear()
                    for each in lost:
                        self._failed[each[1]] = self._failed.get(each[1], 0) + 1
                logger.warning("workshop app: %d ensemble runs not started: the worker processes cannot start (%s)", len(lost), error)
        if self.on_arrival is not None:
            self.on_arrival()
        return False

    def _arrived(self, future: Future, task: tuple) -> None:
        with self._lock:
            self._in_flight -= 1
        if self.cancelled:  # stopped in its worker (RunStoppedError); one that finished first is kept: the next ensemble may ask for it
            if self._cache is not None and not future.cancelled() and future.exception() is None:
                self._cache.put(task[3], task[4], Member(*future.result()[3:]))
            return
        self._pump()
        panel, variant, replication = task[:3]  # this ensemble's: a run waited for may have been started for another task
        try:
            _, _, _, seed, scores, run, twin = future.result()
        except BrokenProcessPool:  # the workers were stopped (the server shuts down) or one died: counted, the pool is rebuilt on next use
            logger.warning("workshop app: ensemble run %s lost: the worker processes stopped", task[:3])
            with self._lock:
                self._failed[task[1]] = self._failed.get(task[1], 0) + 1
        except Exception:  # a failed run is counted and logged, never shown as a result
            logger.exception("workshop app: ensemble run %s failed", task[:3])
            with self._lock:
                self._failed[task[1]] = self._failed.get(task[1], 0) + 1
        else:
            member = Member(seed, scores, run, twin)  # the fields in the order member_task returns them
            with self._lock:
                self._members[(panel, variant, replication)] = member
            if self._cache is not None:
                self._cache.put(task[3], task[4], member)
        if self.on_arrival is not None:
            self.on_arrival()

    def serves(self, scenarios: Mapping[str, Scenario] | None, base_seed: int) -> bool:
        """Whether this ensemble, not cancelled, is the one of these panels' scenarios and base seed."""
        return not self.cancelled and self.scenarios == scenarios and self.base_seed == base_seed

    def cancel(self) -> None:
        """Drop the runs still queued here and stop those in the workers at their next month (the settings changed).

        A run under way that another ensemble waits for (the successor of this
        one, created before this is called, or another session) goes on for it.
        Before, the few runs handed to the pool ran to their end: with the ensemble
        that opens the page replaced by the one of the typed seed, up to four pairs
        (about a third of a play's computing) kept both workers from the new runs.
        """
        with self._lock:
            self.cancelled = True
            self._queue.clear()
        self._running.leave(self)  # runs another ensemble waits for go on

    # ---------------------------------------------------------------- reading
    def members(self, panel: str, variant: str = "") -> dict[int, Member]:
        """Finished replications of a panel (or its variant) by replication index."""
        with self._lock:
            return {r: m for (p, v, r), m in self._members.items() if p == panel and v == variant}

    def expects(self, panel: str, variant: str = "") -> bool:
        """Whether runs of ``variant`` were asked for in ``panel``."""
        with self._lock:
            return panel in self._panels.get(variant, set())

    def variants(self) -> list[str]:
        """Names of the variants asked for (besides the panels themselves, "")."""
        with self._lock:
            return [v for v in self._expected if v]

    def failed(self, variant: str = "") -> int:
        """Runs of a variant that failed (logged on the server)."""
        with self._lock:
            return self._failed.get(variant, 0)

    def progress(self, variant: str = "") -> tuple[int, int]:
        """(finished or failed runs, runs in all) of a variant."""
        with self._lock:
            done = sum(1 for (_, v, _) in self._members if v == variant) + self._failed.get(variant, 0)
            return done, self._expected.get(variant, 0)

    @property
    def complete(self) -> bool:
        """Whether every run of the panels themselves has arrived."""
        done, total = self.progress()
        return done >= total

    def band(self, panel: str, column: str, twin: bool = False) -> Band | None:
        """Median and band of a series of one panel (or its twin) over the arrived seeds.

        Kept until the next seed of the panel arrives (members are only ever added), so the
        chart's redraws while the live run plays do not compute the same quantiles again.
        """
        members = self.members(panel)
        key = (panel, column, twin)
        with self._lock:
            kept = self._bands.get(key)
        if kept is not None and kept[0] == len(members):
            return kept[1]
        band = band_of([m.twin if twin else m.run for m in members.values()], column)
        with self._lock:
            self._bands[key] = (len(members), band)
        return band

    def paired(self, variant_a: tuple[str, str] = ("A", ""), variant_b: tuple[str, str] = ("B", "")) -> tuple[list[dict], list[dict], list[int]]:
        """Scorecards of two runs over the replications both have: (first, second, replication indices)."""
        first, second = self.members(*variant_a), self.members(*variant_b)
        common = sorted(set(first) & set(second))
        return [first[r].scores for r in common], [second[r].scores for r in common], common

    def differences(self, names: Iterable[str]) -> dict[str, Difference]:
        """A − B of each indicator over the replications both panels have finished (see :func:`paired_differences`)."""
        a, b, _ = self.paired()
        return paired_differences(a, b, names)

    def levels(self, panel: str, name: str) -> float:
        """Mean of an indicator over the finished replications of a panel (NaN before any)."""
        values = [m.scores.get(name, math.nan) for m in self.members(panel).values()]
        return interval(values).mean
