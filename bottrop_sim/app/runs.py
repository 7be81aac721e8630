"""The runs behind the two panels: Mesa models stepped in lockstep, and frozen snapshots the views draw from.

Each panel runs its scenario and, if the scenario has shocks, its
counterfactual twin (the same scenario without shocks, same seed: common
random numbers), so that the resilience indices of the scorecard and the
reference lines of the charts come from the same pair of runs that
``bottrop_sim.monitoring.scorecard`` expects. Both panels use one seed, so
their differences come from their settings, not from the dice.

Only the stepping thread touches the models; the views read
:class:`PanelSnapshot` objects, which are replaced whole after every advance.
Nothing here imports Solara.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bottrop_sim.calendar import month_number, year_month
from bottrop_sim.runs import TwinStepper
from bottrop_sim.scenario.schema import Scenario

#: Largest radius of a sector's cluster in the network picture (sector centres lie on the unit circle).
CLUSTER_RADIUS = 0.3
GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))
#: Supply links drawn in the network picture (the heaviest ones).
LINKS_SHOWN = 1500


class SectorLayout:
    """Positions of firms in the supply-network picture, each computed once.

    Sectors sit on a circle, the mine in the middle; the firms of a sector fill
    a disc around the sector's centre along a sunflower spiral, the largest in
    the middle. A firm keeps its position for the whole run; firms founded
    later continue their sector's spiral outwards.

    Args:
        sector: sector index per firm slot at the start.
        headcount: staff per slot at the start (orders the spiral).
        mine_slot: slot of the mine (placed in the centre), or None.
        n_sectors: number of sectors (the mine's included).
    """

    def __init__(self, sector: np.ndarray, headcount: np.ndarray, mine_slot: int | None, n_sectors: int) -> None:
        self.mine_slot = mine_slot
        firms = np.ones(len(sector), bool)
        if mine_slot is not None:
            firms[mine_slot] = False
        counts = np.bincount(sector[firms], minlength=n_sectors)
        occupied = np.flatnonzero(counts > 0)
        angles = {int(s): 2 * math.pi * i / max(1, len(occupied)) + math.pi / 2 for i, s in enumerate(occupied)}
        self.centres = {s: (math.cos(a), math.sin(a)) for s, a in angles.items()}
        largest = max(1, int(counts.max(initial=1)))
        self.radius = {s: CLUSTER_RADIUS * math.sqrt(counts[s] / largest) for s in self.centres}
        self.size = {s: int(counts[s]) for s in self.centres}
        self.placed = dict.fromkeys(self.centres, 0)
        order = np.lexsort((np.arange(len(sector)), -headcount))  # largest first, ties by slot
        self.xy = np.zeros((len(sector), 2))
        for slot in order:
            self.xy[slot] = self._place(int(slot), int(sector[slot]))

    def _place(self, slot: int, sector: int) -> tuple[float, float]:
        if slot == self.mine_slot:
            return (0.0, 0.0)
        if sector not in self.centres:  # a sector without firms at the start: a new cluster just outside the circle
            angle = GOLDEN_ANGLE * (len(self.centres) + 1)
            self.centres[sector] = (1.25 * math.cos(angle), 1.25 * math.sin(angle))
            self.radius[sector], self.size[sector], self.placed[sector] = CLUSTER_RADIUS / 3, 10, 0
        index = self.placed[sector]
        self.placed[sector] += 1
        r = self.radius[sector] * math.sqrt((index + 0.5) / max(1, self.size[sector]))
        cx, cy = self.centres[sector]
        return (cx + r * math.cos(index * GOLDEN_ANGLE), cy + r * math.sin(index * GOLDEN_ANGLE))

    def positions(self, sector: np.ndarray) -> np.ndarray:
        """Positions of all slots (n x 2); slots not seen before are placed now, once."""
        known = len(self.xy)
        if len(sector) > known:
            extra = np.array([self._place(slot, int(sector[slot])) for slot in range(known, len(sector))])
            self.xy = np.vstack([self.xy, extra])
        return self.xy[: len(sector)]


@dataclass(frozen=True)
class Project:
    """A running joint project (real-world lab) of the alliance."""

    lab: str
    participants: int
    months_left: int


@dataclass(frozen=True)
class AllianceView:
    """The alliance of a panel this month."""

    founded: bool
    start: str
    members: int
    trust: float
    projects: tuple[Project, ...]
    brokered_links: int
    pooled_staff: int


@dataclass(frozen=True)
class FirmsView:
    """Per-slot arrays for the network picture (copies)."""

    xy: np.ndarray
    sector: np.ndarray
    alive: np.ndarray
    member: np.ndarray
    headcount: np.ndarray
    mine_slot: int | None
    sector_names: tuple[str, ...]
    links: np.ndarray


@dataclass(frozen=True)
class PanelSnapshot:
    """What the views of one panel show, frozen after an advance.

    Attributes:
        scenario: the scenario the panel runs.
        seed: the seed of its runs.
        months_done: simulated months (0 before the start).
        months_total: months of the horizon.
        date: the last simulated month as YYYY-MM (the month before the start if none).
        timeseries: one row per simulated month (the model's DataCollector).
        twin: the counterfactual twin's rows, or None if the scenario has no shocks.
        now: this month's key figures (employment, unemployment_rate, firms, alliance_members), also before the start.
        alliance: the alliance, or None in settings without one.
        firms: arrays for the network picture.
    """

    scenario: Scenario
    seed: int
    months_done: int
    months_total: int
    date: str
    timeseries: pd.DataFrame
    twin: pd.DataFrame | None
    now: dict[str, float]
    alliance: AllianceView | None
    firms: FirmsView = field(repr=False)

    @property
    def finished(self) -> bool:
        """Whether the run reached the end of its horizon."""
        return self.months_done >= self.months_total


class PanelRun:
    """The model (and its counterfactual twin) of one panel.

    Args:
        scenario: the panel's validated scenario.
        seed: base seed, shared by both panels and the twin.
    """

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.seed = int(seed)
        self.pair = TwinStepper(scenario, self.seed)
        self.model = self.pair.model
        firms, n = self.model.firms, self.model.firms.size
        mine_slot = self.model.mine.slot if self.model.mine is not None else None
        self.layout = SectorLayout(firms.sector[:n].copy(), firms.headcount[:n].copy(), mine_slot, self.model.n_sectors_ext)
        self.snapshot = self._snapshot()

    @property
    def months_done(self) -> int:
        """Simulated months."""
        return self.pair.months_done

    @property
    def running(self) -> bool:
        """Whether there are months left."""
        return self.pair.running

    def step(self) -> None:
        """Simulate one month of the run and of its twin."""
        self.pair.step()

    def close(self) -> None:
        """Let the run and its twin go (call when this panel run is replaced; it is not stepped any more)."""
        self.pair.close()

    def refresh(self) -> PanelSnapshot:
        """Take a new snapshot (call after stepping)."""
        self.snapshot = self._snapshot()
        return self.snapshot

    def strongest_links(self, limit: int = LINKS_SHOWN) -> np.ndarray:
        """The ``limit`` heaviest local supply links this month as (supplier, buyer) slot pairs.

        Weights are EUR per month ordered along each link: the firm-level input
        matrix times the buyer's planned output, the same flows that
        ``BottropModel.supply_network()`` puts on its edges (plus links found by
        customer search or brokered by the alliance), without building the
        networkx graph (about 100 times faster, so it can run every update).
        """
        model = self.model
        firms = model.firms
        matrix = model.network.matrix(firms.sector).tocoo()
        flow = matrix.data * firms.planned[matrix.col]
        keep = np.flatnonzero(flow > 0)
        if len(keep) > limit:
            keep = keep[np.argpartition(flow[keep], len(keep) - limit)[len(keep) - limit :]]
        keep = keep[np.argsort(flow[keep])[::-1]]
        return np.stack([matrix.row[keep], matrix.col[keep]], axis=1).astype(np.int64)

    def _snapshot(self) -> PanelSnapshot:
        model, firms, n = self.model, self.model.firms, self.model.firms.size
        done = self.months_done
        frame = self.pair.timeseries()
        twin = self.pair.twin_timeseries()
        mine_slot = model.mine.slot if model.mine is not None else None
        alive = firms.alive[:n].copy()
        governance = model.governance
        now = {
            "employment": float(firms.headcount[:n][alive].sum()),
            "unemployment_rate": float(model.labour.unemployment_rate()),
            "firms": float(alive.sum() - (1 if mine_slot is not None else 0)),
            "alliance_members": float(governance.alliance.member_count()) if governance.alliance is not None else 0.0,
        }
        alliance = None
        if governance.alliance is not None:
            agent = governance.alliance
            alliance = AllianceView(
                founded=bool(agent.founded),
                start=agent.spec.start,
                members=agent.member_count(),
                trust=agent.trust_mean(),
                projects=tuple(Project(p.lab, len(p.participants), int(p.months_left)) for p in agent.projects),
                brokered_links=int(agent.brokered_links),
                pooled_staff=int(model.indicators.get("pooled_staff", 0)) if done else 0,
            )
        sector = firms.sector[:n].copy()
        view = FirmsView(
            xy=self.layout.positions(sector).copy(),
            sector=sector,
            alive=alive,
            member=firms.member[:n].copy(),
            headcount=firms.headcount[:n].copy(),
            mine_slot=mine_slot,
            sector_names=tuple(model.sector_names_ext),
            links=self.strongest_links(),
        )
        return PanelSnapshot(
            scenario=self.scenario,
            seed=self.seed,
            months_done=done,
            months_total=self.scenario.months,
            date=year_month(model.month - 1) if done else year_month(month_number(self.scenario.start) - 1),
            timeseries=frame,
            twin=twin,
            now=now,
            alliance=alliance,
            firms=view,
        )


def advance(runs: Sequence[PanelRun], months: int, refresh: bool = True) -> int:
    """Step all runs together by up to ``months`` months (fewer at the end of the horizon); returns the months done.

    Every run gets the same number of steps, so the panels always show the same month.
    With ``refresh=False`` the snapshots stay as they were (the views keep showing the
    last update) until :meth:`PanelRun.refresh` is called.
    """
    done = 0
    for _ in range(max(0, int(months))):
        if not all(run.running for run in runs):
            break
        for run in runs:
            run.step()
        done += 1
    if done and refresh:
        for run in runs:
            run.refresh()
    return done
