"""The firm population: the decisions every firm takes each month, vectorised over all firms.

A Mesa ``Firm`` agent is the handle of one establishment (its events: exit); the
monthly decisions that every firm takes in the same way, on its own numbers,
are methods of this class and run as array operations over the whole
population (the layout mesa-frames uses): staff turnover and layoffs, how many
people to recruit, how many of its vacancies it fills, and the idiosyncratic
part of its demand. Rules are swappable: :class:`StaffingRule` is a small
protocol, and the model holds one instance per population.

Every draw is keyed by (seed, purpose, firm slot, month) through
:class:`~bottrop_sim.streams.Streams`, so a firm takes the same chances in a
scenario and in its twin (common random numbers by identity).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from bottrop_sim.economy.accounting import FirmArrays
    from bottrop_sim.scenario.schema import BehaviourSpec
    from bottrop_sim.streams import Streams


@dataclass
class StaffingPlan:
    """This month's staffing decisions per firm slot (persons).

    Attributes:
        separations: staff who leave for unemployment or out of the region (turnover, not chosen by the firm).
        layoffs: staff the firm lays off (surplus beyond its hoarding tolerance).
        wanted: staff it wants to hire at the usual vacancy-filling rate (open replacements plus ``hiring_rate`` of the rest of its shortfall).
        replacements: the part of ``wanted`` that replaces leavers (kept open until filled).
        over_staffed: firms with a surplus beyond their hoarding tolerance (they lay off and recruit nobody; None: the rule does not say).
    """

    separations: np.ndarray
    layoffs: np.ndarray
    wanted: np.ndarray
    replacements: np.ndarray
    over_staffed: np.ndarray | None = None


class StaffingRule(Protocol):
    """A staffing rule: what each firm plans, from its arrays (vectorised)."""

    def plan(
        self, firms: FirmArrays, movable: np.ndarray, target: np.ndarray, open_replacements: np.ndarray, separation_rate: float, draws: np.ndarray
    ) -> StaffingPlan:
        """Separations, layoffs and wanted hires of every firm (``draws``: (n, 2) uniforms keyed by firm and month)."""
        ...


@dataclass(frozen=True)
class PartialAdjustment:
    """Partial adjustment with hiring and firing frictions and labour hoarding (stated assumption, docs/ODD.md §7.3).

    Staff turn over at the separation rate (stochastic rounding per firm). A firm
    keeps a replacement vacancy open for every leaver until it is filled; beyond
    that it wants to hire ``hiring_rate`` of its remaining shortfall, and it lays
    off ``firing_rate`` of its surplus beyond ``hoarding_tolerance`` of its staff.
    A firm with such a surplus does not replace leavers (it drops its
    replacement vacancies). Within the tolerance a firm hoards labour but does not
    replace leavers it does not need: of this month's replacements it drops its
    surplus (``headcount - target``, stochastic rounding), so a lasting fall in
    demand, however small, is absorbed by attrition (natural wastage) rather than
    hoarded for ever (labour hoarding is temporary: Burda & Hunt 2011, Brookings
    Papers 42(1); firms first shed staff by not replacing leavers). An
    establishment keeps at least one person.

    Args:
        hiring_rate: share of a staff shortfall (beyond open replacements) the firm tries to close per month.
        firing_rate: share of a staff surplus laid off per month.
        hoarding_tolerance: surplus, as a share of staff, kept without layoffs (none while the firm cuts costs).
    """

    hiring_rate: float
    firing_rate: float
    hoarding_tolerance: float

    def plan(
        self, firms: FirmArrays, movable: np.ndarray, target: np.ndarray, open_replacements: np.ndarray, separation_rate: float, draws: np.ndarray
    ) -> StaffingPlan:
        """See the class docstring."""
        n = len(movable)
        headcount = firms.headcount[:n]
        # Each int64 array is cast to float64 once (what every mixed int/float operation would do inside), and
        # a value used twice is computed once; every float operation is the one of the plain formula, in its order.
        staff = headcount.astype(np.float64)
        first, second = draws[:, 0], draws[:, 1]
        separations = np.where(movable, np.floor(separation_rate * staff + first), 0.0).astype(np.int64)
        separations = np.maximum(np.minimum(separations, headcount - 1), 0)
        gap = target - staff - open_replacements.astype(np.float64)
        hoarding = np.where(firms.cutting_costs[:n], 0.0, self.hoarding_tolerance)  # a firm cutting costs hoards no labour
        excess = staff - target
        surplus = excess - hoarding * staff
        over = movable & (surplus >= 1.0)
        replacing = movable & (surplus < 1.0)
        growth = np.floor(self.hiring_rate * np.maximum(gap, 0.0) * (gap > 0.5) + second)
        wanted = np.where(replacing, growth + open_replacements + separations, 0).astype(np.int64)
        layoffs = np.where(over, np.floor(surplus * self.firing_rate + second), 0.0).astype(np.int64)
        layoffs = np.maximum(np.minimum(layoffs, headcount - separations - 1), 0)
        replacements = np.where(replacing, open_replacements + separations, 0)
        # where headcount > target (excess > 0: the same test on doubles), max(excess, 0) is excess
        not_needed = np.where(replacing & (excess > 0.0), np.floor(excess + second), 0).astype(np.int64)
        dropped = np.minimum(not_needed, replacements)  # leavers a firm with spare staff does not replace (attrition)
        return StaffingPlan(separations, layoffs, wanted - dropped, replacements - dropped, over)


class FirmPopulation:
    """The decisions of all firms, on the firm arrays.

    Args:
        firms: the firm arrays (the accounting core).
        behaviour: the scenario's firm behaviour parameters.
        streams: the run's keyed random streams.
        vacancy_filling_rate: the usual monthly chance that a vacancy is filled (firms post ``wanted / rate`` vacancies).
    """

    def __init__(self, firms: FirmArrays, behaviour: BehaviourSpec, streams: Streams, vacancy_filling_rate: float) -> None:
        self.firms = firms
        self.streams = streams
        self.staffing_rule: StaffingRule = PartialAdjustment(behaviour.hiring_rate, behaviour.firing_rate, behaviour.hoarding_tolerance)
        self.expectation_smoothing = behaviour.expectation_smoothing
        self.demand_sd = behaviour.idiosyncratic_demand_sd
        self.demand_persistence = behaviour.idiosyncratic_demand_persistence
        self.usual_filling_rate = vacancy_filling_rate
        self.demand_log = np.zeros(firms.capacity)  # idiosyncratic log demand per slot (0 at a firm's start)
        self._half_variance = np.zeros(0)  # half the variance of log demand by age in months (see _half_variances)
        self.vacancies = np.zeros(firms.capacity)  # vacancies posted this month per slot (persons)
        self.wanted = np.zeros(firms.capacity, np.int64)  # hires wanted this month per slot (persons): no firm hires more
        self.hires = np.zeros(firms.capacity, np.int64)  # filled this month per slot (persons)
        self.open_replacements = np.zeros(firms.capacity, np.int64)  # replacement vacancies still open per slot (persons)
        self._replacements: np.ndarray | None = None
        self.last_plan: StaffingPlan | None = None  # this month's plan (for the per-firm panel and tests)

    def _fit(self) -> None:
        capacity = self.firms.capacity
        if len(self.demand_log) < capacity:
            for name in ("demand_log", "vacancies", "wanted", "hires", "open_replacements"):
                old = getattr(self, name)
                grown = np.zeros(capacity, old.dtype)
                grown[: len(old)] = old
                setattr(self, name, grown)

    # -- demand ---------------------------------------------------------------
    def demand_factors(self, month: int) -> tuple[np.ndarray, np.ndarray]:
        """This month's idiosyncratic factors on each firm's exogenous and household demand (mean one).

        Each firm's log demand follows a stationary AR(1),
        ``z' = rho z + sqrt(1 - rho^2) sd e`` with e standard normal, keyed by
        (seed, firm slot, month), starting at 0 when the firm starts; the factor
        on its exogenous (export and public) demand is ``exp(z - var/2)`` with
        ``var`` the variance of z at the firm's age, so the expected factor is 1
        at every age. Households' spending is shifted between firms of a sector,
        not created: the household factors are rescaled so that each sector's
        household demand is unchanged. Firm-level shocks with a fat-tailed size
        distribution move the aggregate (granular fluctuations, Gabaix 2011).

        Returns:
            (exogenous factor, household factor), one value per slot (1 for the mine and inactive slots).
        """
        self._fit()
        firms, n = self.firms, self.firms.size
        ones = np.ones(firms.capacity)
        if self.demand_sd <= 0 or n == 0:
            return ones, ones.copy()
        rho, sd = self.demand_persistence, self.demand_sd
        active = firms.alive[:n] & ~firms.is_mine[:n]
        shock = self.streams.normal("firm_demand", month, n)
        z = self.demand_log[:n]
        z[:] = np.where(active, rho * z + np.sqrt(1.0 - rho * rho) * sd * shock, 0.0)
        age = np.maximum((month + 1) - firms.born[:n], 1)  # month - born + 1 (integers: the same numbers)
        factor = ones
        factor[:n] = np.where(active, np.exp(z - self._half_variances(int(age.max()))[age]), 1.0)
        household = factor.copy()
        base = firms.household_demand[:n] * active
        sector = firms.sector[:n]
        width = int(sector.max()) + 1 if n else 0
        before = np.bincount(sector, weights=base, minlength=width)
        after = np.bincount(sector, weights=base * factor[:n], minlength=width)
        scale = np.divide(before, after, out=np.ones(width), where=after > 0)
        household[:n] = np.where(active, factor[:n] * scale[sector], 1.0)
        return factor, household

    def _half_variances(self, oldest: int) -> np.ndarray:
        """``0.5 * sd^2 (1 - rho^(2 age))`` for ages 0..``oldest`` (at least), the variance correction of :meth:`demand_factors`.

        The same numpy operations on the same numbers as computing it for every firm each
        month (elementwise, so the same bits), once per age instead of once per firm and month.
        """
        table = self._half_variance
        if len(table) <= oldest:
            rho, sd = self.demand_persistence, self.demand_sd
            ages = np.arange(max(oldest + 1, 2 * len(table)))
            table = self._half_variance = 0.5 * (sd * sd * (1.0 - rho ** (2.0 * ages)))
        return table

    # -- staffing ---------------------------------------------------------------
    def plan_staff(self, month: int, separation_rate: float) -> tuple[StaffingPlan, np.ndarray]:
        """Update expected orders and plan turnover, layoffs and recruiting for every firm.

        Returns:
            The plan and the mask of firms that adjust staff (active, not the mine).
        """
        firms, n = self.firms, self.firms.size
        movable = firms.alive[:n] & ~firms.is_mine[:n]
        expected = firms.expected_orders[:n]
        expected += self.expectation_smoothing * (firms.orders[:n] - expected)
        target = expected / np.where(movable, firms.productivity[:n], 1.0)
        draws = self.streams.uniform("staffing", month, n, draws=2)
        self._fit()
        open_replacements = np.where(movable, self.open_replacements[:n], 0)
        plan = self.staffing_rule.plan(firms, movable, target, open_replacements, separation_rate, draws)
        self._replacements = plan.replacements
        self.last_plan = plan
        return plan, movable

    def post_vacancies(self, wanted: np.ndarray) -> np.ndarray:
        """Vacancies per firm: the wanted hires divided by the usual vacancy-filling rate (persons, fractional)."""
        self._fit()
        n = len(wanted)
        self.vacancies[:n] = wanted / self.usual_filling_rate if self.usual_filling_rate > 0 else 0.0
        self.vacancies[n:] = 0.0
        self.wanted[:n] = wanted
        self.wanted[n:] = 0
        return self.vacancies[:n]

    def fill(self, month: int, filling_rate: float, moved_in: np.ndarray | None = None) -> np.ndarray:
        """Hires per firm: each firm fills ``filling_rate`` of its vacancies (stochastic rounding keyed by firm and month), at most the hires it wants.

        The vacancies close as they are filled: in a slack market (a filling rate
        above the usual one) a firm hires what it wants sooner, never more; jobs
        come from its orders, not from the number of people looking for work.

        Args:
            month: model month number.
            filling_rate: this month's chance that a vacancy is filled (from the matching function).
            moved_in: staff that arrived through staff pooling (they fill replacement vacancies too).
        """
        n = self.firms.size
        # Only firms with vacancies can hire: elsewhere ceil(vacancies - 1e-9) <= 0 caps the hires at 0 whatever the
        # draw. The draws are keyed by slot, so drawing for these firms alone gives each the number it had among all.
        hiring = np.flatnonzero(self.vacancies[:n] > 0)
        vacancies = self.vacancies[hiring]
        draws = self.streams.uniform("vacancy_filling", month, hiring)
        capped = np.minimum(np.floor(filling_rate * vacancies + draws), np.minimum(np.ceil(vacancies - 1e-9), self.wanted[hiring])).astype(np.int64)
        hires = np.zeros(n, np.int64)
        hires[hiring] = np.maximum(capped, 0)
        self.hires[:n] = hires
        self.hires[n:] = 0
        if self._replacements is not None and len(self._replacements) == n:  # hires fill replacement vacancies first; the rest stay open
            filled = hires if moved_in is None else hires + moved_in
            self.open_replacements[:n] = np.maximum(self._replacements - filled, 0)
        return hires
