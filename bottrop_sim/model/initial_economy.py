"""The initial economy of :class:`~bottrop_sim.model.BottropModel`: sectors, firms, supply network, steady state, labour market.

A mixin of the model, run once by its constructor (and, for new firms'
traits and finance, by entry in :mod:`bottrop_sim.model.firm_dynamics`): the
sector figures extended by a mine kept outside the sector table, the firms
drawn per sector (log-normal sizes), their local suppliers
(:class:`~bottrop_sim.economy.network.SupplyNetwork`), the firm-level
steady state ``x = (I - M)^-1 d`` with staff, productivity and costs from it,
and the resident labour market, households, the city's budget and agglomeration
at that steady state (docs/ODD.md, section 5 "Initialization").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from bottrop_sim.economy import finance
from bottrop_sim.economy.accounting import FirmArrays
from bottrop_sim.economy.households import Households
from bottrop_sim.economy.labour import CommutingZone, LabourMarket
from bottrop_sim.economy.network import SupplyNetwork
from bottrop_sim.governance.adaptation import relatedness_matrix
from bottrop_sim.model.firm import Firm
from bottrop_sim.model.mine import Mine
from bottrop_sim.model.spillovers import Agglomeration, CityBudget
from bottrop_sim.scenario.governance import ALLIANCE_MODES

if TYPE_CHECKING:
    from bottrop_sim.economy.sector_table import SectorTable
    from bottrop_sim.scenario.schema import Scenario
    from bottrop_sim.streams import Streams

#: Value added share assumed for a mine kept outside a custom sector table (as the default table's mining row).
MINE_VALUE_ADDED_SHARE = 0.40
#: Dispersion (log-normal sigma) of firms' capability to find customers and markets, mean 1 (stated assumption).
CAPABILITY_DISPERSION = 0.3


class InitialEconomy:
    """Builds the region's economy at its steady state (attributes read here are set by :class:`~bottrop_sim.model.BottropModel`)."""

    scenario: Scenario
    table: SectorTable
    streams: Streams
    month: int

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
