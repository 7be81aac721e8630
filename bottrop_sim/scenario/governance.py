"""Scenario sections for firm adaptation and governance (validated here, at the edge).

Every parameter has a unit, a default and an allowed range; every mechanism has
its own switch so that an experiment can turn one off and measure its
contribution. The rules behind the parameters and their sources are in
docs/ODD.md ("Submodels: adaptation and governance").
"""

from __future__ import annotations

from typing import ClassVar, Literal, get_args

from pydantic import Field, field_validator, model_validator

from bottrop_sim.errors import FieldError
from bottrop_sim.values import Euro, Months, Role, Section, Share, YearMonth

GovernanceMode = Literal["none", "city_led", "alliance", "hybrid"]
GOVERNANCE_MODES: tuple[str, ...] = get_args(GovernanceMode)
"""The governance settings, in the order the app and reports show them."""
ALLIANCE_MODES = ("alliance", "hybrid")
"""Settings in which the alliance acts."""
UNCERTAIN = {"role": "uncertainty"}
"""A field's own role: a behavioural assumption, not something decision makers set."""

LAB_TYPES = ("city_logistics", "hybrid_retail", "sustainable_business", "digital_crafts")
TARGETING_RULES = ("largest_employers", "mine_suppliers", "start_ups", "sectors")


class AdaptationSpec(Section):
    """How firms adapt on their own (acts in every governance setting, adaptive mode only)."""

    customer_search: bool = Field(True, description="firms whose orders fall search for new customers")
    search_trigger: Share = Field(0.10, description="fall of expected orders below the firm's aspiration (reference) that starts a search (share)")
    aspiration_adjustment: Share = Field(
        0.1,
        description=(
            "monthly weight of the newest expected orders in a firm's aspiration level (reference orders), "
            "A' = (1 - a) A + a E (Cyert & March 1963; Greve 2003); 0.1 a month is 0.72 a year; 0 keeps the firm's first level"
        ),
    )
    search_cost_share: Share = Field(0.005, description="search cost per month, share of the firm's reference monthly output (EUR/EUR)")
    search_success_rate: Share = Field(0.04, description="monthly chance that a search of a firm of average capability succeeds")
    search_gain_share: Share = Field(0.30, description="share of the lost orders a successful search wins back")
    local_search_share: Share = Field(0.30, description="chance that a found customer is a local firm (replacing its imports) rather than outside the region")
    max_import_substitution: Share = Field(0.30, description="largest share of a buyer's imported inputs that local suppliers can replace")
    diversification: bool = Field(True, description="firms with a lasting shortfall shift part of their activity into a related sector")
    diversification_after_months: Months = Field(12, description="months of shortfall before a firm considers diversifying")
    diversification_rate: Share = Field(0.10, description="monthly chance that an eligible firm decides to diversify")
    diversification_cost_months: float = Field(2.0, ge=0.0, le=60.0, allow_inf_nan=False, description="cost of diversifying, in months of the firm's wage bill")
    diversification_lag_months: Months = Field(12, description="months from the decision until the new activity starts")
    diversification_share: Share = Field(0.25, description="share of the firm's staff moved into the new activity")
    diversification_success: Share = Field(0.6, description="chance that the new activity finds its market (average capability)")
    green_transition: bool = Field(True, description="the green (energy retrofit) activity has its own demand path and attracts diversifying firms")
    green_sector: str = Field("green_retrofit", pattern=r"^[a-z][a-z0-9_]{0,39}$", description="sector id of the green activity in the sector table")
    green_demand_growth_per_year: float = Field(
        0.0,
        ge=-0.5,
        le=1.0,
        allow_inf_nan=False,
        description="yearly growth of the green activity's final demand (0 keeps it at its 2015 level; InnovationCity Ruhr modernised 3.3 % of homes a year)",
    )
    green_growth_start: YearMonth = Field("2015-01", description="month the green demand path starts")
    green_attraction: float = Field(
        2.0, ge=0.0, le=20.0, allow_inf_nan=False, description="weight of the green activity when a firm picks a sector to diversify into"
    )


class CitySpec(Section):
    """The city's economic development office (hierarchical, with its own budget)."""

    ROLE: ClassVar[Role] = "lever"

    budget_eur_year: Euro = Field(1_500_000.0, description="yearly budget for programmes and overhead (EUR)")
    overhead_share: Share = Field(0.20, description="share of the budget spent on administration")
    information_lag_months: int = Field(6, ge=0, le=60, description="age of the firm data the office targets with (months)")
    targeting: Literal["largest_employers", "mine_suppliers", "start_ups", "sectors"] = Field("mine_suppliers", description="which firms the office targets")
    target_sectors: list[str] = Field(default_factory=list, description="sectors targeted when targeting = 'sectors'")
    target_count: int = Field(50, ge=1, le=5000, description="firms on the office's target list at any time")
    diversification_grant_share: Share = Field(0.4, description="share of the programme budget for diversification grants")
    retraining_share: Share = Field(0.4, description="share of the programme budget for retraining vouchers")
    startup_grant_share: Share = Field(0.2, description="share of the programme budget for start-up grants")
    grant_cost_share: Share = Field(0.5, description="share of a targeted firm's diversification cost a grant covers")
    grant_success_bonus: Share = Field(0.2, description="added chance of success for a funded diversification (advice)", json_schema_extra=UNCERTAIN)
    voucher_eur: Euro = Field(6000.0, description="cost of one retraining voucher (EUR)")
    training_months: Months = Field(6, description="length of a retraining course")
    retraining_placement_rate: Share = Field(0.35, description="share of trainees who find a job right after the course", json_schema_extra=UNCERTAIN)
    startup_grant_eur: Euro = Field(30_000.0, description="one start-up grant (EUR)")

    @model_validator(mode="after")
    def _shares(self) -> CitySpec:
        total = self.diversification_grant_share + self.retraining_share + self.startup_grant_share
        if abs(total - 1.0) > 1e-6:
            raise FieldError(
                "retraining_share", self.retraining_share, f"programme shares that sum to 1 (diversification + retraining + start-up = {total:.4g})"
            )
        if self.targeting == "sectors" and not self.target_sectors:
            raise FieldError("target_sectors", self.target_sectors, "at least one sector when targeting = 'sectors'")
        return self


class LabSpec(Section):
    """One type of joint project (a real-world lab of the Wirtschaftsallianz)."""

    ROLE: ClassVar[Role] = "lever"

    enabled: bool = True
    contribution_eur_month: Euro = Field(300.0, description="contribution of each participating member per month (EUR)")
    duration_months: Months = Field(18, description="length of a project")
    participants: int = Field(8, ge=1, le=500, description="members taking part")
    success_rate: Share = Field(0.6, description="chance of success at full trust", json_schema_extra=UNCERTAIN)
    effect: Literal["demand", "productivity", "co2"] = Field("demand", description="what a success changes for the participants")
    effect_size: float = Field(
        0.03, ge=-0.5, le=0.5, allow_inf_nan=False, description="relative change (e.g. 0.03: +3 % demand; -0.1: -10 % CO2 per EUR)", json_schema_extra=UNCERTAIN
    )
    sectors: list[str] = Field(default_factory=list, description="sectors whose members take part (empty: all)")
    staff_hours_month: float = Field(
        16.0,
        ge=0.0,
        le=160.0,
        allow_inf_nan=False,
        description="staff time each participant gives the running project (hours per month; not production time; stated assumption, plausible 4..40)",
        json_schema_extra=UNCERTAIN,
    )
    gain_from_local_rivals: Share = Field(
        0.5,
        description="share of a demand lab's gain taken from local firms of the same sectors that did not take part (the rest is won from rivals outside the region; plausible 0.2..0.9)",
        json_schema_extra=UNCERTAIN,
    )


def _default_labs() -> dict[str, LabSpec]:
    return {
        "city_logistics": LabSpec(effect="co2", effect_size=-0.10, sectors=["logistics", "trade"]),
        "hybrid_retail": LabSpec(effect="demand", effect_size=0.05, sectors=["trade", "hospitality_personal"], gain_from_local_rivals=0.7),
        "sustainable_business": LabSpec(effect="co2", effect_size=-0.05, sectors=[]),
        "digital_crafts": LabSpec(
            effect="demand", effect_size=0.04, sectors=["construction", "mining_supply", "manufacturing", "green_retrofit"], gain_from_local_rivals=0.3
        ),
    }


class AllianceSpec(Section):
    """The Wirtschaftsallianz Bottrop: a non-hierarchical strategic alliance of firms."""

    ROLE: ClassVar[Role] = "lever"

    start: YearMonth = Field("2017-03", description="founding month (the real one: 23 Mar 2017)")
    founding_members: int = Field(60, ge=0, le=5000, description="firms at the founding (about 60 in 2017)")
    initial_trust: Share = Field(0.5, description="trust of firms in the alliance at the start (0: none, 1: full)", json_schema_extra=UNCERTAIN)
    membership_cost_eur_month: Euro = Field(100.0, description="membership fee per month (EUR)")
    time_cost_hours_month: float = Field(8.0, ge=0.0, le=200.0, allow_inf_nan=False, description="staff time a member spends on the alliance (hours per month)")
    meeting_interval_months: Months = Field(3, description="months between plenary meetings")
    office_cost_eur_year: Euro = Field(
        300_000.0,
        description="the alliance's office (Geschaeftsstelle: organising meetings and labs), paid by public project funding until funding_end (EUR per year; stated assumption)",
    )
    funding_end: YearMonth | None = Field(
        None,
        description="last month of the public project funding of the office (the real one ended on 30 June 2022); afterwards the alliance meets once a year and starts no new projects, unless a city coordinator (hybrid) keeps organising",
    )
    meeting_interval_after_funding_months: Months = Field(12, description="months between meetings once the funding has ended ('a regular yearly event')")
    join_rate: Share = Field(0.02, description="chance per meeting that a firm with a positive expected net benefit joins", json_schema_extra=UNCERTAIN)
    leave_rate: Share = Field(
        0.25, description="chance per meeting that a member whose expected net benefit turned negative leaves", json_schema_extra=UNCERTAIN
    )
    reputation_weight: Share = Field(
        0.1, description="per meeting, non-members' trust moves this share of the way to the members' mean trust", json_schema_extra=UNCERTAIN
    )
    peer_weight: float = Field(
        0.02, ge=0.0, le=5.0, allow_inf_nan=False, description="weight of the share of a firm's trading partners who are members", json_schema_extra=UNCERTAIN
    )
    need_weight: float = Field(
        0.05, ge=0.0, le=5.0, allow_inf_nan=False, description="weight of a firm's shortfall of orders in its expected benefit", json_schema_extra=UNCERTAIN
    )
    base_benefit: float = Field(
        0.001,
        ge=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="expected benefit of membership without need or peers (networking), per EUR of monthly value added",
        json_schema_extra=UNCERTAIN,
    )
    information_sharing: bool = Field(
        True, description="meetings share information: members notice a fall of orders sooner, search at lower cost and look among members first"
    )
    information_bonus: float = Field(
        0.5,
        ge=0.0,
        le=5.0,
        allow_inf_nan=False,
        description="members' search trigger and search cost are divided by 1 + this (sooner and cheaper search; its success is unchanged)",
        json_schema_extra=UNCERTAIN,
    )
    brokerage: bool = Field(True, description="meetings reveal members' input needs and broker local supplier links")
    brokered_links_per_meeting: int = Field(5, ge=0, le=500, description="links the alliance tries to broker per meeting")
    brokered_link_share: Share = Field(0.05, description="part of the buyer's imported inputs a brokered link replaces")
    brokered_switching_months: float = Field(
        1.0,
        ge=0.0,
        le=24.0,
        allow_inf_nan=False,
        description="a buyer's one-off cost of switching to a brokered local supplier, in months of the switched inputs (qualification, audits, contracts; stated assumption, plausible 0..6)",
        json_schema_extra=UNCERTAIN,
    )
    brokered_price_premium: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="how much dearer a brokered local supplier is than the import it replaces, paid by the buyer to the supplier every month (stated assumption, plausible 0..0.15)",
        json_schema_extra=UNCERTAIN,
    )
    brokered_failure_rate: Share = Field(
        0.02,
        description="monthly chance that a brokered supply link fails (late or faulty deliveries); most new buyer-supplier matches end within a few years (stated assumption, plausible 0.005..0.05)",
        json_schema_extra=UNCERTAIN,
    )
    brokered_failure_order_loss: Share = Field(
        0.02,
        description="share of the buyer's final demand lost for good to rivals outside the region when a brokered supplier fails (customers not served; stated assumption, plausible 0..0.05)",
        json_schema_extra=UNCERTAIN,
    )
    projects: bool = Field(True, description="members run joint projects (real-world labs)")
    max_active_projects: int = Field(4, ge=0, le=50, description="projects running at once")
    labs: dict[str, LabSpec] = Field(default_factory=_default_labs, description="the four real-world labs and their parameters")
    staff_pooling: bool = Field(True, description="a member hires another member's surplus staff before layoffs")
    pooling_min_relatedness: Share = Field(
        0.5,
        description="staff move between members only where the two sectors' skill relatedness is at least this (data/relatedness.csv; plausible 0.3..0.8)",
        json_schema_extra=UNCERTAIN,
    )
    pooling_training_months: float = Field(
        1.0,
        ge=0.0,
        le=12.0,
        allow_inf_nan=False,
        description="training a pooled person needs, in months of the receiving firm's wage x (1 - relatedness), paid to outside providers (plausible 0..3)",
        json_schema_extra=UNCERTAIN,
    )
    free_riding_propensity: Share = Field(0.3, description="chance that a member with no trust left skips its contribution", json_schema_extra=UNCERTAIN)
    trust_gain: Share = Field(0.10, description="trust gained by participants of a successful project (share of the gap to 1)", json_schema_extra=UNCERTAIN)
    trust_loss: Share = Field(0.10, description="trust lost by participants of a failed project (share of trust)", json_schema_extra=UNCERTAIN)
    free_riding_penalty: Share = Field(0.1, description="trust all members lose per unit share of free riders in a funding round", json_schema_extra=UNCERTAIN)
    reflexive_evaluation: bool = Field(True, description="once a year the alliance evaluates its indicators and re-prioritises projects")

    @field_validator("labs", mode="before")
    @classmethod
    def _merge_with_default_labs(cls, labs: object) -> object:
        """A lab given in a scenario overrides only the fields it names."""
        if not isinstance(labs, dict):
            return labs
        unknown = sorted(set(labs) - set(LAB_TYPES))
        if unknown:
            raise FieldError(unknown[0], unknown[0], f"one of the real-world labs: {', '.join(LAB_TYPES)}")
        merged: dict[str, object] = {}
        for name, default in _default_labs().items():
            given = labs.get(name, {})
            if isinstance(given, LabSpec):
                merged[name] = given
            elif isinstance(given, dict):
                merged[name] = {**default.model_dump(), **given}
            else:
                merged[name] = given
        return merged


class HybridSpec(Section):
    """Hybrid governance: the city funds a coordinator, the alliance decides."""

    ROLE: ClassVar[Role] = "lever"

    coordinator_cost_eur_year: Euro = Field(120_000.0, description="cost of the coordinator, paid from the city budget (EUR per year)")
    cost_reduction_share: Share = Field(0.3, description="share of members' money and time costs the coordinator takes over")
    meeting_interval_months: Months = Field(2, description="months between meetings with a coordinator")


class GovernanceSpec(Section):
    """Who coordinates: nobody, the city, the alliance of firms, or both."""

    ROLE: ClassVar[Role] = "lever"

    mode: GovernanceMode = Field("none", description="the governance setting")
    adaptation: AdaptationSpec = AdaptationSpec()
    city: CitySpec = CitySpec()
    alliance: AllianceSpec = AllianceSpec()
    hybrid: HybridSpec = HybridSpec()
