"""What the model records each month: the time-series row, its DataCollector reporters, the network view.

A mixin of :class:`~bottrop_sim.model.BottropModel`; every column is described in
docs/ODD.md ("Observation").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from bottrop_sim.calendar import year_month

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from bottrop_sim.economy.accounting import FirmArrays, MonthFlows
    from bottrop_sim.economy.households import Households
    from bottrop_sim.economy.labour import LabourMarket
    from bottrop_sim.economy.network import SupplyNetwork
    from bottrop_sim.economy.short_time_work import ShortTimeWork


#: The time-series columns before the per-sector ones, in their order (see docs/ODD.md, "Observation").
BASE_COLUMNS = (
    "date", "employment_workplace", "mine_employment", "firm_employment", "unemployed", "unemployment_rate",
    "labour_force", "residents_employed_local", "in_commuters", "out_commuters", "retired", "moved_away",
    "hires", "separations", "vacancies", "vacancy_filling_rate", "job_finding_rate", "resident_share_of_hires",
    "zone_unemployment_rate", "firms", "firm_entries", "firm_exits", "value_added_eur", "output_eur",
    "final_demand_eur", "imports_eur", "wages_eur", "co2_t", "local_sourcing_share", "resident_income_eur",
    "liquidity_eur", "mine_subsidies_eur", "alliance_members", "alliance_projects_active", "alliance_trust_mean",
    "alliance_local_sourcing_share", "alliance_brokered_links", "alliance_failed_links", "pooled_staff", "member_layoffs", "city_budget_spent_eur", "public_money_eur",
    "trainees", "firms_diversified", "green_jobs", "search_successes", "key_employer_failures", "network_robustness",
    "short_time_workers", "short_time_hours_lost", "short_time_firms", "short_time_allowance_eur",
)  # fmt: skip


def record_columns(sector_names: tuple[str, ...]) -> list[str]:
    """Every time-series column of a run over the given sectors (no model needs to be built to know them)."""
    return [*BASE_COLUMNS, *(f"output_{name}" for name in sector_names), *(f"employment_{name}" for name in sector_names)]


PANEL_COLUMNS = (
    "date", "firm", "sector", "mine", "parent", "headcount", "output", "orders", "liquidity", "vacancies", "hires", "member",
    "wage", "short_time_workers", "short_time_hours_share", "short_time_month", "exited",
)  # fmt: skip
"""Columns of the per-firm panel (:class:`FirmPanel`): one row per active firm (and the mine) and month, and one for
each firm in the month it exits."""


class FirmPanel:
    """Per-firm monthly records for researchers: each month, the state of every active firm after its step.

    ``firm`` is the firm's slot, its identity for the whole run (slots are never
    reused); ``mine`` marks the mine's row; ``parent`` the slot of the firm that opened it as a branch (-1 if
    none); ``sector`` the sector's name; money in EUR per month (``liquidity``:
    EUR at the month's end); ``vacancies`` and ``hires`` in persons; ``wage`` the gross wage, EUR per
    person-month; ``short_time_workers`` the persons on short-time work this month, ``short_time_hours_share``
    the share of their hours each lost, ``short_time_month`` the month of the spell (1 = first; 0: none).

    A firm that exits has a last row in its exit month, ``exited`` True: what it
    produced, was ordered and hired that month (nothing if it failed before the
    month's trade), with its staff and cash after the exit (0: its staff were
    separated, its money settled). So the panel's sums over firms equal the
    month's time series also in months with exits.
    """

    def __init__(self, sector_names: tuple[str, ...]) -> None:
        self.sector_names = np.asarray(sector_names, dtype=object)
        self._months: list[dict[str, np.ndarray]] = []
        self._exits: list[dict[str, object]] = []  # this month's exiting firms, until collect
        self._starting_staff: dict[int, int] = {}  # staff hired by this month's new firms at their start, until collect

    def note_entry(self, slots: np.ndarray, staff: int) -> None:
        """New firms hired ``staff`` persons each at their start (counted in their first month's ``hires``)."""
        for slot in slots:
            self._starting_staff[int(slot)] = self._starting_staff.get(int(slot), 0) + int(staff)

    def note_exit(self, slot: int, firms: FirmArrays, traded: bool, vacancies: np.ndarray, hires: np.ndarray, short_time: ShortTimeWork | None = None) -> None:
        """Keep an exiting firm's last row (called before its arrays are cleared).

        Args:
            slot: the firm.
            firms: the firm arrays.
            traded: whether this month's trade has happened (a firm failing before it produced and hired nothing).
            vacancies: vacancies posted this month per slot (persons).
            hires: hires this month per slot (persons).
            short_time: the firms' short-time work (its payments this month).
        """
        persons, share, spell = 0, 0.0, 0
        if traded and short_time is not None and len(short_time.paid_persons) > slot:
            persons = int(short_time.paid_persons[slot])
            share = float(short_time.paid_hours_lost[slot]) / persons if persons > 0 else 0.0
            spell = int(short_time.paid_month[slot])
        self._exits.append(
            {
                "firm": int(slot),
                "sector": self.sector_names[min(int(firms.sector[slot]), len(self.sector_names) - 1)],
                "mine": False,
                "parent": int(firms.parent[slot]),
                "headcount": 0,
                "output": float(firms.output[slot]) if traded else 0.0,
                "orders": float(firms.orders[slot]) if traded else 0.0,
                "liquidity": 0.0,
                "vacancies": float(vacancies[slot]) if traded and len(vacancies) > slot else 0.0,
                "hires": int(hires[slot]) if traded and len(hires) > slot else 0,
                "member": False,
                "wage": float(firms.wage[slot]),
                "short_time_workers": persons,
                "short_time_hours_share": share,
                "short_time_month": spell,
                "exited": True,
            }
        )

    def collect(self, date: str, firms: FirmArrays, vacancies: np.ndarray, hires: np.ndarray, short_time: ShortTimeWork | None = None) -> None:
        """Append this month's rows (copies of the arrays of the active slots)."""
        n = firms.size
        slots = np.flatnonzero(firms.alive[:n])
        persons = np.zeros(len(slots), np.int64)
        share = np.zeros(len(slots))
        spell = np.zeros(len(slots), np.int64)
        if short_time is not None and len(short_time.paid_persons) >= n:
            persons = short_time.paid_persons[slots].astype(np.int64)
            share = np.divide(short_time.paid_hours_lost[slots], persons, out=np.zeros(len(slots)), where=persons > 0)
            spell = short_time.paid_month[slots].astype(np.int64)
        self._months.append(
            {
                "date": np.full(len(slots), date, dtype=object),
                "firm": slots.astype(np.int64),
                "sector": self.sector_names[np.minimum(firms.sector[slots], len(self.sector_names) - 1)],
                "mine": firms.is_mine[slots].astype(bool),
                "parent": firms.parent[slots].astype(np.int64),
                "headcount": firms.headcount[slots].astype(np.int64),
                "output": firms.output[slots].astype(float),
                "orders": firms.orders[slots].astype(float),
                "liquidity": firms.liquidity[slots].astype(float),
                "vacancies": vacancies[slots].astype(float) if len(vacancies) >= n else np.zeros(len(slots)),
                "hires": hires[slots].astype(np.int64) if len(hires) >= n else np.zeros(len(slots), np.int64),
                "member": firms.member[slots].astype(bool),
                "wage": firms.wage[slots].astype(float),
                "short_time_workers": persons,
                "short_time_hours_share": share,
                "short_time_month": spell,
                "exited": np.zeros(len(slots), bool),
            }
        )
        if self._starting_staff:  # new firms' starting staff are their first hires
            month = self._months[-1]
            month["hires"] = month["hires"].copy()
            position = {int(firm): i for i, firm in enumerate(month["firm"])}
            for slot, staff in self._starting_staff.items():
                month["hires"][position[slot]] += staff
            self._starting_staff = {}
        if self._exits:  # the month's exiting firms, in slot order among the others
            month = self._months[-1]
            for column in PANEL_COLUMNS:
                if column != "date":
                    month[column] = np.concatenate([month[column], np.array([row[column] for row in self._exits], dtype=month[column].dtype)])
            month["date"] = np.full(len(month["firm"]), date, dtype=object)
            order = np.argsort(month["firm"], kind="stable")
            for column in PANEL_COLUMNS:
                month[column] = month[column][order]
            self._exits = []

    def frame(self) -> pd.DataFrame:
        """All rows collected so far, in month and slot order."""
        import pandas as pd

        if not self._months:
            return pd.DataFrame({column: [] for column in PANEL_COLUMNS})
        return pd.DataFrame({column: np.concatenate([month[column] for month in self._months]) for column in PANEL_COLUMNS})


class RecordCollector(mesa.DataCollector):
    """Mesa's DataCollector, filled from the row :meth:`Observation._record` has built.

    Mesa's ``collect`` calls one reporter per column and deep-copies each value;
    here the values are numbers and strings already copied out of the model's
    arrays, so ``collect`` appends the row's values as they are. The reporters
    stay (they name the columns and work for anyone calling them).
    """

    def collect(self, model: mesa.Model) -> None:
        """Append this month's row (``model.indicators``) to the model variables."""
        row = model.indicators
        for column, values in self.model_vars.items():
            values.append(row[column])


class Observation:
    """The monthly record of the model (``indicators``) and views on its state."""

    firms: FirmArrays
    labour: LabourMarket
    households: Households
    network: SupplyNetwork
    flows_this_month: MonthFlows
    short_time: ShortTimeWork
    indicators: dict[str, float | str]
    month: int
    start_month: int

    def _record(self) -> None:
        firms, n, labour, flows = self.firms, self.firms.size, self.labour, self.flows_this_month
        alive = firms.alive[:n]
        workplace = int(firms.headcount[:n].sum())
        mine_staff = int(firms.headcount[self.mine.slot]) if self.mine is not None else 0
        inputs = flows.local_purchases + flows.imports
        employed_local = int(labour.employed_local.sum())
        row: dict[str, float | str] = {
            "date": year_month(self.month),
            "employment_workplace": workplace,
            "mine_employment": mine_staff,
            "firm_employment": workplace - mine_staff,
            "unemployed": int(labour.unemployed.sum()),
            "unemployment_rate": labour.unemployment_rate(),
            "labour_force": labour.labour_force(),
            "residents_employed_local": employed_local,
            "in_commuters": workplace - employed_local,
            "out_commuters": int(labour.out_commuters.sum()),
            "retired": int(labour.retired.sum()),
            "moved_away": int(labour.moved_away.sum()),
            "hires": labour.flows["hires"],
            "separations": labour.flows["separations"],
            "vacancies": round(labour.vacancies),
            "vacancy_filling_rate": labour.vacancy_filling_rate,
            "job_finding_rate": labour.job_finding_rate(),
            "resident_share_of_hires": labour.flows["hires_from_unemployment"] / labour.flows["hires"] if labour.flows["hires"] else 0.0,
            "zone_unemployment_rate": labour.zone.unemployment_rate(),
            "firms": int(alive.sum() - (1 if self.mine is not None else 0)),
            "firm_entries": self.entries_this_month,
            "firm_exits": self.exits_this_month,
            "value_added_eur": flows.value_added,
            "output_eur": flows.output,
            "final_demand_eur": flows.final_demand,
            "imports_eur": flows.imports,
            "wages_eur": flows.wages,
            "co2_t": flows.co2_t,
            "local_sourcing_share": flows.local_purchases / inputs if inputs > 0 else 0.0,
            "resident_income_eur": self.households.income,
            "liquidity_eur": float(firms.liquidity[:n][alive].sum()),
            "mine_subsidies_eur": flows.mine_subsidies,
            "key_employer_failures": self.failures,
            "network_robustness": self._network_robustness(),
            "short_time_workers": self.short_time.month_totals.persons,
            "short_time_hours_lost": self.short_time.month_totals.hours_lost,
            "short_time_firms": self.short_time.month_totals.firms,
            "short_time_allowance_eur": self.short_time.month_totals.allowance,
            **self.governance.indicators(),
        }
        staff = np.bincount(firms.sector[:n], weights=firms.headcount[:n], minlength=self.n_sectors_ext)
        output_columns, employment_columns = self._sector_columns()
        count = len(output_columns)
        row.update(zip(output_columns, self.sector_output[:count].tolist(), strict=True))  # tolist: the same Python floats as float(x)
        row.update(zip(employment_columns, [int(value) for value in staff[:count].tolist()], strict=True))
        self.indicators = row

    def _sector_columns(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The per-sector column names (output, employment), made once."""
        columns = getattr(self, "_sector_column_names", None)
        if columns is None:
            columns = self._sector_column_names = (
                tuple(f"output_{name}" for name in self.sector_names),
                tuple(f"employment_{name}" for name in self.sector_names),
            )
        return columns

    def _reporters(self) -> dict[str, object]:
        return {column: (lambda model, key=column: model.indicators[key]) for column in record_columns(self.sector_names)}

    def _network_robustness(self) -> float:
        """Output-weighted mean over buyers of 1 - the largest single supplier's share of their local inputs.

        It says how much of a typical firm's local supply survives the loss of its
        most important local supplier (1: spread over many, 0: one supplier each).
        Recomputed every January and in the first month (it changes slowly).
        """
        if self.month % 12 != 0 and self.month != self.start_month and hasattr(self, "_robustness"):
            return self._robustness
        firms, n = self.firms, self.firms.size
        totals, largest = self.network.local_inputs(n)
        buyers = totals > 0
        weights = firms.planned[:n][buyers]
        self._robustness = float(np.average(1.0 - largest[buyers] / totals[buyers], weights=weights)) if weights.sum() > 0 else 0.0
        return self._robustness

    def supply_network(self) -> nx.DiGraph:
        """The supply network as a networkx DiGraph weighted by this month's input orders (EUR)."""
        return self.network.to_digraph(self.firms.sector, self.firms.planned, self.firms.alive, self.sector_names_ext)
