"""BottropModel: builds the region and orders the monthly step.

The month runs: mine staffing -> governance before trade (green demand path,
alliance meetings, city programmes) -> orders -> production -> wages and input
purchases -> liquidity -> members' contributions -> staffing (hiring and firing
frictions, staff pooling) -> customer search and diversification -> exit after
sustained illiquidity -> entry of new firms -> labour-market flows -> household
income (it sets next month's local spending) -> data collection.
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

from bottrop_sim.model.population import FirmPopulation
from bottrop_sim.calendar import month_number, year_month
from bottrop_sim.economy.accounting import FirmArrays, MonthFlows, trade
from bottrop_sim.economy.households import Households
from bottrop_sim.economy.labour import CommutingZone, LabourMarket
from bottrop_sim.economy.network import SupplyNetwork
from bottrop_sim.economy.sector_table import sector_table_for
from bottrop_sim.governance.coordinator import Governance
from bottrop_sim.model.firm import Firm
from bottrop_sim.model.firm_dynamics import FirmDynamics
from bottrop_sim.model.mine import Mine
from bottrop_sim.model.observation import Observation, RecordCollector
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

    Attributes:
        firms: per-firm arrays (the accounting core).
        network: the supply network.
        labour: resident labour market counts.
        households: resident income and local spending.
        mine: the mine agent (None if the scenario has no mine).
        indicators: this month's values (the row the DataCollector records).
        datacollector: Mesa DataCollector, one row per simulated month.
    """

    def __init__(self, scenario: Scenario | None = None, seed: int | None = None) -> None:
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
        self.governance = Governance(self)
        self.indicators: dict[str, float | str] = {}
        self.datacollector = RecordCollector(model_reporters=self._reporters())

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
        firms.fixed_costs[:n] = value_added - wages
        firms.liquidity[:n] = self.scenario.firms.liquidity_months * (wages + np.maximum(firms.fixed_costs[:n], 0.0))
        firms.reference_orders[:n] = output
        self._init_traits(np.arange(n))
        if self.mine is not None:
            self.mine_base_fixed_costs = float(firms.fixed_costs[self.mine.slot])
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
            sector_wage=self.sector_wage,
            outside_wage=spec.outside_wage_eur_month,
            benefit=spec.unemployment_benefit_eur_month,
            retirement_income=spec.early_retirement_income_eur_month,
            elasticity=self.scenario.firms.household_spending_elasticity,
        )
        self.households.start(self.labour)

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
        self.new_slots = []
        self.flows_this_month = MonthFlows()
        activity = self._update_mine()
        effects = self._shock_effects()
        self.governance.before_trade()
        n = firms.size

        household_factor = self.households.demand_factor() if self.adaptive else 1.0
        own_exogenous, own_household = self.population.demand_factors(self.month) if self.adaptive else (1.0, 1.0)
        extra_cost = None
        pass_through = None
        if effects is None:
            demand = firms.exogenous_demand * own_exogenous + firms.household_demand * own_household * household_factor
        else:
            sector = firms.sector
            export_part = self.sector_export_part[sector]
            demand = firms.exogenous_demand * own_exogenous * (1.0 + export_part * (effects.export_factor[sector] - 1.0))
            demand += firms.household_demand * own_household * household_factor * effects.household_factor[sector]
            extra_cost = effects.extra_cost[sector] if effects.extra_cost.any() else None
            pass_through = effects.pass_through[sector] if extra_cost is not None else None
        capacity = None
        if self.mine is not None:
            demand[self.mine.slot] = self.mine_base_demand * activity
        if self.adaptive:
            capacity = firms.capacity_limit(self.scenario.economy.spare_capacity_share)
            if effects is not None:
                capacity *= effects.capacity_factor[firms.sector]
            if self.mine is not None:
                capacity[self.mine.slot] = self.mine_base_output * activity * (1.0 + self.scenario.economy.spare_capacity_share)
        matrix, matrix_t = self.network.operators()
        trade(firms, matrix, matrix_t, demand, capacity, extra_cost, pass_through, into=self.flows_this_month)
        self.sector_output = np.bincount(firms.sector[:n], weights=firms.output[:n], minlength=self.n_sectors_ext)
        self._settle_mine(activity)
        if self.adaptive:
            self._pay_dividends()
        self.governance.after_trade()

        if self.adaptive:
            self._adapt_staff()
            self.governance.after_staffing()
            self._exit_illiquid(behaviour.exit_after_months)
            self._enter()
            self.labour.outside_flows(self.draws("outside_labour_market"), self.scenario.labour.out_migration_rate)
            self.governance.labour_flows()
        else:
            self._staff_follow_output()
        self.households.update(self.labour)
        n = firms.size
        firms.planned[:n] = firms.output[:n]
        for slot in self.new_slots:  # firms founded this month order inputs for their first month
            firms.planned[slot] = firms.expected_orders[slot]
        self._record()
        self.datacollector.collect(self)
        self.month += 1
        self.running = self.month <= self.end_month

    def _shock_effects(self) -> MonthEffects | None:
        """This month's effects of the scenario's shocks (None when nothing acts); failing key employers exit."""
        if not self.scenario.shocks:
            return None
        effects = month_effects(
            self.scenario.shocks, self.month, MonthEffects(self.sector_names_ext, self.sector_energy_share, self.sector_import_share_of_inputs)
        )
        for sector in effects.failing:
            self._fail_largest(sector)
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

    def _settle_mine(self, activity: float) -> None:
        """The mine's cash result is settled from outside.

        Hard-coal mining was subsidised until the end (coal financing law of 2007) and
        the clean-up is paid by the RAG foundation, so the mine's deficit or surplus is
        balanced by ``mine_subsidies`` and its cash stays at its starting level.
        """
        if self.mine is None:
            return
        firms, slot = self.firms, self.mine.slot
        subsidy = self.mine_liquidity - firms.liquidity[slot]
        firms.liquidity[slot] = self.mine_liquidity
        self.flows_this_month.mine_subsidies += float(subsidy)


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
