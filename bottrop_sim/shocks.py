"""Shock events: validated values describing what happens, and when.

A shock is data, not a code path (compare BoARIO's ``event.py``): each type is a
pydantic model with its own fields, and it says how it acts on the economy
through a small set of methods that the model calls every month. Adding a type
means adding one class here and listing it in :data:`Shock`.

Implemented types:

* ``mine_closure``: the phase-down of Prosper-Haniel's staff along a path of
  (month, staff) points, the closure date (coal production stops; afterwards the
  remaining staff do clean-up work), and how shed staff leave: early retirement
  (Anpassungsgeld), transfers to other sites or employers outside the city, and
  local job seekers (RAG: socially compatible, no compulsory layoffs).
* ``energy_price``: energy costs rise for every sector in proportion to its
  energy cost share; households spend less locally (defaults: the 2022 preset).
* ``demand_recession``: export and local household demand fall (defaults: the
  2020 pandemic preset, hospitality hit hardest).
* ``key_employer_failure``: the largest non-mine employer, or the largest of a
  named sector, exits.
* ``supply_disruption``: a share of imported inputs is unavailable, so firms
  that depend on imports can produce less.

Events other than the mine closure share a time profile: full strength from
``start`` for ``duration_months``, then a recovery (``abrupt``, ``linear`` or
``exponential``) over ``recovery_months``. Several events may overlap; their
effects multiply (demand, capacity) or add up (costs).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Annotated, Literal

import numpy as np
from pydantic import BeforeValidator, Field, field_validator, model_validator

from bottrop_sim.calendar import month_number, month_of_date
from bottrop_sim.errors import FieldError
from bottrop_sim.values import Section, Share, YearMonth


def _date_from_text(value: object) -> object:
    """Accept a quoted ISO date ("2018-12-21") as well as a TOML date (scenarios are validated strictly)."""
    if isinstance(value, str):
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
        raise FieldError("", value, "a date as YYYY-MM-DD, e.g. 2018-12-21")
    return value


Date = Annotated[dt.date, BeforeValidator(_date_from_text)]
"""A day: a TOML date (2018-12-21) or the same in quotes."""


class StaffPoint(Section):
    """One point of the mine's staff path."""

    month: YearMonth
    staff: Annotated[int, Field(ge=0, le=50_000, description="persons employed at the mine in that month")]


class MineClosure(Section):
    """Phase-down and closure of the mine (default: Prosper-Haniel as it happened).

    Staff follow the path linearly between points (persons at the start of each
    month); before the first point the mine keeps its scenario staff, after the
    last point it keeps the last value. Sources: WAZ series (3,267 staff in 2015,
    about 1,800 planned for 2018, about 1,400 in clean-up at closure, about 250
    RAG staff in 2019, shafts filled by end 2021); RAG (closure 21 Dec 2018).
    """

    type: Literal["mine_closure"]
    closure_date: Date = Field(dt.date(2018, 12, 21), description="day coal production stops")
    staff_path: list[StaffPoint] = Field(
        default_factory=lambda: [
            StaffPoint(month="2015-01", staff=3267),
            StaffPoint(month="2018-01", staff=1800),
            StaffPoint(month="2018-12", staff=1400),
            StaffPoint(month="2019-12", staff=250),
            StaffPoint(month="2021-12", staff=0),
        ],
        min_length=1,
        description="(month, staff) points, months strictly increasing",
    )
    early_retirement_share: Share = Field(0.55, description="share of shed staff taking early retirement (Anpassungsgeld)")
    transfer_share: Share = Field(0.20, description="share of shed staff transferred to jobs outside the city")
    job_seeker_share: Share = Field(0.25, description="share of shed staff seeking a job (locally, if they live in Bottrop)")
    cleanup_activity: Share = Field(0.5, description="activity (output, purchases) per remaining staff member after the closure date, relative to before")
    timing_shift_months: int = Field(0, ge=-120, le=120, description="moves the whole path and the closure date by this many months (for timing experiments)")
    speed: float = Field(
        1.0,
        gt=0.1,
        le=10.0,
        allow_inf_nan=False,
        description="phase-down speed: the path (and the closure date) run this many times faster from its first month; <1 stretches it",
    )

    @field_validator("staff_path")
    @classmethod
    def _months_increase(cls, path: list[StaffPoint]) -> list[StaffPoint]:
        for i, (before, after) in enumerate(itertools.pairwise(path), start=1):
            if month_number(after.month) <= month_number(before.month):
                raise FieldError(f"[{i}].month", after.month, f"a month after {before.month} (the months of staff_path must strictly increase)")
        return path

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> MineClosure:
        shares = {name: getattr(self, name) for name in ("early_retirement_share", "transfer_share", "job_seeker_share")}
        total = sum(shares.values())
        if abs(total - 1.0) > 1e-6:
            raise FieldError("+".join(shares), shares, f"shares summing to 1 (they sum to {total:.6g})")
        return self

    def _path_months(self) -> np.ndarray:
        """Month numbers of the staff path after shift and speed: m0 + shift + (m - m0) / speed (m0: its first month)."""
        months = np.array([month_number(p.month) for p in self.staff_path], float)
        return months[0] + self.timing_shift_months + (months - months[0]) / self.speed

    def closure_month(self) -> int:
        """Month number of the closure after shift and speed."""
        first = month_number(self.staff_path[0].month)
        return round(first + self.timing_shift_months + (month_of_date(self.closure_date) - first) / self.speed)

    def staff(self, month: int, base_staff: int) -> int:
        """Mine staff (persons) in month number ``month``."""
        months = self._path_months()
        staff = np.array([p.staff for p in self.staff_path], float)
        if month < months[0]:
            return int(base_staff)
        return round(float(np.interp(month, months, staff)))

    def producing(self, month: int) -> bool:
        """Whether coal is still produced in month ``month`` (the closure month counts as producing)."""
        return month <= self.closure_month()

    def window(self) -> tuple[int, int]:
        """First and last month number in which the shock acts."""
        months = self._path_months()
        return int(np.floor(months[0])), int(max(np.ceil(months[-1]), self.closure_month()))

    def act(self, month: int, effects: MonthEffects) -> None:
        """The mine's path is applied by the mine agent itself."""


class _TimedEvent(Section):
    """Time profile shared by the events other than the mine closure."""

    start: YearMonth = Field(description="first month of the shock")
    duration_months: int = Field(ge=1, le=240, description="months at full strength")
    recovery: Literal["abrupt", "linear", "exponential"] = Field("linear", description="how the shock fades after its full-strength months")
    recovery_months: int = Field(12, ge=0, le=240, description="months the recovery takes (exponential: to 5 % of full strength)")

    def intensity(self, month: int) -> float:
        """Strength 0..1 of the shock in month number ``month``."""
        begin = month_number(self.start)
        if month < begin:
            return 0.0
        after = month - begin - self.duration_months
        if after < 0:
            return 1.0
        if self.recovery == "abrupt" or self.recovery_months == 0 or after >= self.recovery_months:
            return 0.0
        if self.recovery == "linear":
            return 1.0 - (after + 1) / (self.recovery_months + 1)
        return float(np.exp(-3.0 * (after + 1) / self.recovery_months))

    def window(self) -> tuple[int, int]:
        """First and last month number in which the shock acts."""
        begin = month_number(self.start)
        return begin, begin + self.duration_months + (0 if self.recovery == "abrupt" else self.recovery_months) - 1


class MonthEffects:
    """What the active shocks do this month, per (extended) sector.

    Attributes:
        export_factor: multiplier on export demand.
        household_factor: multiplier on local household demand.
        household_energy_factor: the part of it that dearer energy takes (households pay it outside; the rest of a cut is saved).
        extra_cost: extra inputs bought outside the region, EUR per EUR of output.
        pass_through: share of the extra cost passed on: each seller's buyers pay it as a surcharge on what they buy.
        capacity_factor: multiplier on what firms can produce.
        zone_vacancy_factor: multiplier on the commuting zone's vacancies (its labour demand).
        failing: sectors (index, or -1 for any) whose largest firm fails this month.
    """

    def __init__(self, sectors: tuple[str, ...], energy_cost_share: np.ndarray, import_share_of_inputs: np.ndarray) -> None:
        n = len(sectors)
        self.sectors = sectors
        self.energy_cost_share = energy_cost_share
        self.import_share_of_inputs = import_share_of_inputs
        self.export_factor = np.ones(n)
        self.household_factor = np.ones(n)
        self.extra_cost = np.zeros(n)
        self.capacity_factor = np.ones(n)
        self.pass_through = np.zeros(n)
        self.zone_vacancy_factor = 1.0
        self.household_energy_factor = 1.0  # the part of household_factor that is dearer energy (paid outside, not saved)
        self.failing: list[int] = []

    def mask(self, names: list[str]) -> np.ndarray:
        """Sectors named (all if the list is empty)."""
        if not names:
            return np.ones(len(self.sectors), bool)
        return np.isin(np.array(self.sectors), names)

    def temporary_fall(self) -> np.ndarray:
        """Per sector, whether a temporary shock lowers its demand, raises its costs or limits its capacity this month (short-time work may begin)."""
        return (self.export_factor < 1) | (self.household_factor < 1) | (self.extra_cost > 0) | (self.capacity_factor < 1)

    @property
    def quiet(self) -> bool:
        """Whether no shock acts on the economy this month."""
        return (
            not self.failing
            and (self.export_factor == 1).all()
            and (self.household_factor == 1).all()
            and not self.extra_cost.any()
            and (self.capacity_factor == 1).all()
            and self.zone_vacancy_factor == 1
        )


class EnergyPrice(_TimedEvent):
    """Energy prices rise (defaults: the 2022 preset).

    Preset 2022: wholesale gas and electricity prices for firms rose by about
    100 % on 2021 over 2022 and eased during 2023 (Destatis, Erzeugerpreise
    gewerblicher Produkte, energy; Bundesnetzagentur). Firms pay
    ``energy_cost_share`` x ``price_rise`` x strength extra per EUR of output,
    bought outside the region; households cut local spending by
    ``household_energy_share`` x ``price_rise`` x strength (energy is about 7 %
    of household spending, Destatis EVS).
    """

    type: Literal["energy_price"]
    start: YearMonth = "2022-03"
    duration_months: int = Field(10, ge=1, le=240)
    recovery_months: int = Field(12, ge=0, le=240)
    price_rise: float = Field(1.0, ge=0.0, le=10.0, allow_inf_nan=False, description="rise of energy prices at full strength (1.0: +100 %)")
    household_energy_share: Share = Field(0.07, description="share of household spending on energy")
    pass_through: Share = Field(
        0.7,
        description="share of the extra energy cost firms pass on to their buyers through prices (stated assumption; producer prices rose with energy costs in 2022)",
    )
    pass_through_by_sector: dict[str, Share] = Field(
        default_factory=lambda: {"energy": 1.0},
        description="pass-through of named sectors (default: energy suppliers pass their fuel costs on in full, as tariffs and price clauses did)",
    )
    sectors: list[str] = Field(default_factory=list, description="sectors hit (empty: all, by their energy cost share)")

    def act(self, month: int, effects: MonthEffects) -> None:
        """Add this month's extra energy costs and households' spending cut."""
        strength = self.intensity(month)
        if strength == 0:
            return
        hit = effects.mask(self.sectors)
        effects.extra_cost[hit] += effects.energy_cost_share[hit] * self.price_rise * strength
        shares = np.array([self.pass_through_by_sector.get(name, self.pass_through) for name in effects.sectors])
        effects.pass_through = np.maximum(effects.pass_through, np.where(hit, shares, 0.0))
        cut = max(0.0, 1.0 - self.household_energy_share * self.price_rise * strength)
        effects.household_factor *= cut
        effects.household_energy_factor *= cut


class DemandRecession(_TimedEvent):
    """Export and local household demand fall (defaults: the 2020 pandemic preset).

    Preset 2020: German exports fell by about 10 % and private consumption by
    about 6 % in 2020, with the deepest fall in the second quarter and
    hospitality closed for months (Destatis, VGR 2020); here exports -15 % and
    households -10 % at full strength for three months from March 2020,
    hospitality and personal services 2.5 times as hard, recovering over 9 months.
    A recession that hits the whole commuting zone also lowers the zone's vacancies
    (``zone_vacancy_fall``; default 0: a local shock). In April 2020 the BA's stock of
    registered vacancies was 626,000, 169,000 (21 %) below a year before (BA press
    release of 30 Apr 2020).
    """

    type: Literal["demand_recession"]
    start: YearMonth = "2020-03"
    duration_months: int = Field(3, ge=1, le=240)
    recovery_months: int = Field(9, ge=0, le=240)
    export_fall: Share = Field(0.15, description="fall of export demand at full strength (share)")
    household_fall: Share = Field(0.10, description="fall of local household demand at full strength (share)")
    sector_multipliers: dict[str, Annotated[float, Field(ge=0.0, le=10.0, allow_inf_nan=False)]] = Field(
        default_factory=lambda: {"hospitality_personal": 2.5}, description="how much harder (or softer) named sectors are hit"
    )
    zone_vacancy_fall: Share = Field(
        0.0, description="fall of the commuting zone's vacancies at full strength (0: a local shock; BA, Apr 2020: registered vacancies -21 % y/y)"
    )

    def act(self, month: int, effects: MonthEffects) -> None:
        """Lower export and household demand for this month."""
        strength = self.intensity(month)
        if strength == 0:
            return
        multiplier = np.array([self.sector_multipliers.get(name, 1.0) for name in effects.sectors])
        effects.export_factor *= np.clip(1.0 - self.export_fall * strength * multiplier, 0.0, None)
        effects.household_factor *= np.clip(1.0 - self.household_fall * strength * multiplier, 0.0, None)
        effects.zone_vacancy_factor *= 1.0 - self.zone_vacancy_fall * strength


class KeyEmployerFailure(Section):
    """The largest non-mine employer (or the largest of ``sector``) fails and exits in month ``start``."""

    type: Literal["key_employer_failure"]
    start: YearMonth = Field(description="month the firm fails")
    sector: str | None = Field(None, description="sector whose largest firm fails (default: the largest firm of any sector)")

    def window(self) -> tuple[int, int]:
        """First and last month number in which the shock acts."""
        begin = month_number(self.start)
        return begin, begin

    def act(self, month: int, effects: MonthEffects) -> None:
        """Mark the failure in its month."""
        if month == month_number(self.start):
            effects.failing.append(effects.sectors.index(self.sector) if self.sector in effects.sectors else -1)


class SupplyDisruption(_TimedEvent):
    """A share of imported inputs is unavailable (e.g. a blocked supply route).

    Firms can produce only as much as their inputs allow: capacity falls by
    ``unavailable_share`` x strength x the share of the sector's inputs that is
    imported (stated assumption: no substitution within the period).
    """

    type: Literal["supply_disruption"]
    start: YearMonth = Field(description="first month of the disruption")
    duration_months: int = Field(3, ge=1, le=240)
    recovery_months: int = Field(3, ge=0, le=240)
    unavailable_share: Share = Field(0.2, description="share of imported inputs that cannot be had at full strength")
    sectors: list[str] = Field(default_factory=list, description="sectors hit (empty: all)")

    def act(self, month: int, effects: MonthEffects) -> None:
        """Lower this month's capacity of the sectors hit."""
        strength = self.intensity(month)
        if strength == 0:
            return
        hit = effects.mask(self.sectors)
        effects.capacity_factor[hit] *= 1.0 - self.unavailable_share * strength * effects.import_share_of_inputs[hit]


Shock = Annotated[MineClosure | EnergyPrice | DemandRecession | KeyEmployerFailure | SupplyDisruption, Field(discriminator="type")]
"""Any shock event (a discriminated union on ``type``)."""

SHOCK_TYPES = ("mine_closure", "energy_price", "demand_recession", "key_employer_failure", "supply_disruption")


def month_effects(shocks: list, month: int, context: MonthEffects) -> MonthEffects:
    """Combine the effects of all shocks in month number ``month`` (``context`` is filled and returned)."""
    for shock in shocks:
        shock.act(month, context)
    return context


def shock_window(shocks: list) -> tuple[int, int] | None:
    """First and last month number in which any of the shocks acts (None without shocks)."""
    if not shocks:
        return None
    windows = [shock.window() for shock in shocks]
    return min(w[0] for w in windows), max(w[1] for w in windows)
