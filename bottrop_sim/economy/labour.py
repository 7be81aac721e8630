"""The open labour market: Bottrop's residents, its firms' vacancies and the commuting zone around it.

Every resident worker is in exactly one state: employed in Bottrop (by sector),
employed outside (out-commuter), unemployed, in retraining, (early) retired, or
moved away. Jobs in Bottrop that residents do not hold are held by in-commuters
from the commuting zone (the Ruhr), which has its own unemployed and vacancies.
Workers are counts by skill group, not agents: the accounting is exact in
integers and fast.

Flows (the rules and their sources are in docs/ODD.md, section 7.8; the matching
and the hires are here, the other flows in :mod:`bottrop_sim.economy.labour_flows`,
a mixin of :class:`LabourMarket`):

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

from dataclasses import dataclass

import numpy as np

from bottrop_sim.economy.labour_flows import FLOW_NAMES, LabourFlows

SKILLS = ("low", "medium", "high")


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


class LabourMarket(LabourFlows):
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

    # -- matching, hires and job finding ------------------------------------
    def vacancy_filling(self, vacancies: float) -> float:
        """This month's chance that a Bottrop vacancy is filled, from the matching function; sets ``vacancies``."""
        self.vacancies = float(vacancies)
        searchers = float(self.unemployed.sum() + self.zone_searchers().sum())
        self.vacancy_filling_rate = self.matching.matches(searchers, vacancies) / vacancies if vacancies > 0 else self.vacancy_filling_rate
        return self.vacancy_filling_rate

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

    def job_finding_rate(self) -> float:
        """Unemployed residents' job-finding rate this month (local hires and outside jobs / unemployed at the start of the month)."""
        found = self.flows["hires_from_unemployment"] + self.flows["unemployed_to_outside_jobs"]
        return found / self.unemployed_at_start if self.unemployed_at_start > 0 else 0.0


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
