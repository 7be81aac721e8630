"""The accounting core: per-firm state in arrays and the month's flows of goods and money.

Every firm has a slot in :class:`FirmArrays`; slots of exited firms stay (inactive)
so that indices remain stable. One month of trade (:func:`trade`) runs:

1. orders and production in the same month: every buyer orders the local inputs
   its production of the month uses, so output solves x = min(d + M x, capacity)
   (a fixed point found by iteration from last month's output; in the static mode
   x = (I - M)^-1 d, the Leontief solution);
2. a firm that cannot serve all orders serves every customer the same share (fill rate);
3. payments: final buyers pay for what they got (exports: the rest of the world;
   public demand: the state; household demand: residents and visitors), buyers
   pay local suppliers for what they delivered; inputs a rationed supplier could
   not deliver are bought outside at a premium; inputs with no local supplier are
   imported; wages and fixed costs are paid; an energy shock's extra cost is bought
   outside and the part passed on is paid by each seller's buyers as a surcharge on
   what they bought (:class:`TradeResult`); the rest changes liquidity.

Purchases equal use up to the solver's tolerance; the difference is kept as an
explicit input stock (``input_stock``). Who pays whom is booked by
:func:`~bottrop_sim.economy.trade_booking.book_trade` in the region's accounts
(:mod:`bottrop_sim.economy.accounts`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from bottrop_sim.economy.kernels import MATVEC

_FLOAT_FIELDS = (
    "productivity",  # EUR of output per person-month
    "labour_per_output",  # persons per EUR of monthly output (sector figure)
    "output",  # EUR this month
    "planned",  # EUR: output level inputs are ordered for (this month's, after trade)
    "orders",  # EUR ordered from this firm this month
    "expected_orders",  # EUR, smoothed orders (adaptive staffing)
    "exogenous_demand",  # EUR per month of final demand from exports and public demand
    "household_demand",  # EUR per month of final demand from local households (baseline)
    "liquidity",  # EUR: cash, negative while the credit line is drawn
    "fixed_costs",  # EUR per month: capital costs, rents, leasing (not the owners' profit)
    "wage",  # EUR per person-month
    "import_per_output",  # EUR imported per EUR output
    "local_input_per_output",  # EUR of local inputs per EUR output (table column sum)
    "emission_per_output",  # t CO2 per EUR
    "reference_orders",  # EUR per month: the orders a firm considers normal (its aspiration: adaptive average of expected orders)
    "capability",  # relative ability to find customers and new markets (mean 1)
    "import_base",  # EUR imported per EUR output before any import replacement
    "substituted",  # EUR per EUR output of imports replaced by local links so far
    "trust",  # trust 0..1 in the alliance
    "equity_ratio",  # share 0..1 of equity in the balance sheet (drawn, KfW-Mittelstandspanel; sets buffer and credit line)
    "cash_target",  # EUR: the cash buffer a firm keeps before paying out profit
    "credit_limit",  # EUR: the credit line (overdraft) the bank grants
    "profit",  # EUR this month, before taxes (cash result of trade minus interest)
    "input_stock",  # EUR of inputs bought but not (yet) used: purchases minus use
)
_INT_FIELDS = ("sector", "headcount", "illiquid_months", "born", "shortfall_months", "diversify_timer", "diversify_target", "parent")
_BOOL_FIELDS = ("alive", "is_mine", "member", "diversified", "diversify_tried", "grant_funded", "cutting_costs")


class FirmArrays:
    """Per-firm state, one slot per firm ever created.

    Args:
        capacity: initial number of slots (grows by doubling when needed).
    """

    def __init__(self, capacity: int) -> None:
        self.size = 0
        self.capacity = capacity
        for name in _FLOAT_FIELDS:
            setattr(self, name, np.zeros(capacity))
        for name in _INT_FIELDS:
            setattr(self, name, np.zeros(capacity, np.int64))
        for name in _BOOL_FIELDS:
            setattr(self, name, np.zeros(capacity, bool))

    def add(self, count: int) -> np.ndarray:
        """Reserve ``count`` new slots and return their indices (state zeroed)."""
        if self.size + count > self.capacity:
            new_capacity = max(2 * self.capacity, self.size + count)
            for name in (*_FLOAT_FIELDS, *_INT_FIELDS, *_BOOL_FIELDS):
                old = getattr(self, name)
                grown = np.zeros(new_capacity, old.dtype)
                grown[: self.size] = old[: self.size]
                setattr(self, name, grown)
            self.capacity = new_capacity
        slots = np.arange(self.size, self.size + count)
        self.size += count
        return slots

    def capacity_limit(self, spare_capacity_share: float) -> np.ndarray:
        """Output each firm can produce with its staff, EUR per month."""
        return self.headcount * self.productivity * (1.0 + spare_capacity_share)


@dataclass
class MonthFlows:
    """Aggregate flows of one month's trade, EUR (what the time series reports)."""

    final_demand: float = 0.0
    final_sales: float = 0.0
    intermediate_sales: float = 0.0  # seller side
    local_purchases: float = 0.0  # buyer side (equals intermediate_sales)
    imports: float = 0.0  # imported inputs, rationed inputs bought outside (with premium) and extra energy
    unfilled_local_inputs: float = 0.0  # local inputs a rationed supplier could not deliver (bought outside)
    wages: float = 0.0
    fixed_costs: float = 0.0
    value_added: float = 0.0
    output: float = 0.0
    price_surcharges: float = 0.0  # energy costs passed on, paid by buyers
    mine_subsidies: float = 0.0  # the coal subsidy (negative: the mine's surplus returned)
    co2_t: float = 0.0


@dataclass
class FinalDemand:
    """Final demand per slot this month, EUR, by buyer."""

    exports: np.ndarray  # the rest of the world (and the mine's coal sales)
    public: np.ndarray  # the state: public consumption and investment
    households: np.ndarray  # local household-type spending (residents and visitors)

    def total(self) -> np.ndarray:
        """All final demand per slot."""
        return self.exports + self.public + self.households


@dataclass
class TradeResult:
    """One month of trade per slot (first ``n`` slots), EUR; edges for the buyer-seller booking."""

    n: int
    fill: np.ndarray  # share 0..1 of orders served
    final_sales: FinalDemand  # what final buyers got
    local_purchases: np.ndarray  # per buyer
    imports: np.ndarray  # per buyer: inputs with no local supplier
    rationed: np.ndarray  # per buyer: unfilled local inputs bought outside, premium included
    unfilled: np.ndarray  # per buyer: unfilled local inputs at their local price
    energy: np.ndarray  # per firm: extra energy cost (0 without an energy shock)
    surcharge_rate: np.ndarray  # per seller: price surcharge per EUR sold
    surcharges_paid: np.ndarray  # per buyer: surcharges paid on local inputs
    wages: np.ndarray
    fixed: np.ndarray  # fixed costs paid this month (after any cost cutting)
    cash: np.ndarray  # change of liquidity from trade
    edge_rows: np.ndarray | None  # supplier slot per edge (None: read from entries_source when needed, see edges)
    edge_cols: np.ndarray | None  # buyer slot per edge
    edge_eur: np.ndarray | None  # EUR delivered along each edge (None: not computed yet, see edge_payments)
    fill_all: np.ndarray | None = None  # fill per slot (capacity-sized), for edge_payments and grouped sums
    planned_all: np.ndarray | None = None  # planned output per slot (capacity-sized)
    edge_values: np.ndarray | None = None  # the matrix's stored values (the network store's array: read before it changes)
    entries_source: Callable[[], tuple[np.ndarray, np.ndarray]] | None = None  # gives edge_rows and edge_cols on first use

    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Supplier and buyer slot per edge, read from ``entries_source`` on first use (call before the network next changes)."""
        if self.edge_rows is None and self.entries_source is not None:
            self.edge_rows, self.edge_cols = self.entries_source()
        return self.edge_rows, self.edge_cols

    def edge_payments(self) -> np.ndarray:
        """EUR delivered along each edge (``value * fill[supplier] * planned[buyer]``), computed on first use.

        With the network store's matrix the values are the store's own array:
        call this before the network next changes (exits, entries, new links).
        """
        if self.edge_eur is None:
            self.edges()
            if self.fill_all.min(initial=1.0) == 1.0 and self.fill_all.max(initial=1.0) == 1.0:  # nobody rationed: value * 1.0 is value
                self.edge_eur = self.edge_values * np.take(self.planned_all, self.edge_cols)
            else:
                self.edge_eur = self.edge_values * np.take(self.fill_all, self.edge_rows) * np.take(self.planned_all, self.edge_cols)
        return self.edge_eur


#: Relative tolerance of the monthly output fixed point (purchases equal use to this share of output).
OUTPUT_TOLERANCE = 1e-10
#: Most iterations of the monthly output fixed point (the error shrinks by the input shares, about 0.3, per iteration).
MAX_ITERATIONS = 500


def times(matrix: sp.csr_matrix | sp.csc_matrix, vector: np.ndarray) -> np.ndarray:
    """``matrix @ vector``: the same scipy kernel (so the same sums in the same order), without scipy's per-call checks.

    A CSR or CSC matrix of float64 with a float64 vector of its width calls the
    kernel ``matrix @ vector`` ends in (``csr_matvec`` / ``csc_matvec``) directly;
    the dispatch and checks around it cost about a third of a product of the
    monthly trade's size, twelve times a month. Anything else goes through ``@``.
    """
    kernel = MATVEC.get(matrix.format)
    if (
        kernel is None
        or matrix.dtype != np.float64
        or matrix.indices.dtype != matrix.indptr.dtype
        or vector.dtype != np.float64
        or vector.shape != (matrix.shape[1],)
        or not vector.flags.c_contiguous
    ):
        return matrix @ vector
    result = np.zeros(matrix.shape[0])
    kernel(matrix.shape[0], matrix.shape[1], matrix.indptr, matrix.indices, matrix.data, vector, result)
    return result


def solve_output(matrix: sp.csr_matrix, demand: np.ndarray, capacity: np.ndarray | None, start: np.ndarray) -> np.ndarray:
    """Output x = min(d + M x, capacity) by iteration from ``start`` (all arrays of the matrix's size)."""
    kernel = MATVEC.get(matrix.format)
    direct = (
        kernel is not None
        and matrix.dtype == np.float64
        and matrix.indices.dtype == matrix.indptr.dtype
        and start.dtype == np.float64
        and start.shape == (matrix.shape[1],)
        and start.flags.c_contiguous
        and matrix.shape[0] == matrix.shape[1]
    )
    output = start
    scratch = np.empty_like(start, dtype=float)
    spare = None  # the iterate before last, reused as the next product's buffer (never ``start``)
    for _ in range(MAX_ITERATIONS):
        if direct:  # times(matrix, output) with its checks done once: the same kernel into a zeroed buffer
            updated = np.zeros(matrix.shape[0]) if spare is None else spare
            if spare is not None:
                updated.fill(0.0)
            kernel(matrix.shape[0], matrix.shape[1], matrix.indptr, matrix.indices, matrix.data, output, updated)
        else:
            updated = times(matrix, output)  # a new array each time
        updated += demand  # orders: d + M x (in place; the sum is the same either way round)
        if capacity is not None:
            np.minimum(updated, capacity, out=updated)
        change = np.abs(np.subtract(updated, output, out=scratch), out=scratch).max(initial=0.0)
        spare = output if output is not start and direct else None
        output = updated
        if change <= OUTPUT_TOLERANCE * max(np.abs(output, out=scratch).max(initial=0.0), 1.0):
            break
    return output


def trade(
    firms: FirmArrays,
    matrix: sp.csr_matrix,
    matrix_t: sp.csr_matrix,
    final_demand: FinalDemand,
    capacity: np.ndarray | None,
    fixed_paid: np.ndarray,
    rationed_premium: float,
    extra_import_per_output: np.ndarray | None = None,
    pass_through: np.ndarray | None = None,
    into: MonthFlows | None = None,
    entries: tuple[np.ndarray, np.ndarray] | Callable[[], tuple[np.ndarray, np.ndarray]] | None = None,
    hours_lost: np.ndarray | None = None,
) -> TradeResult:
    """One month of orders, production and payments; updates firm arrays in place.

    Args:
        firms: the firm arrays (``planned`` is the solver's starting point; ``planned``,
            ``orders``, ``output``, ``liquidity``, ``input_stock`` are written).
        matrix: M[g, f], EUR from g per EUR output of f.
        matrix_t: its transpose.
        final_demand: EUR per month per slot, by buyer (arrays of the firm arrays' capacity).
        capacity: maximum output per slot (EUR), or None for no limit (static mode).
        fixed_paid: fixed costs each slot pays this month, EUR.
        rationed_premium: extra price of a rationed local input bought outside, share of its price.
        extra_import_per_output: extra energy bought outside per EUR of output this month, per slot, or None.
        pass_through: share 0..1 per slot of that extra cost passed on to buyers as a price surcharge.
        into: the month's aggregate flows to fill (a new one if None).
        entries: supplier and buyer slot of each stored entry of ``matrix`` (then a CSC matrix;
            ``matrix.data`` in storage order, explicit zeros included), e.g. the network store's
            :meth:`~bottrop_sim.economy.network.SupplyNetwork.entries`, or a function giving them (called only
            if the edges are needed: the ledger's sums by holder pair need not); None to read them from ``matrix``.
        hours_lost: per slot, hours lost to short-time work this month (full-time persons; not paid by the
            firm, :mod:`bottrop_sim.economy.short_time_work`), or None.

    Returns:
        The month's trade per slot.
    """
    n = firms.size
    demand = final_demand.total()
    planned = solve_output(matrix, demand, capacity, firms.planned.copy())
    intermediate_orders = times(matrix, planned)[:n]
    orders = demand[:n] + intermediate_orders
    output = orders if capacity is None else np.minimum(orders, capacity[:n])
    fill = np.ones(firms.capacity)
    np.divide(output, orders, out=fill[:n], where=orders > 0)
    served_share = times(matrix_t, fill)[:n]  # per buyer: local inputs delivered per EUR planned output
    planned_n = planned[:n]
    local_purchases = planned_n * served_share
    unfilled = np.maximum(planned_n * firms.local_input_per_output[:n] - local_purchases, 0.0)
    imports = planned_n * firms.import_per_output[:n]
    rationed = unfilled * (1.0 + rationed_premium)
    firms.input_stock[:n] += (planned_n - output) * (firms.local_input_per_output[:n] + firms.import_per_output[:n])
    surcharge_rate = np.zeros(firms.capacity)
    energy = np.zeros(n)
    if extra_import_per_output is not None:
        energy = output * extra_import_per_output[:n]
        if pass_through is not None:
            surcharge_rate[:n] = extra_import_per_output[:n] * pass_through[:n]
    surcharged = surcharge_rate * fill
    # with no surcharge the product is exactly zero (finite inputs): not computed
    surcharges_paid = planned_n * (times(matrix_t, surcharged)[:n] if surcharged.any() else np.zeros(n))
    wages = firms.headcount[:n] * firms.wage[:n] if hours_lost is None else (firms.headcount[:n] - hours_lost[:n]) * firms.wage[:n]
    alive = firms.alive[:n]
    fixed = np.where(alive, fixed_paid[:n], 0.0)
    sales = output * (1.0 + surcharge_rate[:n])  # = final sales + intermediate sales, with surcharges
    cash = sales - local_purchases - surcharges_paid - imports - rationed - energy - wages - fixed
    cash = np.where(alive, cash, 0.0)
    firms.planned[:n] = planned_n
    firms.orders[:n] = orders
    firms.output[:n] = output
    firms.liquidity[:n] += cash
    if entries is None:
        edges = matrix.tocoo()
        edge_rows, edge_cols = edges.row.astype(np.int64), edges.col.astype(np.int64)
        edge_eur = edges.data * fill[edge_rows] * planned[edge_cols]
    else:  # CSC: each buyer's entries lie together, in column order; the values are read when needed (the store changes them in place)
        edge_rows, edge_cols = (None, None) if callable(entries) else entries
        edge_eur = None  # see TradeResult.edge_payments; the ledger sums them by holder pair without forming them
    sold = FinalDemand(final_demand.exports[:n] * fill[:n], final_demand.public[:n] * fill[:n], final_demand.households[:n] * fill[:n])
    flows = into if into is not None else MonthFlows()
    purchased = local_purchases + surcharges_paid + imports + rationed + energy
    flows.final_demand = float(demand[:n].sum())
    flows.final_sales = float((sold.exports + sold.public + sold.households).sum())
    flows.intermediate_sales = float((intermediate_orders * fill[:n]).sum())
    flows.local_purchases = float(local_purchases.sum())
    flows.imports = float((imports + rationed + energy).sum())
    flows.unfilled_local_inputs = float(unfilled.sum())
    flows.wages = float(wages.sum())
    flows.fixed_costs = float(fixed.sum())
    flows.value_added = float((sales - purchased).sum())
    flows.output = float(output.sum())
    flows.price_surcharges = float((output * surcharge_rate[:n]).sum())
    flows.co2_t = float(output @ firms.emission_per_output[:n])
    return TradeResult(
        n=n,
        fill=fill[:n],
        final_sales=sold,
        local_purchases=local_purchases,
        imports=imports,
        rationed=rationed,
        unfilled=unfilled,
        energy=energy,
        surcharge_rate=surcharge_rate[:n],
        surcharges_paid=surcharges_paid,
        wages=wages,
        fixed=fixed,
        cash=cash,
        edge_rows=edge_rows,
        edge_cols=edge_cols,
        edge_eur=edge_eur,
        fill_all=fill,
        planned_all=planned,
        edge_values=matrix.data,
        entries_source=entries if callable(entries) else None,
    )
