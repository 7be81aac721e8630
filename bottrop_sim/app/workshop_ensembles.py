"""The session's ensembles: the seeds of both panels' settings in the worker pool, started early, replaced, stopped.

A mixin of :class:`~bottrop_sim.app.state.Workshop`. Each applied pair of
settings has one :class:`~bottrop_sim.app.ensemble.Ensemble`; changed settings
that stand still at the runs' start get theirs ahead of "Start"
(:meth:`WorkshopEnsembles.prepare_ensemble`), a rebuild takes it or makes a new
one, and the one replaced stops once its successor joined the runs under way it
still needs. "Why?" adds the switched-off variants to the ensemble shown, and a
closed page stops the session's ensembles.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import solara

from bottrop_sim.scenario.schema import Scenario

from .ensemble import Ensemble, InFlight
from .why import variants
from .workshop_settings import PANELS

#: How long changed settings must stand still, with the runs at their start, before their ensemble starts ahead of "Start" (seconds).
PREPARE_AFTER_SECONDS = 1.5


class WorkshopEnsembles:
    """Ensemble actions of a :class:`~bottrop_sim.app.state.Workshop` (attributes as set by its constructor; ``months_done`` is its property)."""

    ensemble_size: int
    _submit: Callable | None
    _running: InFlight
    ensemble: solara.Reactive[Ensemble | None]
    why: solara.Reactive[tuple[str, ...] | None]
    applied: dict[str, solara.Reactive[Scenario | None]]
    dirty: solara.Reactive[bool]
    seed: solara.Reactive[int]
    lock: threading.RLock
    _wake: threading.Event
    _prepared: Ensemble | None
    _settled: tuple[tuple, float] | None
    months_done: int

    def close(self) -> None:
        """The session's page is closed (its tab, a navigation, the server's cull): its ensemble stops, queued runs and those in the workers.

        Without this, a reloaded page's old session kept computing its ensemble
        beside the new session's, on the same two cores.
        """
        for ensemble in (self.ensemble.value, self._prepared):
            if ensemble is not None:
                ensemble.cancel()

    def prepare_ensemble(self) -> None:
        """Start the ensemble of the changed settings now, before the start that shows it (the room is still talking).

        Only while the runs are at their start: then the ensemble shown belongs to
        settings on their way out, and it stops, so the workers take the new runs.
        (Changed mid-play, the settings wait for a reset, which starts their ensemble.)
        At the start, :meth:`_start_ensemble` takes the prepared ensemble with the
        runs that arrived meanwhile. The service thread calls this once changed
        settings stood still for :data:`PREPARE_AFTER_SECONDS`.
        """
        with self.lock:
            scenarios = self._ensemble_scenarios()
            if scenarios is None or self.months_done:
                return
            seed = self.seed.value
            if any(existing is not None and existing.serves(scenarios, seed) for existing in (self._prepared, self.ensemble.value)):
                return
            replaced = (self._prepared, self.ensemble.value)
            self._prepared = self._new_ensemble(scenarios, seed)
            for ensemble in replaced:  # after the new one joined the runs under way it needs too (they go on)
                if ensemble is not None:
                    ensemble.cancel()

    def _prepare_if_settled(self) -> None:
        """Prepare the ensemble of changed settings once they stood still for :data:`PREPARE_AFTER_SECONDS` (service thread)."""
        if not self.dirty.value:
            self._settled = None
            return
        changed = (self.seed.value, *(self.applied[panel].value for panel in PANELS))
        now = time.monotonic()
        if self._settled is None or self._settled[0] != changed:
            self._settled = (changed, now)
        elif now - self._settled[1] >= PREPARE_AFTER_SECONDS:
            self.prepare_ensemble()

    def explain(self) -> None:
        """Start the "Why?" runs: every mechanism acting in a panel switched off in turn, on the ensemble's seeds."""
        ensemble = self.ensemble.value
        if ensemble is None:
            return
        wanted = variants({panel: scenario for panel in PANELS if (scenario := self.applied[panel].value) is not None})
        new = {key: panels for key, panels in wanted.items() if key not in ensemble.variants()}
        if new:
            ensemble.add_variants(new)
        self.why.set(tuple(wanted))
        self._wake.set()

    def _ensemble_scenarios(self) -> dict[str, Scenario] | None:
        """The panels' applied scenarios, if the session has ensembles and both panels have one."""
        scenarios = {panel: scenario for panel in PANELS if (scenario := self.applied[panel].value) is not None}
        return scenarios if self.ensemble_size >= 2 and len(scenarios) == len(PANELS) else None

    def _new_ensemble(self, scenarios: dict[str, Scenario], seed: int) -> Ensemble:
        """An ensemble of these settings on the session's pool, waiting for the runs under way it needs."""
        return Ensemble(scenarios, seed, self.ensemble_size, on_arrival=self._wake.set, submit=self._submit, running=self._running)

    def _start_ensemble(self) -> None:
        """Replace the ensemble by one of the current settings: the prepared one if it fits (the old one's runs stop, those the new one needs go on)."""
        old = self.ensemble.value
        scenarios = self._ensemble_scenarios()
        seed = self.seed.value
        if old is not None and old.serves(scenarios, seed):
            return
        self.why.set(None)
        prepared, self._prepared = self._prepared, None
        replaced = [old]
        if prepared is not None and not prepared.serves(scenarios, seed):
            replaced.append(prepared)
            prepared = None
        if scenarios is None:
            self.ensemble.set(None)
        else:
            self.ensemble.set(prepared or self._new_ensemble(scenarios, seed))
        for ensemble in replaced:  # after the new one joined the runs under way it needs too (they go on)
            if ensemble is not None:
                ensemble.cancel()
