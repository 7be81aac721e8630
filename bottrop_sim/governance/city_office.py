"""The city's economic development office: a hierarchical coordinator with a budget.

Once a month it spends a twelfth of its yearly budget: overhead first, then its
programmes (see :mod:`bottrop_sim.governance.programmes`) on the firms its
targeting rule picks from data ``information_lag_months`` old.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from bottrop_sim.governance.programmes import LaggedView, mine_supplier_mask, targets

if TYPE_CHECKING:
    from bottrop_sim.governance.adaptation import Adaptation
    from bottrop_sim.model import BottropModel
    from bottrop_sim.scenario.governance import CitySpec


class CityOffice(mesa.Agent):
    """The economic development office.

    Args:
        model: the model.
        spec: the office's parameters.
        adaptation: the firms' adaptation rules (grants start diversifications).
    """

    model: BottropModel

    def __init__(self, model: BottropModel, spec: CitySpec, adaptation: Adaptation) -> None:
        super().__init__(model)
        self.spec = spec
        self.adaptation = adaptation
        self.view = LaggedView(spec.information_lag_months)
        self.mine_suppliers = mine_supplier_mask(model)
        self.funds = {"diversification": 0.0, "retraining": 0.0, "startup": 0.0}
        self.spent_this_month = 0.0
        self.spent_total = 0.0
        self.grants_made = 0
        self.trainees_started = 0
        self.startups_funded = 0

    @property
    def active(self) -> bool:
        """Whether the office has any money to spend."""
        return self.spec.budget_eur_year > 0

    def before_trade(self) -> None:
        """The office's phase before trade (scheduled through Mesa's agent set): this month's spending."""
        self.act()

    def after_trade(self) -> None:
        """Nothing happens after trade: the office's programmes act before trade and when courses end."""

    def labour_flows(self) -> None:
        """Courses that end this month (after the labour market's flows)."""
        self.finish_courses()

    def act(self) -> None:
        """This month's spending (called before trade)."""
        self.spent_this_month = 0.0
        if not self.active:
            return
        model, spec = self.model, self.spec
        if (model.month % 12) == 0:  # January: last year's unused programme money lapses
            self.funds = dict.fromkeys(self.funds, 0.0)
        monthly = spec.budget_eur_year / 12.0
        self._spend(spec.overhead_share * monthly)
        accounts = model.accounts
        accounts.pay("city_programmes", accounts.city, accounts.rest_of_world, spec.overhead_share * monthly)  # the office's staff and costs
        programmes = (1.0 - spec.overhead_share) * monthly
        self.funds["diversification"] += programmes * spec.diversification_grant_share
        self.funds["retraining"] += programmes * spec.retraining_share
        self.funds["startup"] += programmes * spec.startup_grant_share
        self.view.record(model)
        view = self.view.oldest()
        if view is not None and spec.diversification_grant_share > 0:
            self._grants(view)
        if spec.retraining_share > 0:
            self._vouchers()
        if spec.startup_grant_share > 0:
            self._startups()

    def finish_courses(self) -> None:
        """Retraining courses that end this month."""
        if self.active:
            self.model.labour.finish_training(self.model.draws("city_course_ends"), self.model.month, self.spec.retraining_placement_rate)

    def _spend(self, amount: float) -> None:
        self.spent_this_month += amount
        self.spent_total += amount

    def _grants(self, view: dict[str, np.ndarray]) -> None:
        model, firms, spec = self.model, self.model.firms, self.spec
        listed = targets(model, spec, view, self.mine_suppliers)
        troubled = listed[(view["shortfall_months"][listed] > 0) & ~firms.diversify_tried[listed] & (firms.headcount[listed] >= 2)]
        for slot in troubled:
            cost = model.scenario.governance.adaptation.diversification_cost_months * firms.headcount[slot] * firms.wage[slot]
            grant = spec.grant_cost_share * cost
            if grant > self.funds["diversification"]:
                break
            if firms.liquidity[slot] < cost - grant:
                continue
            if self.adaptation.start_diversification(int(slot), float(cost), float(grant), spec.grant_success_bonus):
                self.funds["diversification"] -= grant
                self._spend(grant)
                self.grants_made += 1

    def _vouchers(self) -> None:
        spec = self.spec
        places = int(self.funds["retraining"] // spec.voucher_eur) if spec.voucher_eur > 0 else 0
        if places <= 0:
            return
        started = self.model.labour.start_training(self.model.draws("city_course_starts"), places, self.model.month + spec.training_months)
        cost = started * spec.voucher_eur
        self.funds["retraining"] -= cost
        self._spend(cost)
        accounts = self.model.accounts
        accounts.pay("city_programmes", accounts.city, accounts.rest_of_world, cost)  # vouchers, paid to training providers
        self.trainees_started += started

    def _startups(self) -> None:
        model, spec = self.model, self.spec
        while spec.startup_grant_eur > 0 and self.funds["startup"] >= spec.startup_grant_eur:
            open_total = model.open_market_exogenous + model.open_market_household
            open_total[len(model.sector_names) :] = 0.0
            sector = int(np.argmax(open_total))
            demand_each = model.entrant_demand(sector)
            if open_total[sector] < demand_each:
                return
            model.create_entrants(sector, 1, demand_each, capital=spec.startup_grant_eur, public=True)
            self.funds["startup"] -= spec.startup_grant_eur
            self._spend(spec.startup_grant_eur)
            self.startups_funded += 1
