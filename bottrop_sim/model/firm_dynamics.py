"""Firm dynamics on the accounting arrays: staffing, exit on insolvency, entry, branches, market shares.

A mixin of :class:`~bottrop_sim.model.BottropModel`: the rules here act on the
model's firm arrays and labour market, vectorised over all firms; the agent
classes own the events that are individual (a firm's exit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from bottrop_sim.economy import finance
from bottrop_sim.governance.holders import holder_of
from bottrop_sim.model.firm import Firm

if TYPE_CHECKING:
    from bottrop_sim.economy.accounting import FirmArrays, MonthFlows
    from bottrop_sim.economy.accounts import Accounts
    from bottrop_sim.economy.households import Households
    from bottrop_sim.economy.labour import LabourMarket
    from bottrop_sim.economy.network import SupplyNetwork
    from bottrop_sim.economy.short_time_work import ShortTimeWork
    from bottrop_sim.governance.coordinator import Governance
    from bottrop_sim.model.observation import FirmPanel
    from bottrop_sim.model.population import FirmPopulation
    from bottrop_sim.scenario.schema import Scenario
    from bottrop_sim.streams import MonthlyGenerators, Streams

#: Share of a sector's mean establishment size with which a new firm starts (stated assumption:
#: start-ups are small, IfM Bonn start-up statistics).
ENTRANT_SIZE_SHARE = 0.5


class FirmDynamics:
    """Staffing with frictions, exit on insolvency, entry and branches; every euro and every EUR of demand they move is booked."""

    firms: FirmArrays
    labour: LabourMarket
    network: SupplyNetwork
    governance: Governance
    scenario: Scenario
    flows_this_month: MonthFlows
    streams: Streams
    draws: MonthlyGenerators
    population: FirmPopulation
    accounts: Accounts
    households: Households
    demand_flows: dict[str, float]
    short_time: ShortTimeWork
    panel: FirmPanel | None
    shocked_sectors: np.ndarray
    adaptive: bool
    n_sectors_ext: int
    month: int

    def release_market(self, sector: int, exogenous: float, household: float) -> None:
        """Final demand of an exiting firm: partly to surviving competitors, the rest open for entrants (both booked in ``demand_flows``)."""
        firms, n = self.firms, self.firms.size
        takeover = self.scenario.firms.market_takeover_share if self.adaptive else 0.0
        rivals = np.flatnonzero(firms.alive[:n] & (firms.sector[:n] == sector) & ~firms.is_mine[:n])
        base = firms.exogenous_demand[rivals] + firms.household_demand[rivals]
        total = base.sum()
        if len(rivals) and total > 0 and takeover > 0:
            weight = base / total
            firms.exogenous_demand[rivals] += takeover * exogenous * weight
            firms.household_demand[rivals] += takeover * household * weight
        else:
            takeover = 0.0
        self.open_market_exogenous[sector] += (1.0 - takeover) * exogenous
        self.open_market_household[sector] += (1.0 - takeover) * household
        flows = self.demand_flows
        flows["released"] += exogenous + household
        flows["taken_over"] += takeover * (exogenous + household)
        flows["opened"] += (1.0 - takeover) * (exogenous + household)

    def _lose_open_demand(self, loss_rate: float) -> None:
        """Buyers take a share of the still open demand to suppliers outside the region for good (booked as lost)."""
        if loss_rate <= 0:
            return
        lost = loss_rate * (self.open_market_exogenous + self.open_market_household)
        self.open_market_exogenous *= 1.0 - loss_rate
        self.open_market_household *= 1.0 - loss_rate
        self.demand_flows["lost_to_outside"] += float(lost.sum())

    def _apply_staff_changes(self, hires: np.ndarray, fires: np.ndarray, moved_out: np.ndarray | None = None, moved_in: np.ndarray | None = None) -> None:
        firms, n = self.firms, self.firms.size
        if moved_out is not None and moved_out.any():
            by_sector = np.bincount(firms.sector[:n], weights=moved_out, minlength=self.n_sectors_ext).astype(np.int64)
            arriving = np.bincount(firms.sector[:n], weights=moved_in, minlength=self.n_sectors_ext).astype(np.int64)
            self.labour.move(self.draws("staff_moves"), self.sector_staff(), by_sector, arriving)
            firms.headcount[:n] += moved_in - moved_out
        if fires.any():
            self.labour.separate(
                self.draws("separations"), self.sector_staff(), np.bincount(firms.sector[:n], weights=fires, minlength=self.n_sectors_ext).astype(np.int64)
            )
        if hires.any():
            self.labour.hire(self.draws("hires"), np.bincount(firms.sector[:n], weights=hires, minlength=self.n_sectors_ext).astype(np.int64))
        firms.headcount[:n] += hires - fires

    def _staff_follow_output(self) -> None:
        firms, n = self.firms, self.firms.size
        movable = firms.alive[:n] & ~firms.is_mine[:n]
        wanted = np.where(movable, np.floor(firms.output[:n] / np.where(movable, firms.productivity[:n], 1.0) + 0.5), firms.headcount[:n]).astype(np.int64)
        change = wanted - firms.headcount[:n]
        self._apply_staff_changes(np.maximum(change, 0), np.maximum(-change, 0))

    def _adapt_staff(self) -> None:
        """Turnover, layoffs and recruiting (the firm population's rule); vacancies are filled through the matching function.

        Firms eligible for short-time work in a temporary shock cut hours instead
        (:mod:`bottrop_sim.economy.short_time_work`): they lay nobody off and hire
        nobody while on it. Members of the alliance first fill each other's wanted hires with staff
        they would lay off (staff pooling); the remaining wanted hires are posted
        as vacancies; the labour market's matching function sets the share filled.
        """
        plan, movable = self.population.plan_staff(self.month, self.labour.separation_rate)
        firms, n = self.firms, self.firms.size
        target = firms.orders[:n] / np.where(movable, firms.productivity[:n], 1.0)  # short-time work follows this month's orders
        hoarded = np.where(firms.cutting_costs[:n], 0.0, self.scenario.firms.hoarding_tolerance) * firms.headcount[:n]
        would_lay_off = movable & (firms.headcount[:n] - target - hoarded >= 1.0)  # at this month's orders
        on_short_time = self.short_time.plan(self.month, firms, movable, target, would_lay_off, self.shocked_sectors[firms.sector[:n]])
        if on_short_time.any():  # short-time work instead of layoffs
            plan.layoffs[on_short_time] = 0
        wanted, layoffs, moved_out, moved_in = self.governance.adjust_staffing(plan.wanted, plan.layoffs)
        vacancies = self.population.post_vacancies(wanted)
        filling = self.labour.vacancy_filling(float(vacancies.sum()))
        hires = self.population.fill(self.month, filling, moved_in)
        self._apply_staff_changes(hires, plan.separations + layoffs, moved_out, moved_in)
        self.short_time.set_hours(firms, on_short_time, target)

    def _exit_insolvent(self, exit_after: int) -> None:
        """Firms over their credit line for ``exit_after`` consecutive months exit (counters set by :func:`finance.settle`)."""
        firms, n = self.firms, self.firms.size
        leaving = np.flatnonzero(firms.alive[:n] & ~firms.is_mine[:n] & (firms.illiquid_months[:n] >= exit_after))
        for slot in leaving:
            agent = self.firm_by_slot.pop(int(slot))
            agent.exit()

    def settle_exit(self, slot: int) -> None:
        """An exiting firm's money: the bank writes off its debt, or its cash goes to its owners; booked."""
        firms, accounts = self.firms, self.accounts
        holder = holder_of(self, slot)
        cash = float(firms.liquidity[slot])
        if cash < 0:
            accounts.pay("loan_write_off", accounts.bank, holder, -cash)
        elif cash > 0:
            residents = cash * self.scenario.firms.owner_resident_share
            accounts.pay("exit_payout", holder, accounts.households, residents)
            accounts.pay("exit_payout", holder, accounts.rest_of_world, cash - residents)
            self.households.receive(residents)
        firms.liquidity[slot] = 0.0

    def _enter(self) -> None:
        """New firms fill open local market demand (left by exits), at ``entry_speed`` per month."""
        open_total = self.open_market_exogenous + self.open_market_household
        if not open_total.any():
            return
        speed = self.scenario.firms.entry_speed
        sectors = np.flatnonzero(open_total > 0)
        demand_each = np.array([self.entrant_demand(int(sector)) for sector in sectors])
        founded = self.streams.poisson("entry", self.month, sectors, speed * open_total[sectors] / demand_each)  # keyed by sector
        for sector, each, drawn in zip(sectors, demand_each, founded, strict=True):
            count = min(int(open_total[sector] // each), int(drawn))
            if count:
                self.create_entrants(int(sector), count, float(each))

    def entrant_demand(self, sector: int) -> float:
        """Final demand a new firm of the sector starts with, EUR per month."""
        size = max(1, round(ENTRANT_SIZE_SHARE * self.sector_size[sector]))
        return size / self.sector_labour[sector]

    def _new_slots(self, count: int) -> np.ndarray:
        firms = self.firms
        old_capacity = firms.capacity
        slots = firms.add(count)
        if firms.capacity != old_capacity:
            self.network.resize(firms.capacity)
        return slots

    def create_entrants(self, sector: int, count: int, demand_each: float, capital: float | None = None, public: bool = False) -> np.ndarray:
        """Found ``count`` firms in ``sector`` that take open local demand.

        Args:
            sector: sector index.
            count: number of firms.
            demand_each: final demand each takes from the open market, EUR per month.
            capital: starting cash per firm, EUR (default: ``liquidity_months`` of its costs).
            public: whether the capital is a public grant (ledger: public funds).

        Returns:
            The new firms' slots.
        """
        firms = self.firms
        slots = self._new_slots(count)
        open_total = self.open_market_exogenous[sector] + self.open_market_household[sector]
        household_part = self.open_market_household[sector] / open_total
        self.open_market_exogenous[sector] -= count * demand_each * (1.0 - household_part)
        self.open_market_household[sector] -= count * demand_each * household_part
        firms.sector[slots] = sector
        firms.alive[slots] = True
        self._set_sector_figures(slots)
        firms.exogenous_demand[slots] = demand_each * (1.0 - household_part)
        firms.household_demand[slots] = demand_each * household_part
        headcount = max(1, int(np.floor(demand_each * self.sector_labour[sector] + 0.5)))
        self._start_firms(slots, demand_each, headcount)
        cash = firms.cash_target[slots].copy() if capital is None else np.full(count, float(capital))
        firms.liquidity[slots] = cash
        accounts, holder, total = self.accounts, int(self.holder_of_slots()[slots[0]]), float(cash.sum())
        if public:
            accounts.pay("startup_grants", accounts.city, holder, total)
        else:  # owners' capital: residents' share from their savings, the rest from outside
            residents = total * self.scenario.firms.owner_resident_share
            accounts.pay("startup_capital", accounts.households, holder, residents)
            accounts.pay("startup_capital", accounts.rest_of_world, holder, total - residents)
            self.households.pay(residents)
        self.demand_flows["entered"] += count * demand_each
        hires = np.zeros(self.n_sectors_ext, np.int64)
        hires[sector] = headcount * count
        self.labour.hire(self.draws("entrant_hires"), hires)
        if self.panel is not None:
            self.panel.note_entry(slots, headcount)
        self._connect(slots, sector)
        self.entries_this_month += count
        return slots

    def _start_firms(self, slots: np.ndarray, demand_each: float, headcount: int) -> None:
        """Set up the arrays of new firms that start with ``demand_each`` of demand and ``headcount`` staff."""
        firms = self.firms
        for name in ("expected_orders", "reference_orders", "planned"):
            getattr(firms, name)[slots] = demand_each
        firms.headcount[slots] = headcount
        firms.productivity[slots] = demand_each / headcount
        wages = headcount * firms.wage[slots]
        value_added = demand_each * (1.0 - firms.local_input_per_output[slots] - firms.import_per_output[slots])
        _, firms.fixed_costs[slots] = finance.split_value_added(np.full(len(slots), demand_each), value_added, wages, self.scenario.firms.return_on_sales)
        self._init_traits(slots)
        self._init_finance(slots)
        self.new_slots.extend(int(s) for s in slots)

    def _connect(self, slots: np.ndarray, sector: int) -> None:
        firms = self.firms
        self.network.draw_suppliers(
            self.streams.generator("new_firm_suppliers", self.month, int(slots[0])),
            slots,
            sector,
            firms.sector,
            firms.headcount,
            firms.alive,
            self.scenario.economy.suppliers_per_input,
        )
        for slot in slots:
            self.firm_by_slot[int(slot)] = Firm(self, slot)

    def open_branch(self, parent: int, sector: int, moved: int) -> int:
        """A diversifying firm opens an establishment in ``sector`` and moves ``moved`` staff into it.

        The branch's market is open demand of that sector where there is some,
        else new final demand (a new product sold outside); its starting cash
        comes from the parent. Returns the branch's slot.
        """
        firms = self.firms
        demand = moved / self.sector_labour[sector]
        open_exogenous, open_household = self.open_market_exogenous[sector], self.open_market_household[sector]
        taken = min(demand, open_exogenous + open_household)
        household = taken * open_household / (open_exogenous + open_household) if taken > 0 else 0.0
        self.open_market_household[sector] -= household
        self.open_market_exogenous[sector] -= taken - household
        self.demand_flows["branched_open"] += taken
        self.demand_flows["created"] += demand - taken  # a new product sold outside the region
        slot = self._new_slots(1)
        firms.sector[slot] = sector
        firms.alive[slot] = True
        self._set_sector_figures(slot)
        firms.exogenous_demand[slot] = demand - household
        firms.household_demand[slot] = household
        leaving = np.zeros(self.n_sectors_ext, np.int64)
        arriving = np.zeros(self.n_sectors_ext, np.int64)
        leaving[firms.sector[parent]] = moved
        arriving[sector] = moved
        self.labour.move(self.draws("branch_moves"), self.sector_staff(), leaving, arriving)
        firms.reference_orders[parent] *= 1.0 - moved / firms.headcount[parent]
        firms.headcount[parent] -= moved
        self._start_firms(slot, demand, moved)
        cash = max(0.0, min(float(firms.liquidity[parent]), float(firms.cash_target[slot[0]])))
        firms.liquidity[parent] -= cash
        firms.liquidity[slot] = cash
        holders = self.holder_of_slots()
        self.accounts.pay("branch_capital", int(holders[parent]), int(holders[slot[0]]), cash)
        firms.parent[slot] = parent
        firms.capability[slot] = firms.capability[parent]
        firms.member[slot] = firms.member[parent]
        firms.trust[slot] = firms.trust[parent]
        self._connect(slot, sector)
        self.entries_this_month += 1
        return int(slot[0])
