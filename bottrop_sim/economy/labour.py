"""The open labour market: Bottrop's residents, its firms' vacancies and the commuting zone around it.

Every resident worker is in exactly one state: employed in Bottrop (by sector),
employed outside (out-commuter), unemployed, in retraining, (early) retired, or
moved away. Jobs in Bottrop that residents do not hold are held by in-commuters
from the commuting zone (the Ruhr), which has its own unemployed and vacancies.
Workers are counts by skill group, not agents: the accounting is exact in
integers and fast.

Flows (the rules and their sources are in docs/ODD.md, section 7.8):

* **Separations into unemployment** at the rate ``s`` a month from every job,
  in Bottrop (drawn per firm) and outside (out-commuters), plus the layoffs of
  shrinking firms and the staff of firms that exit. ``s`` is not a free
  parameter: it is the rate at which the start is a flow steady state,
  ``s = f0 u0 / (1 - u0)`` from the published unemployment rate ``u0`` and
  job-finding rate ``f0``. Which leavers are residents is drawn without
  replacement from the sector's staff (hypergeometric), and so is their skill.
* **Hires through a matching function.** Bottrop's vacancies are matched with
  the searchers for them: unemployed residents and the zone's unemployed who
  would commute (a constant share ``zone_search_share`` of the zone's
  unemployed). Matches are Cobb-Douglas with constant returns,
  ``M = efficiency x S^elasticity x V^(1 - elasticity)`` (Petrongolo &
  Pissarides 2001), capped by both sides. A vacancy is filled with probability
  ``q = M / V``; a hire is a resident with the residents' share of the
  searchers of that skill, so the resident share of hires is an outcome.
* **The outside market.** Unemployed residents find jobs in the zone at the
  zone's job-finding rate times their relative search intensity; the zone's
  job-finding rate follows its own matching function on its unemployed and
  vacancies. The zone's unemployed change by its own separations and job
  finding and by Bottrop's in-commuters who are laid off or hired. Nothing pulls
  unemployment back to its start: the flows depend on the current stocks.
* **Moving away**: unemployed residents above the pool that the zone's current
  unemployment implies move away at ``out_migration_rate`` a month (the flows
  are small; the rule is a stated assumption).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bottrop_sim.streams import multivariate_hypergeometric

SKILLS = ("low", "medium", "high")


@dataclass
class MineSeparation:
    """How staff shed by the mine leave (shares sum to 1)."""

    early_retirement_share: float
    transfer_share: float
    job_seeker_share: float


@dataclass(frozen=True)
class MatchingFunction:
    """Cobb-Douglas matching with constant returns: ``M = efficiency x S^elasticity x V^(1 - elasticity)``.

    Args:
        efficiency: matching efficiency (matches per month at S = V = 1).
        elasticity: elasticity of matches with respect to searchers, 0..1 (Petrongolo & Pissarides 2001).
    """

    efficiency: float
    elasticity: float

    def matches(self, searchers: float, vacancies: float) -> float:
        """Matches a month (persons), never more than searchers or vacancies."""
        if searchers <= 0 or vacancies <= 0:
            return 0.0
        value = self.efficiency * searchers**self.elasticity * vacancies ** (1.0 - self.elasticity)
        return float(min(value, searchers, vacancies))

    @classmethod
    def calibrated(cls, searchers: float, vacancies: float, matches: float, elasticity: float) -> MatchingFunction:
        """The efficiency that gives ``matches`` at the given stocks."""
        return cls(matches / (searchers**elasticity * vacancies ** (1.0 - elasticity)), elasticity)


class CommutingZone:
    """The labour market around Bottrop (the Ruhr): unemployed and vacancies, in expected flows (floats).

    Args:
        labour_force: the zone's labour force (persons, without Bottrop's residents).
        unemployment_rate: its unemployment rate at the start, share 0..1.
        job_finding_rate: its unemployed's monthly job-finding rate at the start, share 0..1.
        vacancies: its vacancies (persons), constant (the zone's labour demand is exogenous).
        elasticity: matching elasticity with respect to the unemployed.
    """

    def __init__(self, labour_force: float, unemployment_rate: float, job_finding_rate: float, vacancies: float, elasticity: float) -> None:
        self.labour_force = float(labour_force)
        self.unemployed = self.baseline_unemployed = unemployment_rate * self.labour_force
        self.vacancies = float(vacancies)
        self.separation_rate = job_finding_rate * unemployment_rate / (1.0 - unemployment_rate)
        self.baseline_rate = unemployment_rate
        self.matching = MatchingFunction.calibrated(self.unemployed, self.vacancies, job_finding_rate * self.unemployed, elasticity)

    def job_finding_rate(self) -> float:
        """Monthly job-finding rate of the zone's unemployed."""
        return self.matching.matches(self.unemployed, self.vacancies) / self.unemployed if self.unemployed > 0 else 0.0

    def unemployment_rate(self) -> float:
        """The zone's unemployment rate, share 0..1."""
        return self.unemployed / self.labour_force

    def step(self, from_bottrop: float) -> None:
        """One month of the zone's own flows plus the net inflow ``from_bottrop`` (in-commuters laid off minus hired)."""
        found = self.job_finding_rate() * self.unemployed
        lost = self.separation_rate * (self.labour_force - self.unemployed)
        self.unemployed = min(max(self.unemployed + lost - found + from_bottrop, 0.0), self.labour_force)


class LabourMarket:
    """Counts of resident workers by state and skill, Bottrop's matching market and the commuting zone.

    Args:
        skill_shares: (sectors x 3) skill mix of each sector's staff.
        staff: persons employed per sector at the start.
        resident_share: share of each sector's staff living in Bottrop.
        out_commuters: residents working outside at the start (persons).
        unemployment_rate: unemployed / (employed residents + unemployed) at the start.
        job_finding_rate: unemployed residents' monthly job-finding rate at the start (into any job).
        vacancy_filling_rate: monthly chance that a Bottrop vacancy is filled, at the start.
        elasticity: matching elasticity with respect to searchers (local market and zone).
        zone: the commuting zone.
        resident_hire_share: share of Bottrop's hires that residents make at the start (sets how many
            of the zone's unemployed search for Bottrop jobs).
    """

    def __init__(
        self,
        skill_shares: np.ndarray,
        staff: np.ndarray,
        resident_share: np.ndarray,
        out_commuters: int,
        unemployment_rate: float,
        job_finding_rate: float,
        vacancy_filling_rate: float,
        elasticity: float,
        zone: CommutingZone,
        resident_hire_share: float,
        replacing_staff: int,
    ) -> None:
        self.skill_shares = skill_shares
        self.zone = zone
        residents = np.floor(staff * resident_share + 0.5).astype(np.int64)
        self.employed_local = _apportion_rows(residents, skill_shares)
        average_mix = skill_shares.T @ staff / max(staff.sum(), 1)
        self.resident_mix = average_mix / average_mix.sum() if average_mix.sum() > 0 else np.full(3, 1 / 3)
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
        #: monthly separation rate into unemployment: the start is a flow steady state (s = f0 u0 / (1 - u0))
        self.separation_rate = job_finding_rate * unemployment_rate / (1.0 - unemployment_rate) if unemployment_rate < 1 else 0.0
        u0 = float(unemployed_total)
        share = min(max(resident_hire_share, 1e-6), 1.0)
        #: share of the zone's unemployed who search for Bottrop jobs (the start's resident share of hires)
        self.zone_search_share = u0 * (1.0 - share) / (share * zone.unemployed) if zone.unemployed > 0 and u0 > 0 else 0.0
        self.vacancy_filling_rate_start = vacancy_filling_rate
        self.vacancy_filling_rate = vacancy_filling_rate
        replacement_hires = self.separation_rate * replacing_staff
        self.baseline_vacancies = replacement_hires / vacancy_filling_rate if vacancy_filling_rate > 0 else 0.0
        searchers = u0 + self.zone_search_share * zone.unemployed
        self.matching = MatchingFunction.calibrated(max(searchers, 1.0), max(self.baseline_vacancies, 1e-9), max(replacement_hires, 1e-9), elasticity)
        outside_jobs_found = self.separation_rate * float(self.out_commuters.sum())
        baseline_zone_rate = zone.job_finding_rate()
        #: Bottrop residents' search intensity in the zone relative to the zone's unemployed (balances the start)
        self.outside_search_intensity = outside_jobs_found / (u0 * baseline_zone_rate) if u0 > 0 and baseline_zone_rate > 0 else 0.0
        self.vacancies = self.baseline_vacancies
        self.resident_hire_share_month = share
        # monthly flow counters (reset by the model each step)
        self.flows = dict.fromkeys(FLOW_NAMES, 0)
        self.unemployed_at_start = int(self.unemployed.sum())

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
        """Zero the monthly flow counters (and note the unemployed at the start of the month)."""
        for key in self.flows:
            self.flows[key] = 0
        self.unemployed_at_start = int(self.unemployed.sum())

    def zone_searchers(self) -> np.ndarray:
        """The zone's unemployed who search for Bottrop jobs, by skill (persons)."""
        return self.zone_search_share * self.zone.unemployed * self.resident_mix

    def resident_chance(self) -> np.ndarray:
        """Chance by skill that a Bottrop hire is a resident: residents' share of the searchers (random matching)."""
        searchers = self.unemployed + self.zone_searchers()
        return np.divide(self.unemployed, searchers, out=np.zeros(3), where=searchers > 0)

    # -- flows --------------------------------------------------------------
    def vacancy_filling(self, vacancies: float) -> float:
        """This month's chance that a Bottrop vacancy is filled, from the matching function; sets ``vacancies``."""
        self.vacancies = float(vacancies)
        searchers = float(self.unemployed.sum() + self.zone_searchers().sum())
        self.vacancy_filling_rate = self.matching.matches(searchers, vacancies) / vacancies if vacancies > 0 else self.vacancy_filling_rate
        return self.vacancy_filling_rate

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

    def hire(self, rng: np.random.Generator, hires: np.ndarray) -> None:
        """Fill hires per sector: residents with their share of the searchers of each skill, else in-commuters.

        Args:
            rng: the generator of this draw (keyed by purpose and month).
            hires: persons hired per sector (filled vacancies, or the staff of new firms).
        """
        chance = self.resident_chance().tolist()
        unemployed = self.unemployed.tolist()  # kept as whole numbers here, written back once
        counts = hires.tolist()
        hired = hired_local = 0
        for sector in np.flatnonzero(hires).tolist():
            count = int(counts[sector])
            by_skill = rng.multinomial(count, self.skill_shares[sector])
            # one binomial per skill, in skill order: the draws of rng.binomial(by_skill, chance), without its broadcasting;
            # numpy's binomial returns 0 without drawing when n == 0 or p == 0, so those calls are left out
            wanted = [rng.binomial(persons, share) if persons and share else 0 for persons, share in zip(by_skill.tolist(), chance, strict=True)]
            local = [min(w, u) for w, u in zip(wanted, unemployed, strict=True)]
            taken = int(sum(local))
            if taken:
                unemployed = [u - t for u, t in zip(unemployed, local, strict=True)]
                self.employed_local[sector] += local
            hired += count
            hired_local += taken
        self.unemployed[:] = unemployed
        self.flows["hires"] += hired
        self.flows["hires_from_unemployment"] += hired_local

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

    def job_finding_rate(self) -> float:
        """Unemployed residents' job-finding rate this month (local hires and outside jobs / unemployed at the start of the month)."""
        found = self.flows["hires_from_unemployment"] + self.flows["unemployed_to_outside_jobs"]
        return found / self.unemployed_at_start if self.unemployed_at_start > 0 else 0.0

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
