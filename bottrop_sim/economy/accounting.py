"""The accounting core: per-firm state in arrays and the month's flows of goods and money.

Every firm has a slot in :class:`FirmArrays`; slots of exited firms stay (inactive)
so that indices remain stable. One month of trade (:func:`trade`) runs:

1. orders: final demand plus intermediate orders; a buyer orders local inputs for
   the output it planned (last month's output) through its supply links;
2. production: output = orders, capped by capacity in the adaptive mode; a firm
   that cannot serve all orders serves every customer the same share (fill rate);
3. payments: buyers pay for what local suppliers delivered; inputs a supplier
   could not deliver, and inputs with no local supplier, are bought outside the
   region (imports); wages and fixed costs are paid; the rest changes liquidity.

Money identity (tested every step): the change in all firms' liquidity equals
final sales + price pass-through - imports - wages - fixed costs (+ start-up
capital of entrants + public grants + mine subsidies - liquidity written off
with exits - adaptation costs - alliance contributions - dividends), because every local intermediate sale is some local firm's
purchase.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

_FLOAT_FIELDS = (
    "productivity",  # EUR of output per person-month
    "labour_per_output",  # persons per EUR of monthly output (sector figure)
    "output",  # EUR this month
    "planned",  # EUR: output level inputs are ordered for (last month's output)
    "orders",  # EUR ordered from this firm this month
    "expected_orders",  # EUR, smoothed orders (adaptive staffing)
    "exogenous_demand",  # EUR per month of final demand from exports and public demand
    "household_demand",  # EUR per month of final demand from local households (baseline)
    "liquidity",  # EUR
    "fixed_costs",  # EUR per month: capital, rent, owner income (baseline cash flow zero)
    "wage",  # EUR per person-month
    "import_per_output",  # EUR imported per EUR output
    "local_input_per_output",  # EUR of local inputs per EUR output (table column sum)
    "emission_per_output",  # t CO2 per EUR
    "reference_orders",  # EUR per month: the orders a firm considers normal (highest expected so far)
    "capability",  # relative ability to find customers and new markets (mean 1)
    "import_base",  # EUR imported per EUR output before any import replacement
    "substituted",  # EUR per EUR output of imports replaced by local links so far
    "trust",  # trust 0..1 in the alliance
)
_INT_FIELDS = ("sector", "headcount", "illiquid_months", "born", "shortfall_months", "diversify_timer", "diversify_target", "parent")
_BOOL_FIELDS = ("alive", "is_mine", "member", "diversified", "diversify_tried", "grant_funded")


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
    """Aggregate flows of one month, EUR (the ledger)."""

    final_demand: float = 0.0
    final_sales: float = 0.0
    intermediate_sales: float = 0.0  # seller side
    local_purchases: float = 0.0  # buyer side (equals intermediate_sales)
    imports: float = 0.0
    unfilled_local_inputs: float = 0.0  # included in imports
    wages: float = 0.0
    fixed_costs: float = 0.0
    value_added: float = 0.0
    output: float = 0.0
    cash_flow: float = 0.0
    startup_capital: float = 0.0  # cash brought in by entrants
    written_off: float = 0.0  # liquidity leaving with exiting firms
    public_funds: float = 0.0  # grants the city pays into firms
    adaptation_costs: float = 0.0  # customer search and diversification, paid outside the region
    alliance_contributions: float = 0.0  # membership fees and project contributions
    mine_subsidies: float = 0.0  # the mine's cash result settled from outside (coal subsidies, RAG foundation)
    price_pass_through: float = 0.0  # extra (energy) costs recovered from final buyers through prices; part of cash_flow
    dividends: float = 0.0  # cash above twice a firm's liquidity target, paid out to owners
    co2_t: float = 0.0


def trade(
    firms: FirmArrays,
    matrix: sp.csr_matrix,
    matrix_t: sp.csr_matrix,
    final_demand: np.ndarray,
    capacity: np.ndarray | None,
    extra_import_per_output: np.ndarray | None = None,
    pass_through: np.ndarray | None = None,
    into: MonthFlows | None = None,
) -> MonthFlows:
    """One month of orders, production and payments; updates firm arrays in place.

    Args:
        firms: the firm arrays (``planned``, ``headcount``... are read; ``orders``,
            ``output``, ``liquidity`` are written).
        matrix: M[g, f], EUR from g per EUR output of f.
        matrix_t: its transpose.
        final_demand: EUR per month per slot.
        capacity: maximum output per slot (EUR), or None for no limit (static mode).
        extra_import_per_output: extra inputs bought outside per EUR of output this
            month (e.g. dearer energy), per slot, or None.
        pass_through: share 0..1 per slot of that extra cost firms recover through
            higher prices (ledger: ``price_pass_through``; it counts as output in
            value added).
        into: the month's ledger to record the trade in (flows booked before trade,
            such as grants or liquidity written off with a failed firm, stay);
            a new one if None.

    Returns:
        The month's ledger.
    """
    n = firms.size
    planned = firms.planned[:n]
    intermediate_orders = (matrix @ firms.planned)[:n]
    demand = final_demand[:n]
    orders = demand + intermediate_orders
    output = orders if capacity is None else np.minimum(orders, capacity[:n])
    fill = np.ones(firms.capacity)
    np.divide(output, orders, out=fill[:n], where=orders > 0)
    served_share = (matrix_t @ fill)[:n]  # per buyer: local inputs delivered per EUR planned output
    local_purchases = planned * served_share
    unfilled = planned * firms.local_input_per_output[:n] - local_purchases
    imports = planned * firms.import_per_output[:n] + unfilled
    recovered = None
    if extra_import_per_output is not None:
        extra = output * extra_import_per_output[:n]
        imports = imports + extra
        recovered = extra * (pass_through[:n] if pass_through is not None else 0.0)
    wages = firms.headcount[:n] * firms.wage[:n]
    fixed = firms.fixed_costs[:n]
    final_sales = demand * fill[:n]
    sales = output  # = final sales + intermediate sales
    cash = sales - local_purchases - imports - wages - fixed
    if recovered is not None:
        cash = cash + recovered
    alive = firms.alive[:n]
    cash = np.where(alive, cash, 0.0)
    firms.orders[:n] = orders
    firms.output[:n] = output
    firms.liquidity[:n] += cash
    value_added = output - local_purchases - imports
    if recovered is not None:
        value_added = value_added + recovered  # the price rise is part of the value of output
    flows = into if into is not None else MonthFlows()
    traded = dict(
        final_demand=float(demand.sum()),
        final_sales=float(final_sales.sum()),
        intermediate_sales=float((intermediate_orders * fill[:n]).sum()),
        local_purchases=float(local_purchases.sum()),
        imports=float(imports.sum()),
        unfilled_local_inputs=float(unfilled.sum()),
        wages=float(wages.sum()),
        fixed_costs=float(np.where(alive, fixed, 0.0).sum()),
        value_added=float(value_added.sum()),
        output=float(output.sum()),
        cash_flow=float(cash.sum()),
        price_pass_through=float(np.where(alive, recovered, 0.0).sum()) if recovered is not None else 0.0,
        co2_t=float(output @ firms.emission_per_output[:n]),
    )
    for name, value in traded.items():
        setattr(flows, name, value)
    return flows
