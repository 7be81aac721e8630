"""The scenario schema: every field with its unit, default and allowed range.

Validation happens here, at the edge; the model trusts the values it is given.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from bottrop_sim.calendar import month_number
from bottrop_sim.errors import FieldError
from bottrop_sim.scenario.governance import GovernanceSpec
from bottrop_sim.scenario.short_time import ShortTimeWorkSpec
from bottrop_sim.shocks import Shock
from bottrop_sim.values import Section, Share, YearMonth

Rate = Share
"""A monthly rate, 0..1."""
MAX_SEED = 2**63 - 1
"""Largest base seed (numpy's generators take any non-negative integer; this keeps seeds in int64)."""


class EconomySpec(Section):
    """The firms and their supply network."""

    sector_table: str | None = Field(None, description="CSV sector table, relative to the scenario file; default: the shipped Bottrop 2015 table")
    firm_size_dispersion: float = Field(
        1.0, ge=0.0, le=3.0, allow_inf_nan=False, description="sigma of the log-normal establishment size distribution within a sector"
    )
    suppliers_per_input: int = Field(3, ge=1, le=50, description="local suppliers a firm draws per input sector (size-biased)")
    mine_suppliers_per_input: int = Field(25, ge=1, le=500, description="local suppliers the mine draws per input sector")
    final_demand_scale: dict[str, Annotated[float, Field(ge=0.0, le=10.0, allow_inf_nan=False)]] = Field(
        default_factory=dict, description="factor on the table's final demand of named sectors (for Bottrop without the mine use mine.enabled = false)"
    )
    spare_capacity_share: float = Field(
        0.10, ge=0.0, le=2.0, allow_inf_nan=False, description="output a firm can add with its staff before hiring, share of baseline output"
    )
    agglomeration_elasticity: float = Field(
        0.19,
        ge=0.0,
        le=0.5,
        allow_inf_nan=False,
        description=(
            "elasticity of a firm's export sales to local employment in related sectors (relatedness-weighted; Gathmann, Helm & "
            "Schoenberg 2020: agglomeration elasticity 0.19 after German mass layoffs; plausible 0..0.2; 0 switches it off)"
        ),
    )


class MineSpec(Section):
    """The mine (Bergwerk Prosper-Haniel) before any closure shock."""

    enabled: bool = Field(True, description="whether the region has the mine (false, or staff = 0: the table's mine sector has no final demand either)")
    sector: str = Field(
        "mining",
        pattern=r"^[a-z][a-z0-9_]{0,39}$",
        description="sector of the table the mine belongs to; if the table lacks it, the mine is kept outside the table",
    )
    staff: int = Field(3267, ge=0, le=50_000, description="persons employed at the start (WAZ: 3,267 in 2015)")
    resident_share: Share = Field(0.35, description="share of mine staff living in Bottrop (stated assumption; staff lived across the Ruhr)")
    output_per_staff_eur_month: float = Field(
        12_000.0, gt=0.0, le=1e7, allow_inf_nan=False, description="output per staff member, EUR per month, used when the table lacks the mine's sector"
    )
    wage_eur_month: float = Field(
        4200.0, ge=0.0, le=1e6, allow_inf_nan=False, description="gross wage, EUR per month, used when the table lacks the mine's sector"
    )
    local_purchases_eur_month: dict[str, Annotated[float, Field(ge=0.0, le=1e12, allow_inf_nan=False)]] | None = Field(
        None, description="the mine's local purchases by sector, EUR per month at full staff; default: the table's a_* coefficients of the mine's sector"
    )


class LabourSpec(Section):
    """The resident labour force and the labour market."""

    unemployment_rate_start: Share = Field(0.07, description="unemployment rate at the start (Arbeitsagentur: 6.8 % in 2018)")
    resident_share_of_jobs: Share = Field(0.508, description="share of jobs in Bottrop held by residents (23,300 of 45,876 in 2023)")
    out_commuters: int = Field(34_933, ge=0, le=1_000_000, description="residents working outside Bottrop (persons, 2023)")
    outside_wage_eur_month: float = Field(3200.0, ge=0.0, le=1e6, allow_inf_nan=False, description="gross wage of out-commuters, EUR per month")
    unemployment_benefit_eur_month: float = Field(1100.0, ge=0.0, le=1e5, allow_inf_nan=False, description="income of an unemployed resident, EUR per month")
    early_retirement_income_eur_month: float = Field(
        2500.0, ge=0.0, le=1e5, allow_inf_nan=False, description="Anpassungsgeld of a miner in early retirement, EUR per month"
    )
    job_finding_rate_start: float = Field(
        0.065,
        gt=0.0,
        le=0.5,
        allow_inf_nan=False,
        description="monthly share of unemployed residents who find a job (IAB: 7 % in 2011, 6.3 % in 2014; plausible 0.03..0.10)",
    )
    vacancy_filling_rate_start: float = Field(
        0.22,
        gt=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="monthly chance that a vacancy in Bottrop is filled at the start (BA Gelsenkirchen/Bottrop: 5,260 new vacancies 2023, stock 1,953; plausible 0.15..0.4)",
    )
    matching_elasticity: float = Field(
        0.5,
        gt=0.0,
        le=0.95,
        allow_inf_nan=False,
        description="elasticity of hires with respect to searchers in the Cobb-Douglas matching function (Petrongolo & Pissarides 2001; plausible 0.3..0.7)",
    )
    zone_labour_force: int = Field(
        2_350_000, ge=10_000, le=50_000_000, description="labour force of the commuting zone, the Ruhr (derived: 265,679 unemployed = 11.3 % in 2013, BA)"
    )
    zone_unemployment_rate_start: float = Field(
        0.107, gt=0.0, le=0.5, allow_inf_nan=False, description="the zone's unemployment rate at the start (Ruhr, BA: 10.7 % in Dec 2015)"
    )
    zone_job_finding_rate_start: float = Field(
        0.042,
        gt=0.0,
        le=0.5,
        allow_inf_nan=False,
        description="monthly job-finding rate of the zone's unemployed (derived: Gelsenkirchen 796 of 19,335 in Oct 2023; plausible 0.03..0.07)",
    )
    zone_vacancies: int = Field(
        35_000,
        ge=1,
        le=10_000_000,
        description="vacancies in the zone, held constant (derived: 93,092 notified in the Ruhr in 2013, / 12 / the filling rate 0.22)",
    )
    out_migration_rate: Rate = Field(
        0.003, description="monthly chance that an unemployed resident above the pool the zone's unemployment implies moves away (stated assumption)"
    )


class BehaviourSpec(Section):
    """Firm behaviour and finance: staffing, cost cutting, exit and entry act in the adaptive mode only; cash buffers, taxes and payouts in both."""

    hiring_rate: Rate = Field(0.25, description="share of a staff shortfall a firm tries to close per month (hires at the usual vacancy-filling rate)")
    firing_rate: Rate = Field(0.10, description="share of a staff surplus laid off per month (firing friction)")
    hoarding_tolerance: Share = Field(
        0.05, description="staff surplus, as a share of staff, kept without layoffs (labour hoarding; none while a firm cuts costs)"
    )
    expectation_smoothing: Share = Field(0.3, description="weight of the newest month's orders in expected orders")
    liquidity_months: float = Field(
        2.0,
        ge=0.0,
        le=60.0,
        allow_inf_nan=False,
        description="mean cash buffer, in months of wages and fixed costs (each firm's is in proportion to its equity ratio)",
    )
    exit_after_months: int = Field(3, ge=1, le=120, description="consecutive months over its credit line before a firm exits (insolvency)")
    market_takeover_share: Share = Field(0.5, description="share of an exiting firm's final demand taken over by surviving firms of its sector")
    entry_speed: Rate = Field(0.05, description="monthly share of open local market demand that attracts a new firm")
    idiosyncratic_demand_sd: float = Field(
        0.15,
        ge=0.0,
        le=1.0,
        allow_inf_nan=False,
        description=(
            "stationary standard deviation of a firm's idiosyncratic log demand (0.15: with persistence 0.97 an sd of yearly "
            "growth of 0.12, the low end of firm-level sales growth volatility, Comin & Mulani 2006; Davis et al. 2006; plausible 0..0.4; 0 switches it off)"
        ),
    )
    idiosyncratic_demand_persistence: float = Field(
        0.97,
        ge=0.0,
        le=0.995,
        allow_inf_nan=False,
        description="monthly autocorrelation of a firm's idiosyncratic log demand (stated assumption; plausible 0.9..0.99)",
    )
    open_demand_loss_rate: Rate = Field(0.02, description="monthly share of open local market demand that buyers take to suppliers outside the region for good")
    household_spending_elasticity: float = Field(
        1.0, ge=0.0, le=3.0, allow_inf_nan=False, description="elasticity of residents' local spending to their consumption (1: proportionally)"
    )
    return_on_sales: float = Field(
        0.06, ge=0.0, le=0.5, allow_inf_nan=False, description="owners' profit before tax per EUR of sales at the baseline (KfW-Mittelstandspanel: 5.7-7 %)"
    )
    credit_line_months: float = Field(
        1.0, ge=0.0, le=24.0, allow_inf_nan=False, description="credit line (overdraft) per firm, in months of its wages and fixed costs"
    )
    interest_rate_year: float = Field(0.05, ge=0.0, le=0.5, allow_inf_nan=False, description="interest on a drawn credit line, per year")
    cost_cut_share: Share = Field(0.2, description="share of fixed costs a firm cuts while it draws on its credit line")
    profit_tax_rate: Share = Field(0.158, description="corporate income tax with solidarity surcharge on positive profit, paid to the state")
    trade_tax_rate: Share = Field(0.1715, description="trade tax (Gewerbesteuer) on positive profit, paid to the city: 3.5 % x Hebesatz 490 %")
    owner_resident_share: Share = Field(
        0.5, description="share of firm owners' payouts and start-up capital that belongs to residents (the rest: owners outside)"
    )
    rationed_input_premium: float = Field(
        0.10, ge=0.0, le=2.0, allow_inf_nan=False, description="extra price of local inputs a rationed supplier cannot deliver, bought outside instead (share)"
    )


class HouseholdSpec(Section):
    """Resident households' budget: taxes, consumption, local and outside spending, savings."""

    saving_rate: Share = Field(0.10, description="share of disposable income saved (Destatis: about 10 % in 2015-2019)")
    tax_and_contributions_rate: Share = Field(
        0.34, description="income tax and employees' social contributions per EUR of gross wages (OECD Taxing Wages, Germany, below-average earner)"
    )
    income_smoothing: float = Field(
        0.25, gt=0.0, le=1.0, allow_inf_nan=False, description="weight of the newest month's disposable income in the income households spend from"
    )
    savings_months: float = Field(
        12.0, ge=0.0, le=240.0, allow_inf_nan=False, description="residents' net financial assets at the start, months of disposable income"
    )
    max_local_share: Share = Field(
        0.9, description="largest share of residents' consumption spent locally; local household demand beyond it is non-residents' (visitors, in-commuters)"
    )
    in_commuter_local_spending_eur_month: float = Field(
        150.0,
        ge=0.0,
        le=5000.0,
        allow_inf_nan=False,
        description=(
            "what a non-resident working in Bottrop spends there per month (lunch, shopping, fuel; stated assumption, plausible 50..300); "
            "part of the table's household demand, it follows the number of in-commuters"
        ),
    )


class CityBudgetSpec(Section):
    """The city's own tax revenue and the local purchases it pays from it (acts in the adaptive mode)."""

    income_tax_share: Share = Field(
        0.06,
        description=(
            "share of residents' income tax and contributions that goes to the city: 15 % of the income tax (Gemeindeanteil, "
            "GemFinRefG s. 1) x income tax about 40 % of the deductions (OECD Taxing Wages); plausible 0.04..0.08"
        ),
    )
    equalisation_rate: Share = Field(
        0.9, description="share of a fall in the city's tax revenue the Land makes good through key grants (GFG NRW: Ausgleichsquote 90 %)"
    )
    equalisation_lag_months: int = Field(
        18,
        ge=0,
        le=60,
        description="months until the key grants follow a change of tax revenue (GFG NRW reference period, July to June before the budget year)",
    )
    budget_smoothing: float = Field(
        1.0 / 12.0,
        gt=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="weight of the newest month's revenue in the revenue the city budgets with (annual budgets)",
    )


class Scenario(Section):
    """A complete, validated scenario."""

    name: str = Field("scenario", min_length=1, max_length=80, description="short name")
    description: str = Field("", max_length=2000, description="what question the scenario answers")
    start: YearMonth = Field("2015-01", description="first simulated month")
    end: YearMonth = Field("2035-12", description="last simulated month")
    seed: int = Field(20181221, ge=0, le=MAX_SEED, description="base seed of all random draws")
    behaviour: Literal["adaptive", "static"] = Field("adaptive", description="'static' switches off adaptation, entry and exit (an accounting check)")
    economy: EconomySpec = EconomySpec()
    mine: MineSpec = MineSpec()
    labour: LabourSpec = LabourSpec()
    firms: BehaviourSpec = BehaviourSpec()
    households: HouseholdSpec = HouseholdSpec()
    city_budget: CityBudgetSpec = CityBudgetSpec()
    governance: GovernanceSpec = GovernanceSpec()
    short_time_work: ShortTimeWorkSpec = ShortTimeWorkSpec()
    shocks: list[Shock] = Field(default_factory=list, description="shock events; a scenario minus its shocks is its counterfactual")

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: str, info: ValidationInfo) -> str:
        start = info.data.get("start")
        if start is not None and month_number(end) < month_number(start):
            raise ValueError(f"a month not before start ({start})")
        return end

    @model_validator(mode="after")
    def _consistent_shocks(self) -> Scenario:
        closures = [s for s in self.shocks if s.type == "mine_closure"]
        if len(closures) > 1:
            raise FieldError("shocks", [s.type for s in self.shocks], "at most one mine_closure shock")
        if closures and not self.mine.enabled:
            raise FieldError("mine.enabled", self.mine.enabled, "true when the scenario has a mine_closure shock (or remove the shock)")
        return self

    @property
    def months(self) -> int:
        """Number of simulated months."""
        return month_number(self.end) - month_number(self.start) + 1

    def without_shocks(self) -> Scenario:
        """The counterfactual twin: the same scenario minus its shocks."""
        return self.model_copy(update={"shocks": []})
