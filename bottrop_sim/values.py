"""Validated value types shared by scenario sections, shocks and experiment files (defined once).

* :class:`Section`: the base of every validated table: unknown keys are refused, values are frozen.
  A section's ``ROLE`` says whether its fields are levers (what decision makers set) or
  uncertainties (external conditions and assumptions), as the EMA Workbench keeps them
  apart; a field may declare its own role with ``json_schema_extra={"role": ...}``.
* ``Share`` (0..1), ``Euro`` (EUR, >= 0), ``Months`` (1..240), ``YearMonth`` (YYYY-MM).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from bottrop_sim.calendar import YEAR_MONTH_PATTERN

Role = Literal["lever", "uncertainty"]
ROLES: tuple[Role, ...] = ("lever", "uncertainty")

Share = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
"""A share or probability, 0..1."""
Euro = Annotated[float, Field(ge=0.0, le=1e10, allow_inf_nan=False)]
"""An amount of money in EUR (>= 0)."""
Months = Annotated[int, Field(ge=1, le=240)]
"""A duration in months, 1..240."""
YearMonth = Annotated[str, Field(pattern=YEAR_MONTH_PATTERN, description="month as YYYY-MM")]
"""A month as YYYY-MM."""


class Section(BaseModel):
    """Base of validated tables: unknown keys are refused and values are frozen.

    Attributes:
        ROLE: the role of the section's fields unless a field declares its own.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    ROLE: ClassVar[Role] = "uncertainty"


def check_unique_paths(items: list) -> list:
    """Refuse a list of path-keyed entries (parameters) that names a path twice (a validator helper)."""
    from bottrop_sim.errors import FieldError

    paths = [item.path for item in items]
    for i, path in enumerate(paths):
        if path in paths[:i]:
            raise FieldError(f"[{i}].path", path, "each path once")
    return items
