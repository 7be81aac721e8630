"""The Wirtschaftsallianz Bottrop: a non-hierarchical strategic alliance of firms.

The alliance is a collective agent: its members are firms (``firms.member``),
each with its own trust in it (``firms.trust``). From its founding month it
meets every ``meeting_interval_months``; a meeting updates membership, spreads
reputation, settles free-riding, brokers local supplier links and launches
joint projects. Once a year it evaluates its own indicators and re-prioritises
its projects (reflexive governance, as the real alliance did with its
monitoring instrument and Balanced Scorecard; Rabadjieva & Terstriep 2021, Sustainability 13(1) 231).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from bottrop_sim.calendar import month_number
from bottrop_sim.governance import brokerage, membership, projects
from bottrop_sim.governance.holders import holders_of

if TYPE_CHECKING:
    from bottrop_sim.model import BottropModel
    from bottrop_sim.scenario.governance import AllianceSpec


class Alliance(mesa.Agent):
    """The alliance agent.

    Args:
        model: the model.
        spec: its parameters.
        meeting_interval: months between meetings (a coordinator may change it).
        cost_relief: share of members' costs taken over by a city-funded coordinator.
        max_substitution: largest share of a buyer's imports local links may replace.
        coordinated: a coordinator paid by the city organises the alliance (hybrid), also after the project funding.
    """

    model: BottropModel

    def __init__(
        self, model: BottropModel, spec: AllianceSpec, meeting_interval: int, cost_relief: float, max_substitution: float, coordinated: bool = False
    ) -> None:
        super().__init__(model)
        self.spec = spec
        self.start_month = month_number(spec.start)
        self.funding_end_month = month_number(spec.funding_end) if spec.funding_end is not None else None
        self.meeting_interval = meeting_interval
        self.coordinated = coordinated
        self.last_meeting = self.start_month
        self.cost_relief = cost_relief
        self.max_substitution = max_substitution
        self.founded = False
        self.projects: list[projects.Project] = []
        self.priorities: dict[str, float] = dict.fromkeys(spec.labs, 1.0)
        self.attempts: dict[str, int] = {}
        self.successes: dict[str, int] = {}
        self.free_riders_since_meeting = 0
        self.contributions_since_meeting = 0
        self.brokered_links = 0
        self.brokered: list[tuple[int, int, float]] = []  # (supplier, buyer, coefficient) of the links brokered so far
        self.brokered_arrays: tuple[list, int, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None  # brokerage._link_arrays' copy
        self.premiums_eur = 0.0  # price premiums paid to brokered suppliers so far
        self.failed_links = 0  # brokered links whose supplier failed so far
        self.office_paid_month = 0.0  # public project funding of the office this month, EUR
        self.joined_total = 0
        self.left_total = 0
        self._last_evaluation: dict[str, float] | None = None

    # -- monthly hooks -------------------------------------------------------------
    def before_trade(self) -> None:
        """Founding, meetings and the yearly evaluation."""
        model = self.model
        if model.month < self.start_month:
            return
        since = model.month - self.start_month
        if not self.founded:
            self.joined_total += membership.found(model, self)
            self.founded = True
        elif model.month - self.last_meeting >= self.interval_now():
            self.meet()
            self.last_meeting = model.month
        self.office_paid_month = 0.0
        if self.office_funded():  # the office that organises meetings and labs, paid from public project funding
            accounts = model.accounts
            self.office_paid_month = self.spec.office_cost_eur_year / 12.0
            accounts.pay("alliance_office", accounts.state, accounts.rest_of_world, self.office_paid_month)
        if since > 0 and since % 12 == 0 and self.spec.reflexive_evaluation:
            self.evaluate()

    def office_funded(self) -> bool:
        """Whether the public project funding pays the alliance's office this month."""
        return self.founded and (self.funding_end_month is None or self.model.month <= self.funding_end_month)

    def organised(self) -> bool:
        """Whether someone organises the alliance's work this month: the funded office, or a city coordinator."""
        return self.office_funded() or self.coordinated

    def interval_now(self) -> int:
        """Months between meetings now: a yearly meeting once nobody organises the alliance any more."""
        return self.meeting_interval if self.organised() else self.spec.meeting_interval_after_funding_months

    def labour_flows(self) -> None:
        """Nothing happens at the labour-market phase: pooling acts within staffing (governance.pooling)."""

    def after_trade(self) -> None:
        """Members pay their costs and project contributions; projects that end are settled."""
        if not self.founded:
            return
        model, firms, n = self.model, self.model.firms, self.model.firms.size
        members = np.flatnonzero(firms.member[:n] & firms.alive[:n])
        if len(members):  # the fee is paid in cash; staff time is paid in output capacity (membership.reserve_staff_time)
            fee = self.spec.membership_cost_eur_month * (1.0 - self.cost_relief)
            firms.liquidity[members] -= fee
            model.accounts.pay_from_holders("alliance_contributions", holders_of(model, members), model.accounts.rest_of_world, np.full(len(members), fee))
        brokerage.fail_links(model, self)
        self.premiums_eur += brokerage.pay_price_premiums(model, self)
        if self.spec.projects:
            projects.collect_contributions(model, self)
            projects.finish(model, self)

    def meet(self) -> None:
        """A plenary meeting."""
        model, spec = self.model, self.spec
        joined, left = membership.update_membership(model, self)
        self.joined_total += joined
        self.left_total += left
        membership.spread_reputation(model, self)
        if self.contributions_since_meeting:
            share = self.free_riders_since_meeting / self.contributions_since_meeting
            firms, n = model.firms, model.firms.size
            members = firms.member[:n] & firms.alive[:n]
            firms.trust[:n][members] *= 1.0 - spec.free_riding_penalty * share
        self.free_riders_since_meeting = self.contributions_since_meeting = 0
        if spec.brokerage:
            self.brokered_links += brokerage.broker_links(model, self, self.max_substitution)
        if spec.projects and self.organised():  # without an office nobody runs new labs
            projects.launch(model, self)

    def evaluate(self) -> None:
        """Yearly self-evaluation: where the members fall short, projects get priority."""
        _model, firms, n = self.model, self.model.firms, self.model.firms.size
        members = firms.member[:n] & firms.alive[:n]
        now = {
            "employment": float(firms.headcount[:n][members].sum()),
            "co2_intensity": float((firms.output[:n][members] @ firms.emission_per_output[:n][members]) / max(firms.output[:n][members].sum(), 1.0)),
        }
        if self._last_evaluation is not None and self._last_evaluation["employment"] > 0:
            employment_change = now["employment"] / self._last_evaluation["employment"] - 1.0
            co2_change = now["co2_intensity"] / self._last_evaluation["co2_intensity"] - 1.0 if self._last_evaluation["co2_intensity"] > 0 else 0.0
            urgency = {
                "demand": max(0.0, -employment_change) * 10.0,
                "productivity": max(0.0, -employment_change) * 5.0,
                "co2": max(0.0, co2_change + 0.02) * 10.0,
            }
            for name, lab in self.spec.labs.items():
                attempts = self.attempts.get(name, 0)
                record = self.successes.get(name, 0) / attempts if attempts else 0.5
                self.priorities[name] = (0.5 + record) * (1.0 + urgency[lab.effect])
        self._last_evaluation = now

    # -- observation ---------------------------------------------------------------
    def member_count(self) -> int:
        """Active member firms."""
        firms, n = self.model.firms, self.model.firms.size
        return int((firms.member[:n] & firms.alive[:n]).sum())

    def trust_mean(self) -> float:
        """Mean trust of members (of all firms before anyone joined)."""
        firms, n = self.model.firms, self.model.firms.size
        alive = firms.alive[:n] & ~firms.is_mine[:n]
        members = alive & firms.member[:n]
        pool = members if members.any() else alive
        return float(firms.trust[:n][pool].mean()) if pool.any() else 0.0
