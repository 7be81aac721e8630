"""The ``[short_time_work]`` section: the rules of short-time work (Kurzarbeit) a scenario runs under.

Defaults are the standing law (SGB III §§ 95-109, as in 2019); the pandemic rules of
2020-21 are set in ``scenarios/history_2015_2023.toml``. Sources and plausible ranges:
docs/ODD.md ("Short-time work") and docs/scenarios.md.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from bottrop_sim.errors import FieldError
from bottrop_sim.values import Section, Share


class RaisedRate(Section):
    """A higher replacement rate from a month of receipt on (Sozialschutzpaket II, 2020: months 4 and 7)."""

    from_month: Annotated[int, Field(ge=2, le=48, description="month of receipt (1 = the first month on short-time work) from which the rates apply")]
    rate: Share = Field(description="share of the lost net pay replaced, workers without children")
    rate_with_children: Share = Field(description="share of the lost net pay replaced, workers with children")


class ShortTimeWorkSpec(Section):
    """Short-time work: a firm whose orders fall in a temporary shock cuts hours instead of staff; the state pays an allowance.

    Eligibility follows SGB III § 96: a temporary loss of work from an economic cause or an
    unavoidable event (here: a month in which a temporary shock acts on the firm's sector,
    not the mine's closure, which is structural), and at least ``min_affected_share`` of the
    staff losing more than ``min_pay_loss_share`` of their gross pay. The allowance
    (Kurzarbeitergeld, § 105) is the replacement rate times the lost net pay (net =
    gross x (1 - ``households.tax_and_contributions_rate``)); the firm pays the hours worked
    and the social contributions on 80 % of the lost pay (§ 232a SGB V and the like), which
    the Bundesagentur refunded in 2020-21 (``contribution_refund_share``).
    """

    enabled: bool = Field(True, description="whether firms can put staff on short-time work (German law since 1957; false: a counterfactual without it)")
    min_affected_share: Share = Field(
        1.0 / 3.0,
        description="share of a firm's staff that must lose pay for it to qualify (SGB III § 96(1) Nr. 4: one third; 10 % from March 2020, KugV of 25 Mar 2020)",
    )
    min_pay_loss_share: Share = Field(0.10, description="share of gross pay an affected worker must lose (SGB III § 96(1) Nr. 4: more than 10 %)")
    hours_lost_per_person: float = Field(
        0.4,
        gt=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="share of a worker's hours a firm cuts when it spreads its lost work over staff (BA: ~38 % on average in April 2020; plausible 0.3..0.5)",
    )
    replacement_rate: Share = Field(0.60, description="share of the lost net pay the state pays, workers without children (SGB III § 105 Nr. 2)")
    replacement_rate_with_children: Share = Field(0.67, description="the same for workers with a child (SGB III § 105 Nr. 1)")
    share_with_children: Share = Field(
        0.35, description="share of workers paid the rate with children (stated assumption: a child with Kindergeld entitlement; plausible 0.25..0.45)"
    )
    raised_rates: list[RaisedRate] = Field(
        default_factory=list,
        description="higher rates from a month of receipt on (2020-21: 70/77 % from month 4 and 80/87 % from month 7, Sozialschutzpaket II); empty: none",
    )
    raised_rates_min_loss: Share = Field(0.5, description="share of hours a worker must lose for the raised rates (Sozialschutzpaket II: at least 50 %)")
    contribution_rate_on_lost_pay: Share = Field(
        0.32,
        description="social contributions the firm pays per EUR of lost gross pay (80 % of it x ~39.75 % total rate in 2020; plausible 0.30..0.33)",
    )
    contribution_refund_share: Share = Field(
        0.0, description="share of those contributions the Bundesagentur refunds to the firm (standing law 0; 100 % Mar 2020-Sep 2021, then 50 %)"
    )
    max_months: Annotated[int, Field(ge=1, le=48, description="longest spell in months (SGB III § 104(1): 12; up to 24 for spells begun in 2020)")] = 12
    restart_after_months: Annotated[
        int, Field(ge=1, le=24, description="months without short-time work after which a new spell may begin (SGB III § 104(3): 3)")
    ] = 3
    take_up_share: Share = Field(
        1.0,
        description="chance that an eligible firm applies when a temporary shock hits it (stated assumption; plausible 0.5..1: most eligible firms applied in 2020)",
    )

    @model_validator(mode="after")
    def _rates_consistent(self) -> ShortTimeWorkSpec:
        if self.replacement_rate_with_children < self.replacement_rate:
            raise FieldError("replacement_rate_with_children", self.replacement_rate_with_children, f"at least replacement_rate ({self.replacement_rate})")
        months = [r.from_month for r in self.raised_rates]
        if months != sorted(set(months)):
            raise FieldError("raised_rates", months, "entries in increasing from_month, each month once")
        for i, raised in enumerate(self.raised_rates):
            if raised.rate_with_children < raised.rate:
                raise FieldError(f"raised_rates[{i}].rate_with_children", raised.rate_with_children, f"at least rate ({raised.rate})")
        return self
