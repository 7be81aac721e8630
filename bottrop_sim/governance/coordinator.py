"""Wires firm adaptation and the governance setting into the monthly step.

* ``none``: firms adapt alone;
* ``city_led``: plus the city's economic development office;
* ``alliance``: plus the Wirtschaftsallianz;
* ``hybrid``: the alliance, with a coordinator the city pays: members' costs fall
  by ``cost_reduction_share`` and meetings follow the coordinator's interval.

Each mechanism draws from its own keyed stream (seed, purpose, month; per
firm where a draw belongs to one firm, see ``bottrop_sim/streams.py``), so
switching a mechanism on or off does not shift the random numbers of the
others, and a month's draws do not depend on what was drawn before (common
random numbers by identity).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from bottrop_sim.governance import membership, projects
from bottrop_sim.governance.adaptation import Adaptation
from bottrop_sim.governance.alliance import Alliance
from bottrop_sim.governance.city_office import CityOffice
from bottrop_sim.governance.holders import holders_of
from bottrop_sim.governance.pooling import pool_staff
from bottrop_sim.scenario.governance import ALLIANCE_MODES

if TYPE_CHECKING:
    from bottrop_sim.model import BottropModel

#: Collective actors scheduled through Mesa's agent sets, in this order (each has before_trade, after_trade, labour_flows).
COLLECTIVE_ACTORS = (Alliance, CityOffice)


class Governance:
    """The adaptation and coordination mechanisms of one scenario.

    Args:
        model: the model (its arrays are ready; called at the end of its construction).
    """

    def __init__(self, model: BottropModel) -> None:
        spec = model.scenario.governance
        self.model = model
        self.mode = spec.mode
        self.adaptive = model.adaptive
        self.adaptation = Adaptation(model, spec.adaptation)
        self.alliance: Alliance | None = None
        self.city: CityOffice | None = None
        self.coordinator_cost_month = 0.0
        self.city_spent_month = 0.0
        self.pooled_month = 0
        self.member_layoffs_month = 0
        if not self.adaptive:
            return
        if spec.mode in ALLIANCE_MODES:
            hybrid = spec.mode == "hybrid"
            self.alliance = Alliance(
                model,
                spec.alliance,
                meeting_interval=spec.hybrid.meeting_interval_months if hybrid else spec.alliance.meeting_interval_months,
                cost_relief=spec.hybrid.cost_reduction_share if hybrid else 0.0,
                max_substitution=spec.adaptation.max_import_substitution,
                coordinated=hybrid,
            )
            if hybrid:
                self.coordinator_cost_month = spec.hybrid.coordinator_cost_eur_year / 12.0
        if spec.mode == "city_led":
            self.city = CityOffice(model, spec.city, self.adaptation)
        if self.alliance is not None and spec.alliance.information_sharing:
            self.adaptation.information_bonus = spec.alliance.information_bonus

    def _collective_actors(self, phase: str) -> None:
        """Run one phase of the month for the collective actors, through Mesa's agent sets (one set per type).

        The alliance and the city office are Mesa agents registered with the
        model; ``model.agents_by_type`` holds one ``AgentSet`` per type, and
        ``AgentSet.do`` calls the phase's method on each member (at most one of
        each exists in a setting, so the order between them does not matter).
        """
        by_type = self.model.agents_by_type
        for kind in COLLECTIVE_ACTORS:
            if kind in by_type:
                by_type[kind].do(phase)

    @property
    def pooling(self) -> bool:
        """Whether members pool staff this month."""
        return self.alliance is not None and self.alliance.founded and self.alliance.spec.staff_pooling

    def before_trade(self) -> None:
        """Green demand path, the alliance's meetings, the city's programmes."""
        if not self.adaptive:
            return
        self.city_spent_month = 0.0
        self.pooled_month = self.member_layoffs_month = 0
        self.adaptation.grow_green_demand()
        self._collective_actors("before_trade")
        if self.alliance is not None and self.alliance.founded:
            self.city_spent_month += self.coordinator_cost_month
            accounts = self.model.accounts
            accounts.pay("city_programmes", accounts.city, accounts.rest_of_world, self.coordinator_cost_month)  # the coordinator
        if self.city is not None:
            self.city_spent_month += self.city.spent_this_month

    def reserve_staff_time(self, capacity: np.ndarray) -> None:
        """Members' staff time for the alliance is not production time: their output capacity shrinks by it (in place)."""
        if self.alliance is not None and self.alliance.founded:
            membership.reserve_staff_time(self.model, self.alliance, capacity)
            projects.reserve_staff_time(self.alliance, capacity, self.model.firms.productivity)

    def after_trade(self) -> None:
        """Members' costs and contributions, projects that end."""
        if self.adaptive:
            self._collective_actors("after_trade")

    def adjust_staffing(self, hires: np.ndarray, fires: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Staff pooling among members; returns (hires, fires, moved out, moved in) per firm."""
        n = len(hires)
        member = self.model.firms.member[:n]
        if not self.pooling:
            zeros = np.zeros_like(hires)
            self.member_layoffs_month = int(fires[member].sum())
            return hires, fires, zeros, zeros
        model, spec = self.model, self.alliance.spec
        firms = model.firms
        hires, fires, out_of, into, distance = pool_staff(member, hires, fires, firms.sector[:n], self.adaptation.relatedness, spec.pooling_min_relatedness)
        training = spec.pooling_training_months * distance * firms.wage[:n]
        receiving = np.flatnonzero(training > 0)
        if len(receiving):  # the receiving member pays the pooled staff's training, to outside providers
            firms.liquidity[receiving] -= training[receiving]
            model.accounts.pay_from_holders("pooling_training", holders_of(model, receiving), model.accounts.rest_of_world, training[receiving])
        self.pooled_month = int(out_of.sum())
        self.member_layoffs_month = int(fires[member].sum())
        return hires, fires, out_of, into

    def after_staffing(self) -> None:
        """Firms search for customers and diversify."""
        if self.adaptive:
            self.adaptation.adapt()

    def labour_flows(self) -> None:
        """Retraining courses that end this month."""
        self._collective_actors("labour_flows")

    def indicators(self) -> dict[str, float]:
        """This month's governance columns of the time series."""
        model, firms, n = self.model, self.model.firms, self.model.firms.size
        alive = firms.alive[:n]
        green = self.adaptation.green
        members = firms.member[:n] & alive
        planned = firms.planned[:n][members]
        local = float(planned @ firms.local_input_per_output[:n][members])
        inputs = local + float(planned @ firms.import_per_output[:n][members])
        return {
            "alliance_members": self.alliance.member_count() if self.alliance is not None else 0,
            "alliance_projects_active": len(self.alliance.projects) if self.alliance is not None else 0,
            "alliance_trust_mean": self.alliance.trust_mean() if self.alliance is not None else 0.0,
            "alliance_local_sourcing_share": local / inputs if inputs > 0 else 0.0,
            "alliance_brokered_links": self.alliance.brokered_links if self.alliance is not None else 0,
            "alliance_failed_links": self.alliance.failed_links if self.alliance is not None else 0,
            "pooled_staff": self.pooled_month,
            "member_layoffs": self.member_layoffs_month,
            "city_budget_spent_eur": self.city_spent_month if self.adaptive else 0.0,
            "public_money_eur": (self.city_spent_month + (self.alliance.office_paid_month if self.alliance is not None else 0.0)) if self.adaptive else 0.0,
            "trainees": int(model.labour.in_training.sum()),
            "firms_diversified": int(np.count_nonzero(firms.diversified[:n] & alive)),
            "green_jobs": int(firms.headcount[:n][alive & (firms.sector[:n] == green)].sum()) if green is not None else 0,
            "search_successes": self.adaptation.search_successes,
        }
