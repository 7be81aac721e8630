"""The labour market of Bottrop's residents, as counts by skill group.

Every resident worker is in exactly one state: employed in Bottrop (by sector),
employed outside (out-commuter), unemployed, (early) retired, or moved away.
Jobs in Bottrop that residents do not hold are held by in-commuters. Workers are
counts, not agents: the accounting is exact in integers and fast.

Rules (stated assumptions, see docs/ODD.md):

* Separations: which of the separated staff are residents is drawn without
  replacement from the sector's staff (hypergeometric), and so is their skill.
  Residents who lose a firm job become unemployed; in-commuters leave the
  accounting of the city.
* Hires: a hire's skill follows the sector's skill mix; a hire is a resident
  with probability ``resident_share_of_jobs`` if an unemployed resident of that
  skill is available, else an in-commuter.
* Unemployed residents find jobs outside the city at ``outside_job_finding_rate``
  a month; out-commuters lose theirs at the rate that keeps the baseline pool in
  balance; unemployed above the baseline pool move away at
  ``out_migration_rate`` (see :meth:`LabourMarket.monthly_flows`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SKILLS = ("low", "medium", "high")


@dataclass
class MineSeparation:
    """How staff shed by the mine leave (shares sum to 1)."""

    early_retirement_share: float
    transfer_share: float
    job_seeker_share: float


class LabourMarket:
    """Counts of resident workers by state and skill.

    Args:
        skill_shares: (sectors x 3) skill mix of each sector's staff.
        staff: persons employed per sector at the start.
        resident_share: share of each sector's staff living in Bottrop.
        out_commuters: residents working outside at the start (persons).
        unemployment_rate: unemployed / (employed residents + unemployed) at the start.
        resident_hire_share: probability that a hire is a resident (if one is available).
    """

    def __init__(
        self,
        skill_shares: np.ndarray,
        staff: np.ndarray,
        resident_share: np.ndarray,
        out_commuters: int,
        unemployment_rate: float,
        resident_hire_share: float,
    ) -> None:
        self.skill_shares = skill_shares
        self.resident_hire_share = resident_hire_share
        residents = np.floor(staff * resident_share + 0.5).astype(np.int64)
        self.employed_local = _apportion_rows(residents, skill_shares)
        average_mix = skill_shares.T @ staff / max(staff.sum(), 1)
        self.out_commuters = _apportion(int(out_commuters), average_mix)
        employed = int(self.employed_local.sum() + self.out_commuters.sum())
        unemployed_total = round(unemployment_rate / (1.0 - unemployment_rate) * employed) if unemployment_rate < 1 else 0
        self.unemployed = _apportion(unemployed_total, average_mix)
        self.baseline_unemployed = self.unemployed.copy()
        self.retired = np.zeros(3, np.int64)
        self.moved_away = np.zeros(3, np.int64)
        self.in_training = np.zeros(3, np.int64)
        self._courses: list[tuple[int, np.ndarray]] = []  # (month the course ends, trainees by skill)
        self.residents_total = self.resident_count()
        # monthly flow counters (reset by the model each step)
        self.flows = dict.fromkeys(FLOW_NAMES, 0)

    # -- stocks -------------------------------------------------------------
    def resident_count(self) -> int:
        """All resident workers in every state (constant over a run)."""
        return int(
            self.employed_local.sum() + self.out_commuters.sum() + self.unemployed.sum() + self.retired.sum() + self.moved_away.sum() + self.in_training.sum()
        )

    def labour_force(self) -> int:
        """Residents employed (here or outside) plus unemployed residents (trainees are in neither, as in BA statistics)."""
        return int(self.employed_local.sum() + self.out_commuters.sum() + self.unemployed.sum())

    def unemployment_rate(self) -> float:
        """Unemployed / labour force, share 0..1."""
        force = self.labour_force()
        return float(self.unemployed.sum() / force) if force else 0.0

    def reset_flows(self) -> None:
        """Zero the monthly flow counters."""
        for key in self.flows:
            self.flows[key] = 0

    # -- flows --------------------------------------------------------------
    def separate(self, rng: np.random.Generator, sector_staff: np.ndarray, separations: np.ndarray) -> None:
        """Staff leave firms of each sector; residents among them become unemployed.

        Args:
            rng: the model's generator.
            sector_staff: staff per sector before the separations.
            separations: persons leaving per sector.
        """
        for sector in np.flatnonzero(separations):
            residents = self._draw_residents(rng, sector, int(sector_staff[sector]), int(separations[sector]))
            self.unemployed += residents
            self.flows["separations"] += int(separations[sector])
            self.flows["to_unemployment"] += int(residents.sum())

    def separate_mine(self, rng: np.random.Generator, sector: int, staff_before: int, shed: int, rules: MineSeparation) -> None:
        """Staff shed by the mine: early retirement, transfers out of town, or job search."""
        residents = self._draw_residents(rng, sector, staff_before, shed)
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

    def hire(self, rng: np.random.Generator, hires: np.ndarray) -> None:
        """Fill hires per sector: residents from the unemployed pool, else in-commuters."""
        for sector in np.flatnonzero(hires):
            by_skill = rng.multinomial(int(hires[sector]), self.skill_shares[sector])
            wanted = rng.binomial(by_skill, self.resident_hire_share)
            local = np.minimum(wanted, self.unemployed)
            self.unemployed -= local
            self.employed_local[sector] += local
            self.flows["hires"] += int(hires[sector])
            self.flows["hires_from_unemployment"] += int(local.sum())

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
        pool = np.zeros(3, np.int64)
        for sector in np.flatnonzero(leaving):
            pool += self._draw_residents(rng, sector, int(sector_staff[sector]), int(leaving[sector]))
        residents = int(pool.sum())
        if residents:
            per_sector = rng.multivariate_hypergeometric(arriving.astype(np.int64), residents)
            for sector in np.flatnonzero(per_sector):
                by_skill = rng.multivariate_hypergeometric(pool, int(per_sector[sector]))
                pool -= by_skill
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
        """Courses ending this month: a share find a job at once, the rest search one skill level higher."""
        remaining = []
        for ends, trainees in self._courses:
            if ends > month:
                remaining.append((ends, trainees))
                continue
            placed = rng.binomial(trainees, placement_rate)
            searching = trainees - placed
            self.in_training -= trainees
            self.out_commuters += placed
            upgraded = np.array([0, searching[0], searching[1] + searching[2]])
            self.unemployed += upgraded
            self.flows["training_to_jobs"] += int(placed.sum())
            self.flows["training_to_unemployment"] += int(searching.sum())
        self._courses = remaining

    def monthly_flows(self, job_finding_rate: float, migration_rate: float) -> None:
        """Job finding outside the city, job loss outside, and moving away (expected values, rounded).

        Unemployed residents find jobs outside at ``job_finding_rate``; out-commuters
        lose theirs at the rate that keeps the baseline pool in balance
        (``job_finding_rate`` x baseline unemployed a month), so an excess of
        unemployment decays and a deficit refills; unemployed above the baseline
        move away at ``migration_rate``. Aggregate flows are taken at their
        expected values (large counts), so a run without shocks stays exactly on
        its baseline.
        """
        found = np.floor(job_finding_rate * self.unemployed + 0.5).astype(np.int64)
        lost = np.minimum(np.floor(job_finding_rate * self.baseline_unemployed + 0.5).astype(np.int64), self.out_commuters)
        excess = np.maximum(self.unemployed - found - self.baseline_unemployed, 0)
        moved = np.floor(migration_rate * excess + 0.5).astype(np.int64)
        self.unemployed += lost - found - moved
        self.out_commuters += found - lost
        self.moved_away += moved
        self.flows["unemployed_to_outside_jobs"] += int(found.sum())
        self.flows["outside_jobs_to_unemployment"] += int(lost.sum())
        self.flows["moved_away"] += int(moved.sum())

    def _draw_residents(self, rng: np.random.Generator, sector: int, staff: int, leaving: int) -> np.ndarray:
        """Residents (by skill) among ``leaving`` of ``staff`` persons; they leave employed_local."""
        held = self.employed_local[sector]
        resident_staff = int(held.sum())
        leaving = min(leaving, staff)
        in_commuters = max(staff - resident_staff, 0)
        count = int(rng.hypergeometric(resident_staff, in_commuters, leaving)) if leaving and resident_staff else 0
        if count == 0:
            return np.zeros(3, np.int64)
        by_skill = rng.multivariate_hypergeometric(held, count)
        self.employed_local[sector] -= by_skill
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
)


def _apportion(total: int, shares: np.ndarray) -> np.ndarray:
    """Split an integer total by shares, largest remainders first (exact sum)."""
    shares = np.asarray(shares, float)
    if total <= 0 or shares.sum() <= 0:
        return np.zeros(len(shares), np.int64)
    raw = total * shares / shares.sum()
    base = np.floor(raw).astype(np.int64)
    rest = total - int(base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    return base


def _apportion_rows(totals: np.ndarray, shares: np.ndarray) -> np.ndarray:
    return np.vstack([_apportion(int(t), s) for t, s in zip(totals, shares, strict=True)]) if len(totals) else np.zeros((0, 3), np.int64)
