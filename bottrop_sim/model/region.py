"""BottropModel: builds the region and orders the monthly step.

The month runs: mine staffing -> governance before trade (green demand path,
alliance meetings, city programmes) -> households' budget -> orders and
production -> payments (goods, inputs, wages, fixed costs, surcharges) -> the
mine's settlement -> firm finance (interest, taxes, payouts) -> members'
contributions -> staffing (hiring and firing frictions, staff pooling) ->
customer search and diversification -> exit on insolvency -> entry of new firms
-> labour-market flows -> households' income, taxes and outside spending -> the
city's income-tax share and budget, its settlement with the state -> data collection.
In-commuters' spending, the city's purchases and agglomeration act on final demand
(:mod:`bottrop_sim.model.spillovers`). Every payment is booked in
the region's accounts (:mod:`bottrop_sim.economy.accounts`).
In the ``static`` behaviour mode there is no adaptation, entry or exit: firms
produce exactly what is ordered, staff follow output, and final demand is the
sector table's final demand column (households' part does not follow their
income).

This module holds the construction's order and the month's; the initial economy
(sectors, firms, supply network, steady state, labour market) is built in
:mod:`bottrop_sim.model.initial_economy`, the holders' money positions and the
mine's and the city's settlement with the state are in
:mod:`bottrop_sim.model.settlement`.
"""

from __future__ import annotations

import mesa
import numpy as np

from bottrop_sim.calendar import month_number, year_month
from bottrop_sim.economy import finance
from bottrop_sim.economy.accounting import FinalDemand, MonthFlows, trade
from bottrop_sim.economy.accounts import Accounts
from bottrop_sim.economy.sector_table import sector_table_for
from bottrop_sim.economy.short_time_work import ShortTimeWork
from bottrop_sim.economy.trade_booking import book_trade
from bottrop_sim.governance.coordinator import Governance
from bottrop_sim.model.firm_dynamics import FirmDynamics
from bottrop_sim.model.initial_economy import CAPABILITY_DISPERSION, MINE_VALUE_ADDED_SHARE, InitialEconomy, size_weights, solve_leontief
from bottrop_sim.model.observation import FirmPanel, Observation, RecordCollector
from bottrop_sim.model.population import FirmPopulation
from bottrop_sim.model.settlement import Settlement
from bottrop_sim.scenario.schema import Scenario
from bottrop_sim.shocks import MonthEffects, month_effects
from bottrop_sim.streams import MonthlyGenerators, Streams

__all__ = ["CAPABILITY_DISPERSION", "DEMAND_FLOWS", "MINE_VALUE_ADDED_SHARE", "BottropModel", "size_weights", "solve_leontief"]


class BottropModel(InitialEconomy, Settlement, FirmDynamics, Observation, mesa.Model):
    """The economy of Bottrop as a Mesa model.

    Args:
        scenario: a validated scenario; default: ``Scenario()`` (2015 calibration, no shocks).
        seed: base seed of all random draws; default: the scenario's seed.
        panel: also record every active firm's month (:class:`~bottrop_sim.model.observation.FirmPanel`, in ``panel``).

    Attributes:
        firms: per-firm arrays (the accounting core).
        network: the supply network.
        labour: resident labour market counts.
        households: resident income and local spending.
        mine: the mine agent (None if the scenario has no mine).
        indicators: this month's values (the row the DataCollector records).
        datacollector: Mesa DataCollector, one row per simulated month.
    """

    def __init__(self, scenario: Scenario | None = None, seed: int | None = None, *, panel: bool = False) -> None:
        scenario = scenario if scenario is not None else Scenario()
        seed = scenario.seed if seed is None else int(seed)
        super().__init__(seed=seed)
        self.scenario = scenario
        self.seed = seed
        self.adaptive = scenario.behaviour == "adaptive"
        self.table = sector_table_for(scenario)
        self.month = self.start_month = month_number(scenario.start)
        self.end_month = month_number(scenario.end)
        self.streams = Streams(seed)
        self.draws = MonthlyGenerators(self.streams, lambda: self.month)
        self.accounts = Accounts(self.table.sectors, year_month(self.month - 1))
        self.demand_flows = dict.fromkeys(DEMAND_FLOWS, 0.0)
        self.public_factor = 1.0  # this month's factor on public demand from the city's budget
        self._build_sectors()
        self._build_firms()
        self._solve_baseline()
        self._build_labour()
        self.population = FirmPopulation(self.firms, scenario.firms, self.streams, self.labour.vacancy_filling_rate_start)
        self.open_market_exogenous = np.zeros(self.n_sectors_ext)
        self.open_market_household = np.zeros(self.n_sectors_ext)
        self.exits_this_month = 0
        self.entries_this_month = 0
        self.failures = 0
        self.flows_this_month = MonthFlows()
        self.new_slots: list[int] = []
        self.short_time = ShortTimeWork(scenario.short_time_work, self.streams, 1.0 - scenario.households.tax_and_contributions_rate, self.firms.capacity)
        self.shocked_sectors = np.zeros(self.n_sectors_ext, bool)
        self.zone_vacancies_start = (
            self.labour.zone.vacancies
        )  # a zone-wide recession lowers them (shocks.DemandRecession.zone_vacancy_fall)  # sectors a temporary shock acts on this month (short-time work)
        self.governance = Governance(self)
        self.accounts.open(self.holder_positions())
        self.indicators: dict[str, float | str] = {}
        self.datacollector = RecordCollector(model_reporters=self._reporters())
        self.panel = FirmPanel(tuple(self.sector_names_ext)) if panel else None
        self.traded_this_month = False

    # ------------------------------------------------------------------ helpers
    def sector_staff(self) -> np.ndarray:
        """Persons employed per (extended) sector."""
        n = self.firms.size
        return np.bincount(self.firms.sector[:n], weights=self.firms.headcount[:n], minlength=self.n_sectors_ext).astype(np.int64)

    @property
    def date(self) -> str:
        """The month the next step simulates, 'YYYY-MM'."""
        return year_month(self.month)

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """Simulate one month."""
        if self.month > self.end_month:
            self.running = False
            return
        firms = self.firms
        behaviour = self.scenario.firms
        self.labour.reset_flows()
        self.exits_this_month = self.entries_this_month = self.failures = 0
        self.traded_this_month = False  # firms that exit before the month's trade produced nothing this month
        self.new_slots = []
        self.flows_this_month = MonthFlows()
        self.demand_flows = dict.fromkeys(DEMAND_FLOWS, 0.0)
        activity = self._update_mine()
        effects = self._shock_effects()
        self.governance.before_trade()
        plan = self.households.plan_month(self.adaptive, float(self.sector_staff().sum() - self.labour.employed_local.sum()))
        household_factor = plan.demand_factor if self.adaptive else 1.0
        own_exogenous, own_household = self.population.demand_factors(self.month) if self.adaptive else (1.0, 1.0)
        final_demand, forced_saving = self._final_demand(effects, household_factor, plan.visitor_share, activity, own_exogenous, own_household)
        capacity = None
        if self.adaptive:
            capacity = firms.capacity_limit(self.scenario.economy.spare_capacity_share)
            if effects is not None:
                capacity *= effects.capacity_factor[firms.sector]
            hours_lost = self.short_time.lost_work(firms, firms.size)
            if hours_lost.any():  # hours lost to short-time work are not worked
                worked = np.divide(firms.headcount - hours_lost, firms.headcount, out=np.ones(firms.capacity), where=firms.headcount > 0)
                capacity *= worked
            if self.mine is not None:
                capacity[self.mine.slot] = self.mine_base_output * activity * (1.0 + self.scenario.economy.spare_capacity_share)
            self.governance.reserve_staff_time(capacity)
        extra_cost = pass_through = None
        if effects is not None and effects.extra_cost.any():
            extra_cost, pass_through = effects.extra_cost[firms.sector], effects.pass_through[firms.sector]
        fixed_paid = finance.fixed_costs_paid(firms, behaviour.cost_cut_share) if self.adaptive else firms.fixed_costs
        matrix, matrix_t = self.network.operators()
        result = trade(
            firms,
            matrix,
            matrix_t,
            final_demand,
            capacity,
            fixed_paid,
            behaviour.rationed_input_premium,
            extra_cost,
            pass_through,
            into=self.flows_this_month,
            entries=self.network.entries,  # read only if the edges are needed (energy surcharges)
            hours_lost=self.short_time.hours_lost if self.short_time.hours_lost.any() else None,
        )
        self.traded_this_month = True
        n = firms.size
        holder = self.holder_of_slots()
        wage_share = self.resident_wage_share()
        grouped = self.network.place_pairs(holder, len(self.accounts.holders))
        local_paid = book_trade(self.accounts, result, holder, wage_share, plan.visitor_share, self.city_budget.city_part(self.public_factor), grouped)
        self.households.receive(self.short_time.pay(self.accounts, firms, holder, wage_share, result.cash).allowance_to_residents)
        self.households.after_trade(float(result.wages @ wage_share[:n]), local_paid)
        self.sector_output = np.bincount(firms.sector[:n], weights=firms.output[:n], minlength=self.n_sectors_ext)
        self._settle_mine()
        settled = finance.settle(firms, result.cash, behaviour, self.adaptive)
        self.households.receive(finance.book_finance(self.accounts, settled, holder, behaviour.owner_resident_share))
        self.governance.after_trade()

        if self.adaptive:
            self._adapt_staff()
            self.governance.after_staffing()
            self._exit_insolvent(behaviour.exit_after_months)
            self._lose_open_demand(behaviour.open_demand_loss_rate)
            self._enter()
            self.labour.outside_flows(self.draws("outside_labour_market"), self.scenario.labour.out_migration_rate)
            self.governance.labour_flows()
        else:
            self._staff_follow_output()
        self.households.close_month(self.labour, self.accounts, forced_saving)
        self.city_budget.close_month(self.accounts)
        self._settle_city()
        n = firms.size
        for slot in self.new_slots:  # firms founded this month start their first month from their expected orders
            firms.planned[slot] = firms.expected_orders[slot]
        self._record()
        self.accounts.close_month(self.date, self.holder_positions())
        self.datacollector.collect(self)
        if self.panel is not None:
            self.panel.collect(str(self.indicators["date"]), firms, self.population.vacancies, self.population.hires, self.short_time)
        self.month += 1
        self.running = self.month <= self.end_month

    def _final_demand(
        self,
        effects: MonthEffects | None,
        household_factor: float,
        visitor_share: float,
        activity: float,
        own_exogenous: np.ndarray | float = 1.0,
        own_household: np.ndarray | float = 1.0,
    ) -> tuple[FinalDemand, float]:
        """This month's final demand per slot by buyer, and what a recession cut from residents' local spending (saved, EUR).

        ``own_exogenous`` and ``own_household`` are the firms' idiosyncratic demand
        factors (:meth:`FirmPopulation.demand_factors`): buyers outside and the
        public buy more or less from a firm; households' spending is shifted between
        firms of a sector, its total unchanged. An energy price shock's cut of local
        household spending is not saved: it goes to dearer energy, bought outside
        (part of households' outside spending).
        """
        firms = self.firms
        sector = firms.sector
        export_part = self.sector_export_part[sector]
        exogenous = firms.exogenous_demand * own_exogenous
        exports = exogenous * export_part
        public = exogenous * (1.0 - export_part)
        self.public_factor = self.city_budget.public_factor(self.adaptive)
        if self.adaptive:  # the city's budget and agglomeration (bottrop_sim.model.spillovers)
            public = public * self.public_factor
            exports = exports * self.agglomeration.factor(self.sector_staff())[sector]
        baseline_households = firms.household_demand * own_household * household_factor
        households = baseline_households
        forced_saving = 0.0
        if effects is not None:
            exports = exports * effects.export_factor[sector]
            factor = effects.household_factor[sector]
            forced_saving = float((baseline_households * (1.0 - visitor_share) * (effects.household_energy_factor - factor)).sum())
            households = households * factor
        if self.mine is not None:
            slot = self.mine.slot
            exports[slot], public[slot], households[slot] = self.mine_base_demand * activity, 0.0, 0.0
        return FinalDemand(exports, public, households), max(forced_saving, 0.0)

    def _shock_effects(self) -> MonthEffects | None:
        """This month's effects of the scenario's shocks (None when nothing acts); failing key employers exit."""
        self.shocked_sectors[:] = False
        self.labour.zone.vacancies = self.zone_vacancies_start
        if not self.scenario.shocks:
            return None
        effects = month_effects(
            self.scenario.shocks, self.month, MonthEffects(self.sector_names_ext, self.sector_energy_share, self.sector_import_share_of_inputs)
        )
        for sector in effects.failing:
            self._fail_largest(sector)
        self.shocked_sectors[:] = effects.temporary_fall()
        self.labour.zone.vacancies = self.zone_vacancies_start * effects.zone_vacancy_factor
        return None if effects.quiet else effects

    def _fail_largest(self, sector: int) -> None:
        """The largest active non-mine firm (of ``sector``, or of any if -1) fails and exits."""
        firms, n = self.firms, self.firms.size
        candidates = firms.alive[:n] & ~firms.is_mine[:n]
        if sector >= 0:
            candidates &= firms.sector[:n] == sector
        if not candidates.any():
            return
        slot = int(np.flatnonzero(candidates)[np.argmax(firms.headcount[:n][candidates])])
        self.firm_by_slot.pop(slot).exit()
        self.failures += 1

    def _update_mine(self) -> float:
        if self.mine is None:
            return 0.0
        firms, slot = self.firms, self.mine.slot
        target = self.mine.target_staff(self.month)
        current = int(firms.headcount[slot])
        if target < current:
            sector_staff = self.sector_staff()
            self.labour.separate_mine(
                self.draws("mine_separations"), self.mine_sector, int(sector_staff[self.mine_sector]), current - target, self.mine.separation
            )
        elif target > current:
            hires = np.zeros(self.n_sectors_ext, np.int64)
            hires[self.mine_sector] = target - current
            self.labour.hire(self.draws("mine_hires"), hires)
        firms.headcount[slot] = target
        activity = self.mine.activity(self.month)
        firms.fixed_costs[slot] = self.mine_base_fixed_costs * activity  # the mine's fixed costs follow its activity
        return activity


#: Changes of the stock of final demand firms and open markets hold (EUR per month of baseline demand), per month.
DEMAND_FLOWS = ("released", "taken_over", "opened", "entered", "branched_open", "created", "lost_to_outside")
