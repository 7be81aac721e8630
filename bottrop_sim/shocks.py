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
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from bottrop_sim.calendar import YEAR_MONTH_PATTERN, month_number, month_of_date
from bottrop_sim.errors import FieldError

YearMonth = Annotated[str, Field(pattern=YEAR_MONTH_PATTERN, description="month as YYYY-MM")]


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
Share = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StaffPoint(_Strict):
    """One point of the mine's staff path."""

    month: YearMonth
    staff: Annotated[int, Field(ge=0, le=50_000, description="persons employed at the mine in that month")]


class MineClosure(_Strict):
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

    def staff(self, month: int, base_staff: int) -> int:
        """Mine staff (persons) in month number ``month``."""
        months = np.array([month_number(p.month) for p in self.staff_path], float)
        staff = np.array([p.staff for p in self.staff_path], float)
        if month < months[0]:
            return int(base_staff)
        return round(float(np.interp(month, months, staff)))

    def producing(self, month: int) -> bool:
        """Whether coal is still produced in month ``month`` (the closure month counts as producing)."""
        return month <= month_of_date(self.closure_date)


Shock = MineClosure
"""Any shock event. With more types this becomes ``Annotated[A | B | ..., Field(discriminator="type")]``."""
