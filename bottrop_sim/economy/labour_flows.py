"""The labour market's flows other than hires: separations, moves, retraining and the outside market.

Part of :class:`~bottrop_sim.economy.labour.LabourMarket` (a mixin; its stocks, the
matching function, the commuting zone and the hires are in
:mod:`bottrop_sim.economy.labour`, whose docstring states the rules). Here: staff
leaving firms into unemployment (:meth:`LabourFlows.separate`), the mine's staff
leaving by its rules (:class:`MineSeparation`), staff changing employer without a
spell of unemployment (:meth:`LabourFlows.move`), retraining courses, and the month
outside the city (job loss and job finding in the commuting zone, moving away, the
zone's own flows; :meth:`LabourFlows.outside_flows`). :data:`FLOW_NAMES` lists the
monthly flow counters and the stock-flow identities they keep.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bottrop_sim.streams import multivariate_hypergeometric

if TYPE_CHECKING:
    from bottrop_sim.economy.labour import CommutingZone


@dataclass
class MineSeparation:
    """How staff shed by the mine leave (shares sum to 1)."""

    early_retirement_share: float
    transfer_share: float
    job_seeker_share: float


class LabourFlows:
    """Separations, moves, retraining and the outside market of :class:`~bottrop_sim.economy.labour.LabourMarket` (attributes as set there)."""

    zone: CommutingZone
    employed_local: np.ndarray
    out_commuters: np.ndarray
    unemployed: np.ndarray
    baseline_unemployed: np.ndarray
    retired: np.ndarray
    moved_away: np.ndarray
    in_training: np.ndarray
    _courses: list[tuple[int, np.ndarray]]
    separation_rate: float
    outside_search_intensity: float
    flows: dict[str, int]

    def separate(self, rng: np.random.Generator, sector_staff: np.ndarray, separations: np.ndarray) -> None:
        """Staff leave firms of each sector; residents among them become unemployed, in-commuters join the zone's unemployed.

        Args:
            rng: the generator of this draw (keyed by purpose and month).
            sector_staff: staff per sector before the separations.
            separations: persons leaving per sector.
        """
        staff, leaving = sector_staff.tolist(), separations.tolist()
        unemployed = [0, 0, 0]  # added to the unemployed after the loop (whole numbers: the order of additions does not matter)
        left = found = 0  # and so are the flow counters
        for sector in np.flatnonzero(separations).tolist():
            residents = self._draw_residents(rng, sector, int(staff[sector]), int(leaving[sector]))
            unemployed = [u + r for u, r in zip(unemployed, residents, strict=True)]
            left += int(leaving[sector])
            found += sum(residents)
        flows = self.flows
        flows["separations"] += left
        flows["to_unemployment"] += found
        flows["in_commuters_separated"] += left - found
        if any(unemployed):
            self.unemployed += unemployed

    def separate_mine(self, rng: np.random.Generator, sector: int, staff_before: int, shed: int, rules: MineSeparation) -> None:
        """Staff shed by the mine: early retirement, transfers out of town, or job search."""
        residents = np.array(self._draw_residents(rng, sector, staff_before, shed), np.int64)
        shares = np.array([rules.early_retirement_share, rules.transfer_share, rules.job_seeker_share])
        shares = shares / shares.sum()
        for skill in np.flatnonzero(residents):
            retired, transferred, seekers = rng.multinomial(int(residents[skill]), shares)
            self.retired[skill] += retired
            self.out_commuters[skill] += transferred
            self.unemployed[skill] += seekers
            self.flows["to_retirement"] += int(retired)
            self.flows["mine_transfers"] += int(transferred)
            self.flows["to_unemployment"] += int(seekers)
        self.flows["separations"] += shed

    def move(self, rng: np.random.Generator, sector_staff: np.ndarray, leaving: np.ndarray, arriving: np.ndarray) -> None:
        """Staff change employer without a spell of unemployment (staff pooling, a new branch).

        Args:
            rng: the model's generator.
            sector_staff: staff per sector before the move.
            leaving: persons leaving firms of each sector.
            arriving: persons joining firms of each sector (same total as ``leaving``).
        """
        total = int(leaving.sum())
        if total == 0:
            return
        # whole numbers in Python lists, and the streams' multivariate hypergeometric: numpy's "marginals" draws
        pool = [0, 0, 0]
        staff, moving = sector_staff.tolist(), leaving.tolist()
        for sector in np.flatnonzero(leaving).tolist():
            drawn = self._draw_residents(rng, sector, int(staff[sector]), int(moving[sector]))
            pool = [p + d for p, d in zip(pool, drawn, strict=True)]
        residents = sum(pool)
        if residents:
            per_sector = multivariate_hypergeometric(rng, [int(a) for a in arriving.tolist()], residents)
            for sector, count in enumerate(per_sector):
                if count:
                    by_skill = multivariate_hypergeometric(rng, pool, count)
                    pool = [p - b for p, b in zip(pool, by_skill, strict=True)]
                    self.employed_local[sector] += by_skill
        self.flows["moves"] += total

    def start_training(self, rng: np.random.Generator, count: int, ends: int) -> int:
        """Unemployed residents start a retraining course (low-skilled first); returns how many started.

        Args:
            rng: the generator of the programme.
            count: places funded.
            ends: month number the course ends.
        """
        count = min(count, int(self.unemployed.sum()))
        if count <= 0:
            return 0
        trainees = np.zeros(3, np.int64)
        for skill in range(3):  # low-skilled first, then medium, then high
            take = min(count - int(trainees.sum()), int(self.unemployed[skill]))
            trainees[skill] = take
        self.unemployed -= trainees
        self.in_training += trainees
        self._courses.append((ends, trainees))
        self.flows["to_training"] += int(trainees.sum())
        return int(trainees.sum())

    def finish_training(self, rng: np.random.Generator, month: int, placement_rate: float) -> None:
        """Courses ending this month: a share find a job at once, the rest search one skill level higher.

        A placed trainee takes one of the zone's vacancies this month, that is one
        of the hires its own unemployed would have made: they stay unemployed
        instead (displacement). Placements are at most the zone's hires of the
        month, so retraining moves jobs to Bottrop's residents; it creates none.
        """
        remaining = []
        for ends, trainees in self._courses:
            if ends > month:
                remaining.append((ends, trainees))
                continue
            placed = rng.binomial(trainees, placement_rate)
            room = int(self.zone.job_finding_rate() * self.zone.unemployed)
            if placed.sum() > room:  # not more placements than the zone's hires this month (drop the excess from the highest skill down)
                excess = int(placed.sum()) - room
                for skill in (2, 1, 0):
                    cut = min(excess, int(placed[skill]))
                    placed[skill] -= cut
                    excess -= cut
            self.zone.unemployed = min(self.zone.unemployed + float(placed.sum()), self.zone.labour_force)
            searching = trainees - placed
            self.in_training -= trainees
            self.out_commuters += placed
            upgraded = np.array([0, searching[0], searching[1] + searching[2]])
            self.unemployed += upgraded
            self.flows["training_to_jobs"] += int(placed.sum())
            self.flows["training_to_unemployment"] += int(searching.sum())
        self._courses = remaining

    def outside_flows(self, rng: np.random.Generator, migration_rate: float) -> None:
        """Job loss and job finding outside the city, moving away, and the zone's own month.

        Out-commuters lose their jobs at the separation rate (binomial per skill);
        unemployed residents find jobs in the zone at the zone's current
        job-finding rate times their relative search intensity (binomial);
        unemployed residents above the pool that the zone's current unemployment
        implies (``baseline pool x zone rate / zone rate at the start``) move away
        at ``migration_rate``. Then the zone's unemployed change by its own flows
        and by Bottrop's in-commuters laid off minus hired this month.

        Args:
            rng: the generator of this draw (keyed by purpose and month).
            migration_rate: monthly chance that an unemployed resident above the pool moves away.
        """
        zone = self.zone
        finding = min(1.0, self.outside_search_intensity * zone.job_finding_rate())
        lost = rng.binomial(self.out_commuters, self.separation_rate)
        found = rng.binomial(self.unemployed, finding)
        ratio = zone.unemployment_rate() / zone.baseline_rate
        # three skills: in Python numbers, the same operations as the arrays' (int * float, int - float, floor of a double)
        lost_by_skill, found_by_skill, unemployed = lost.tolist(), found.tolist(), self.unemployed.tolist()
        moved = [
            math.floor(migration_rate * max(u - f - b * ratio, 0.0) + 0.5)
            for u, f, b in zip(unemployed, found_by_skill, self.baseline_unemployed.tolist(), strict=True)
        ]
        self.unemployed[:] = [u + (lo - f - m) for u, lo, f, m in zip(unemployed, lost_by_skill, found_by_skill, moved, strict=True)]
        self.out_commuters[:] = [o + (f - lo) for o, f, lo in zip(self.out_commuters.tolist(), found_by_skill, lost_by_skill, strict=True)]
        self.moved_away[:] = [a + m for a, m in zip(self.moved_away.tolist(), moved, strict=True)]
        self.flows["unemployed_to_outside_jobs"] += sum(found_by_skill)
        self.flows["outside_jobs_to_unemployment"] += sum(lost_by_skill)
        self.flows["moved_away"] += sum(moved)
        in_commuters_hired = self.flows["hires"] - self.flows["hires_from_unemployment"]
        zone.step(float(self.flows["in_commuters_separated"] - in_commuters_hired))

    def _draw_residents(self, rng: np.random.Generator, sector: int, staff: int, leaving: int) -> list[int]:
        """Residents (by skill) among ``leaving`` of ``staff`` persons; they leave employed_local."""
        held = self.employed_local[sector]
        colors = held.tolist()
        resident_staff = sum(colors)
        leaving = min(leaving, staff)
        in_commuters = max(staff - resident_staff, 0)
        count = int(rng.hypergeometric(resident_staff, in_commuters, leaving)) if leaving and resident_staff else 0
        if count == 0:
            return [0, 0, 0]
        by_skill = multivariate_hypergeometric(rng, colors, count)
        held[:] = [c - b for c, b in zip(colors, by_skill, strict=True)]  # the row of employed_local, in place (whole numbers)
        return by_skill


#: Monthly flow counters (persons). Stock-flow identities (tested every step):
#: d unemployed = to_unemployment - hires_from_unemployment - unemployed_to_outside_jobs - moved_away
#:   - to_training + training_to_unemployment + outside_jobs_to_unemployment;
#: d in training = to_training - training_to_jobs - training_to_unemployment;
#: d retired = to_retirement;
#: d out-commuters = mine_transfers + unemployed_to_outside_jobs + training_to_jobs - outside_jobs_to_unemployment;
#: d residents employed here = hires_from_unemployment - to_unemployment - to_retirement - mine_transfers;
#: d jobs here = hires - separations (moves between employers change neither).
FLOW_NAMES = (
    "separations",
    "hires",
    "hires_from_unemployment",
    "to_unemployment",
    "to_retirement",
    "mine_transfers",
    "unemployed_to_outside_jobs",
    "outside_jobs_to_unemployment",
    "moved_away",
    "moves",
    "to_training",
    "training_to_jobs",
    "training_to_unemployment",
    "in_commuters_separated",
)
