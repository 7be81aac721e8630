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
"""

from __future__ import annotations

import mesa
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from bottrop_sim.calendar import month_number, year_month
from bottrop_sim.economy import finance
from bottrop_sim.economy.accounting import FinalDemand, FirmArrays, MonthFlows, book_trade, trade
from bottrop_sim.economy.accounts import Accounts
from bottrop_sim.economy.households import Households
from bottrop_sim.economy.labour import CommutingZone, LabourMarket
from bottrop_sim.economy.network import SupplyNetwork
from bottrop_sim.economy.sector_table import sector_table_for
from bottrop_sim.economy.short_time_work import ShortTimeWork
from bottrop_sim.governance.adaptation import relatedness_matrix
from bottrop_sim.governance.coordinator import Governance
from bottrop_sim.governance.holders import holders_of
from bottrop_sim.model.firm import Firm
from bottrop_sim.model.firm_dynamics import FirmDynamics
from bottrop_sim.model.mine import Mine
from bottrop_sim.model.observation import FirmPanel, Observation, RecordCollector
from bottrop_sim.model.population import FirmPopulation
from bottrop_sim.model.spillovers import Agglomeration, CityBudget
from bottrop_sim.scenario.governance import ALLIANCE_MODES
from bottrop_sim.scenario.schema import Scenario
from bottrop_sim.shocks import MonthEffects, month_effects
from bottrop_sim.streams import MonthlyGenerators, Streams

#: Value added share assumed for a mine kept outside a custom sector table (as the default table's mining row).
MINE_VALUE_ADDED_SHARE = 0.40
#: Dispersion (log-normal sigma) of firms' capability to find customers and markets, mean 1 (stated assumption).
CAPABILITY_DISPERSION = 0.3


class BottropModel(FirmDynamics, Observation, mesa.Model):
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

    # ------------------------------------------------------------------ build
    def _build_sectors(self) -> None:
        table, spec = self.table, self.scenario.mine
        self.sector_names: tuple[str, ...] = table.sectors
        self.mine_sector: int | None = None
        n = table.n
        mine_outside = spec.enabled and spec.staff > 0 and spec.sector not in table.sectors
        n_ext = n + 1 if mine_outside else n
        self.n_sectors_ext = n_ext
        self.sector_names_ext = table.sectors + ((spec.sector,) if mine_outside else ())

        def extend(values: np.ndarray, extra: float) -> np.ndarray:
            return np.append(values, extra) if mine_outside else values.astype(float).copy()

        coefficients = np.zeros((n_ext, n_ext))
        coefficients[:n, :n] = table.input_coefficients
        final_demand = extend(table.final_demand, 0.0)
        for sector, factor in self.scenario.economy.final_demand_scale.items():
            final_demand[table.index(sector)] *= factor
        if (not spec.enabled or spec.staff == 0) and spec.sector in table.sectors:
            final_demand[table.index(spec.sector)] = 0.0  # no mine: nobody mines coal (the table's mining row is the mine)
        self.sector_labour = extend(table.labour_per_output, 1.0 / spec.output_per_staff_eur_month)
        self.sector_wage = extend(table.wage, spec.wage_eur_month)
        self.sector_emission = extend(table.emission_per_output, 0.0)
        self.sector_household_share = extend(table.household_share, 0.0)
        self.sector_size = extend(table.mean_establishment_size, max(spec.staff, 1))
        self.sector_skills = np.vstack([table.skill_shares, [0.1, 0.8, 0.1]]) if mine_outside else table.skill_shares
        imports = extend(table.import_per_output, 0.0)
        if spec.enabled and spec.staff > 0:
            self.mine_sector = table.index(spec.sector) if not mine_outside else n
            if mine_outside:
                mine_output = spec.staff * spec.output_per_staff_eur_month
                final_demand[n] = mine_output
                for sector, eur in (spec.local_purchases_eur_month or {}).items():
                    coefficients[table.index(sector), n] = eur / mine_output
                imports[n] = max(0.0, 1.0 - MINE_VALUE_ADDED_SHARE - coefficients[:, n].sum())
            elif spec.local_purchases_eur_month is not None:
                mine_output = float(table.leontief_output()[self.mine_sector])
                coefficients[:, self.mine_sector] = 0.0
                for sector, eur in spec.local_purchases_eur_month.items():
                    coefficients[table.index(sector), self.mine_sector] = eur / mine_output if mine_output > 0 else 0.0
        self.sector_coefficients = coefficients
        self.sector_final_demand = final_demand
        self.sector_imports = imports
        self.sector_local_inputs = coefficients.sum(axis=0)
        self.sector_energy_share = extend(table.energy_cost_share, 0.0)
        inputs = imports + self.sector_local_inputs
        self.sector_import_share_of_inputs = np.divide(imports, inputs, out=np.zeros(n_ext), where=inputs > 0)
        exogenous_share = 1.0 - self.sector_household_share
        self.sector_export_part = np.clip(np.divide(extend(table.export_share, 1.0), exogenous_share, out=np.ones(n_ext), where=exogenous_share > 0), 0.0, 1.0)

    def _build_firms(self) -> None:
        scenario, rng = self.scenario, self.streams.generator("initial_economy", self.month)
        sector_output = np.linalg.solve(np.eye(self.n_sectors_ext) - self.sector_coefficients, self.sector_final_demand)
        employment = sector_output * self.sector_labour
        slot_sector, slot_size, slot_share = [], [], []
        for s in range(self.n_sectors_ext):
            if s == self.mine_sector:
                continue
            if sector_output[s] <= 0 or self.sector_final_demand[s] <= 0:
                continue
            count = max(1, round(employment[s] / self.sector_size[s]))
            sigma = scenario.economy.firm_size_dispersion
            raw = rng.lognormal(mean=-0.5 * sigma**2, sigma=sigma, size=count) if sigma > 0 else np.ones(count)
            sizes = np.maximum(1.0, raw / raw.sum() * employment[s])
            slot_sector.append(np.full(count, s))
            slot_size.append(sizes)
            slot_share.append(sizes / sizes.sum())
        mine_count = 1 if self.mine_sector is not None else 0
        total = mine_count + sum(len(s) for s in slot_sector)
        self.firms = firms = FirmArrays(capacity=int(total * 1.5) + 16)
        slots = firms.add(total)
        sector = np.concatenate([[self.mine_sector]] * mine_count + slot_sector).astype(np.int64) if total else np.zeros(0, np.int64)
        size = np.concatenate([[float(scenario.mine.staff)]] * mine_count + slot_size) if total else np.zeros(0)
        share = np.concatenate([[1.0]] * mine_count + slot_share) if total else np.zeros(0)
        firms.sector[slots] = sector
        firms.alive[slots] = True
        if mine_count:
            firms.is_mine[0] = True
        demand = self.sector_final_demand[sector] * share
        household = self.sector_household_share[sector]
        firms.household_demand[slots] = demand * household
        firms.exogenous_demand[slots] = demand * (1.0 - household)
        if mine_count:  # the mine's final demand (its coal sales) is all exogenous
            firms.exogenous_demand[0], firms.household_demand[0] = demand[0], 0.0
        self._set_sector_figures(slots)
        self.network = SupplyNetwork(firms.capacity, self.sector_coefficients)
        for s in range(self.n_sectors_ext):
            buyers = slots[(sector == s) & ~firms.is_mine[slots]]
            self.network.draw_suppliers(rng, buyers, s, firms.sector, size_weights(size, firms.capacity), firms.alive, scenario.economy.suppliers_per_input)
        if mine_count:
            self.network.draw_suppliers(
                rng, slots[:1], self.mine_sector, firms.sector, size_weights(size, firms.capacity), firms.alive, scenario.economy.mine_suppliers_per_input
            )
        self.mine: Mine | None = None
        self.firm_by_slot: dict[int, Firm | Mine] = {}
        closure = next((s for s in scenario.shocks if s.type == "mine_closure"), None)
        for slot in slots:
            if firms.is_mine[slot]:
                self.mine = Mine(self, slot, scenario.mine.staff, closure)
                self.firm_by_slot[int(slot)] = self.mine
            else:
                self.firm_by_slot[int(slot)] = Firm(self, slot)

    def _set_sector_figures(self, slots: np.ndarray) -> None:
        firms = self.firms
        sector = firms.sector[slots]
        firms.wage[slots] = self.sector_wage[sector]
        firms.import_per_output[slots] = self.sector_imports[sector]
        firms.local_input_per_output[slots] = self.sector_local_inputs[sector]
        firms.emission_per_output[slots] = self.sector_emission[sector]
        firms.labour_per_output[slots] = self.sector_labour[sector]
        firms.born[slots] = self.month

    def _solve_baseline(self) -> None:
        """Firm-level steady state x = (I - M)^-1 d; staff, productivity and costs from it."""
        firms, n = self.firms, self.firms.size
        matrix = self.network.matrix(firms.sector)[:n, :n]
        demand = firms.exogenous_demand[:n] + firms.household_demand[:n]
        output = solve_leontief(matrix, demand)
        for name in ("output", "planned", "orders", "expected_orders"):
            getattr(firms, name)[:n] = output
        headcount = np.maximum(1, np.floor(output * firms.labour_per_output[:n] + 0.5)).astype(np.int64)
        if self.mine is not None:
            headcount[self.mine.slot] = self.scenario.mine.staff
            self.mine_base_output = float(output[self.mine.slot])
            self.mine_base_demand = float(firms.exogenous_demand[self.mine.slot])
        firms.headcount[:n] = headcount
        firms.productivity[:n] = output / headcount
        wages = headcount * firms.wage[:n]
        value_added = output * (1.0 - firms.local_input_per_output[:n] - firms.import_per_output[:n])
        _profit, firms.fixed_costs[:n] = finance.split_value_added(output, value_added, wages, self.scenario.firms.return_on_sales)
        if self.mine is not None:  # the mine makes no profit: its surplus pays its fixed costs, its result is settled by the state
            firms.fixed_costs[self.mine.slot] = value_added[self.mine.slot] - wages[self.mine.slot]
        firms.reference_orders[:n] = output
        self._init_traits(np.arange(n))
        self._init_finance(np.arange(n))
        firms.liquidity[:n] = firms.cash_target[:n]
        if self.mine is not None:
            self.mine_base_fixed_costs = float(firms.fixed_costs[self.mine.slot])
            firms.liquidity[self.mine.slot] = self.scenario.firms.liquidity_months * (wages[self.mine.slot] + max(self.mine_base_fixed_costs, 0.0))
            self.mine_liquidity = float(firms.liquidity[self.mine.slot])

    def _init_traits(self, slots: np.ndarray) -> None:
        """Capability, trust in the alliance and import base of new firms (capability keyed by the firm's slot)."""
        firms = self.firms
        sigma = CAPABILITY_DISPERSION
        firms.capability[slots] = np.exp(-0.5 * sigma**2 + sigma * self.streams.normal("capability", 0, np.atleast_1d(slots)))
        governance = self.scenario.governance
        firms.trust[slots] = governance.alliance.initial_trust if governance.mode in ALLIANCE_MODES else 0.0
        firms.import_base[slots] = firms.import_per_output[slots]
        firms.parent[slots] = -1

    def _init_finance(self, slots: np.ndarray) -> None:
        """Equity ratios (keyed by the firm's slot), cash targets and credit lines of new firms."""
        firms = self.firms
        firms.equity_ratio[slots] = finance.equity_ratios(self.streams.uniform("equity_ratio", 0, np.atleast_1d(slots)))
        finance.set_buffers(firms, slots, self.scenario.firms)

    def _build_labour(self) -> None:
        spec = self.scenario.labour
        resident_share = np.full(self.n_sectors_ext, spec.resident_share_of_jobs)
        if self.mine_sector is not None:
            resident_share[self.mine_sector] = self.scenario.mine.resident_share
        staff = self.sector_staff()
        mine_staff = int(staff[self.mine_sector]) if self.mine_sector is not None else 0
        zone = CommutingZone(
            labour_force=spec.zone_labour_force,
            unemployment_rate=spec.zone_unemployment_rate_start,
            job_finding_rate=spec.zone_job_finding_rate_start,
            vacancies=spec.zone_vacancies,
            elasticity=spec.matching_elasticity,
        )
        self.labour = LabourMarket(
            skill_shares=self.sector_skills,
            staff=staff,
            resident_share=resident_share,
            out_commuters=spec.out_commuters,
            unemployment_rate=spec.unemployment_rate_start,
            job_finding_rate=spec.job_finding_rate_start,
            vacancy_filling_rate=spec.vacancy_filling_rate_start,
            elasticity=spec.matching_elasticity,
            zone=zone,
            resident_hire_share=spec.resident_share_of_jobs,
            replacing_staff=int(staff.sum()) - mine_staff,
        )
        self.households = Households(
            self.scenario.households,
            outside_wage=spec.outside_wage_eur_month,
            benefit=spec.unemployment_benefit_eur_month,
            retirement_income=spec.early_retirement_income_eur_month,
            elasticity=self.scenario.firms.household_spending_elasticity,
        )
        firms, n = self.firms, self.firms.size
        wages = firms.headcount[:n] * firms.wage[:n]
        resident_wages = float(wages @ self.resident_wage_share()[:n])
        behaviour = self.scenario.firms
        value_added = firms.output[:n] * (1.0 - firms.local_input_per_output[:n] - firms.import_per_output[:n])
        profit = np.where(firms.is_mine[:n], 0.0, value_added - wages - firms.fixed_costs[:n])
        payouts = float(profit.sum()) * (1.0 - behaviour.profit_tax_rate - behaviour.trade_tax_rate) * behaviour.owner_resident_share
        in_commuters = float(staff.sum() - self.labour.employed_local.sum())
        self.households.start(self.labour, resident_wages, payouts, float(firms.household_demand[:n].sum()), in_commuters)
        public = firms.exogenous_demand[:n] * (1.0 - self.sector_export_part[firms.sector[:n]])
        self.city_budget = CityBudget(self.scenario.city_budget, float(public[~firms.is_mine[:n]].sum()))
        groups = self.table.variety_groups + ("mine",) * (self.n_sectors_ext - self.table.n)
        self.agglomeration = Agglomeration(relatedness_matrix(self.sector_names_ext, groups), staff, self.scenario.economy.agglomeration_elasticity)

    # ------------------------------------------------------------------ helpers
    def sector_staff(self) -> np.ndarray:
        """Persons employed per (extended) sector."""
        n = self.firms.size
        return np.bincount(self.firms.sector[:n], weights=self.firms.headcount[:n], minlength=self.n_sectors_ext).astype(np.int64)

    def holder_of_slots(self) -> np.ndarray:
        """Accounts holder index per firm slot: ``firms:<sector>``, or the mine (capacity-sized)."""
        return holders_of(self, slice(None))

    def resident_wage_share(self) -> np.ndarray:
        """Per slot: the share of its wage bill paid to residents (residents among its sector's staff), capacity-sized."""
        staff = self.sector_staff()
        residents = self.labour.employed_local.sum(axis=1)
        share = np.divide(residents, staff, out=np.zeros(len(staff)), where=staff > 0)
        return share[self.firms.sector]

    def holder_positions(self) -> np.ndarray:
        """Net money positions of the holders whose money lives outside the accounts (firms, the mine, households)."""
        firms, n, accounts = self.firms, self.firms.size, self.accounts
        live = firms.alive[:n]
        positions = np.bincount(self.holder_of_slots()[:n][live], weights=firms.liquidity[:n][live], minlength=len(accounts.holders))
        positions[accounts.households] = self.households.savings
        return positions

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

    def _settle_mine(self) -> None:
        """The mine's cash result is settled by the state (the coal subsidy).

        Hard-coal mining was subsidised until the end (coal financing law of 2007;
        federal and Land budgets): the state pays the mine's monthly deficit (a
        surplus goes back), so its cash stays at its starting level. Booked as
        ``coal_subsidy``, state -> mine.
        """
        if self.mine is None:
            return
        firms, slot = self.firms, self.mine.slot
        subsidy = self.mine_liquidity - float(firms.liquidity[slot])
        firms.liquidity[slot] = self.mine_liquidity
        self.accounts.pay("coal_subsidy", self.accounts.state, self.accounts.mine, subsidy)
        self.flows_this_month.mine_subsidies += subsidy

    def _settle_city(self) -> None:
        """The state covers the city's net spending of the month, or takes its net revenue (fiscal equalisation).

        Stated simplification: the city's general spending is part of public final
        demand, paid from the consolidated public budget; its trade tax revenue and
        its programme spending are settled with the state each month, so the city's
        position stays at its opening level (0).
        """
        accounts = self.accounts
        accounts.pay("fiscal_equalisation", accounts.state, accounts.city, -float(accounts.position[accounts.city]))


def solve_leontief(matrix: sp.csr_matrix, final_demand: np.ndarray, tolerance: float = 1e-14, max_iterations: int = 2000) -> np.ndarray:
    """Solve x = M x + d for a productive input matrix M.

    Uses the power series (fast: local input shares are small, so it converges
    in a few dozen sparse products) and falls back to a sparse direct solve.
    """
    output = final_demand.astype(float).copy()
    for _ in range(max_iterations):
        updated = final_demand + matrix @ output
        change = np.abs(updated - output).max(initial=0.0)
        output = updated
        if change <= tolerance * max(np.abs(output).max(initial=0.0), 1.0):
            return output
    n = len(final_demand)
    return np.atleast_1d(np.asarray(spla.spsolve(sp.identity(n, format="csc") - matrix.tocsc(), final_demand), float))


def size_weights(size: np.ndarray, capacity: int) -> np.ndarray:
    """Pad per-slot sizes to the arrays' capacity (for size-biased supplier draws)."""
    padded = np.zeros(capacity)
    padded[: len(size)] = size
    return padded


#: Changes of the stock of final demand firms and open markets hold (EUR per month of baseline demand), per month.
DEMAND_FLOWS = ("released", "taken_over", "opened", "entered", "branched_open", "created", "lost_to_outside")
