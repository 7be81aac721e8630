"""Replications of the workshop's ensembles: those finished (a cache) and those under way in the workers (one run, however many wait for it).

A run is a pure function of its scenario and seed (keyed streams, no other
input). So a replication computed once serves every ensemble that asks for it
(:class:`ResultCache`), and a replication still in a worker serves every
ensemble that asks for it meanwhile (:class:`InFlight`): when a lever changes
in panel B, the runs of panel A under way for the replaced ensemble go on for
the new one instead of being given up and started again; with the same settings
in both panels, each replication runs once. A run that no ensemble waits for any
more is given up at its next month (its stop flag, :func:`bottrop_sim.app.workers.stop_flag`).

Nothing here imports Solara.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass, field

import pandas as pd

from bottrop_sim.scenario.schema import Scenario

from .workers import stop_flag


@dataclass(frozen=True)
class Member:
    """One finished replication of one panel (or of one of its variants)."""

    seed: int
    scores: dict[str, float]
    run: pd.DataFrame
    twin: pd.DataFrame


CACHE_SIZE = 256
"""Finished replications kept by :data:`RESULTS` (each about 0.1 MB: a run's and its twin's monthly series)."""


class ResultCache:
    """Finished replications by (scenario, seed), least recently used out first; thread-safe.

    A run is a pure function of its scenario and seed (keyed streams, no other
    input), so a replication once computed is the same whenever it is asked for
    again: the other panel's seeds after a lever change in one panel, a lever set
    back, a "Why?" variant that equals a panel, another session with the same
    settings. The key is the scenario's whole content (its JSON dump: every field,
    name and description included, so nothing that could change a run is left out)
    and the seed. The cached series are shared between ensembles: read them, never
    change them in place.

    Args:
        size: replications kept.
    """

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = int(size)
        self._items: OrderedDict[tuple[str, int], Member] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @staticmethod
    def key(scenario: Scenario, seed: int) -> tuple[str, int]:
        """The cache key of a replication."""
        return scenario.model_dump_json(), int(seed)

    def get(self, scenario: Scenario, seed: int, *, counted: bool = True) -> Member | None:
        """The replication if it was computed before (and is still kept), else None.

        Args:
            scenario: the replication's scenario.
            seed: its seed.
            counted: count the lookup in :attr:`hits` / :attr:`misses` (False for a second look
                at a replication already counted, see :meth:`Ensemble._hand_over`).
        """
        key = self.key(scenario, seed)
        with self._lock:
            member = self._items.get(key)
            if member is None:
                self.misses += counted
                return None
            self._items.move_to_end(key)
            self.hits += counted
            return member

    def put(self, scenario: Scenario, seed: int, member: Member) -> None:
        """Keep a finished replication (the least recently used one goes when full)."""
        key = self.key(scenario, seed)
        with self._lock:
            self._items[key] = member
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


RESULTS = ResultCache()
"""The server's cache, shared by all sessions (used by ensembles that run on the server's pool)."""


@dataclass
class _Running:
    """One replication handed to the pool: its future, its stop flag and who waits for it (one entry per task)."""

    future: Future
    flag: str
    waiting: list[object] = field(default_factory=list)
    stopping: bool = False


class InFlight:
    """Replications handed to the pool and not back yet, by (scenario, seed); thread-safe.

    An ensemble asks :meth:`join` before it hands a replication to the pool: if
    the same scenario and seed is under way and not given up, it waits for that
    run instead (a second future is never made). :meth:`leave` is the ensemble's
    cancel: the runs nobody else waits for are given up (their stop flags are
    created), the others go on. So a replaced ensemble is left *after* its
    successor has joined the runs it still needs (:class:`~bottrop_sim.app.state.Workshop`
    does it in this order).
    """

    def __init__(self) -> None:
        self._items: dict[tuple[str, int], _Running] = {}
        self._lock = threading.Lock()

    def join(self, scenario: Scenario, seed: int, waiter: object) -> Future | None:
        """The future of the run of ``scenario`` and ``seed`` under way and not given up (``waiter`` now waits for it too), else None."""
        key = ResultCache.key(scenario, seed)
        with self._lock:
            item = self._items.get(key)
            if item is None or item.stopping:
                return None
            item.waiting.append(waiter)
            return item.future

    def start(self, scenario: Scenario, seed: int, waiter: object, hand_over: Callable[[str], Future], arrived: Callable[[Future], None]) -> Future:
        """Hand a new run to the pool, ``hand_over(stop flag path)`` -> its future, and keep it here until it is back.

        ``arrived(future)`` is the waiter's own handling of the result. It runs
        before the run leaves this registry, so a finished run is in the waiter's
        cache before it is no longer under way: an ensemble that asks meanwhile
        (the run under way? else the cache?) finds it in one or the other, never
        in neither (it would run it again). An exception of ``hand_over`` (the pool
        cannot take the task) goes to the caller and nothing is kept.
        """
        flag = stop_flag()
        future = hand_over(flag)
        key = ResultCache.key(scenario, seed)
        item = _Running(future, flag, [waiter])
        with self._lock:
            self._items[key] = item
        future.add_done_callback(arrived)  # done callbacks run in the order they were added: the cache first
        future.add_done_callback(lambda _, key=key, item=item: self._back(key, item))
        return future

    def _back(self, key: tuple[str, int], item: _Running) -> None:
        with self._lock:
            if self._items.get(key) is item:  # a run started after this one was given up keeps its place
                del self._items[key]
        if item.stopping:
            with suppress(OSError):
                os.remove(item.flag)

    def leave(self, waiter: object) -> None:
        """``waiter`` waits for none of its runs any more; those nobody else waits for are given up."""
        given_up = []
        with self._lock:
            for item in self._items.values():
                if any(each is waiter for each in item.waiting):
                    item.waiting = [each for each in item.waiting if each is not waiter]
                    if not item.waiting and not item.stopping:
                        item.stopping = True
                        given_up.append(item.flag)
        for flag in given_up:  # what the workers look for before every month
            with suppress(OSError):
                open(flag, "x").close()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


RUNNING = InFlight()
"""The server's runs under way, shared by all sessions (used by ensembles that run on the server's pool)."""
