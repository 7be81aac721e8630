"""The booking of one month's trade in the region's accounts: who paid whom for goods, inputs, wages and fixed costs.

:func:`book_trade` takes the month's :class:`~bottrop_sim.economy.accounting.TradeResult`
(computed by :func:`~bottrop_sim.economy.accounting.trade`) and books every flow once, with
its payer and payee, in :class:`~bottrop_sim.economy.accounts.Accounts`: final buyers (the
rest of the world, the state, the city, residents and visitors) pay the firms for what they
got and the surcharges on it; firms pay imports, rationed inputs bought outside, extra
energy, wages (to resident households or in-commuters) and fixed costs (negative ones are
the state's operating subsidies); buyers pay their local suppliers, summed per pair of
holders (and the surcharges on those inputs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from bottrop_sim.economy.accounting import TradeResult
from bottrop_sim.economy.accounts import Accounts

if TYPE_CHECKING:
    from bottrop_sim.economy.place_pairs import PlacePairs


def book_trade(
    accounts: Accounts,
    result: TradeResult,
    holder: np.ndarray,
    resident_wage_share: np.ndarray,
    visitor_share: float,
    city_part: float = 0.0,
    grouped: PlacePairs | None = None,
) -> np.ndarray:
    """Book one month of trade: who paid whom for goods, inputs, wages and fixed costs.

    Args:
        accounts: the region's accounts.
        result: the month's trade.
        holder: holder index per slot (``firms:<sector>`` or ``mine``).
        resident_wage_share: per slot, share of its wage bill paid to resident households
            (residents among its sector's staff); the rest goes to in-commuters (rest of the world).
        visitor_share: share of local household-type spending made by non-residents.
        city_part: share of public final demand (and its surcharges) the city pays; the state pays the rest.
        grouped: the (buyer holder, supplier holder) pair of each of the matrix's places for this ``holder``
            (:meth:`~bottrop_sim.economy.network.SupplyNetwork.place_pairs`); None to sum the edges' EUR
            by holder pair directly (the same bits either way).

    Returns:
        Residents' payments for local goods this month (purchases and surcharges), EUR.
    """
    n, rate = result.n, result.surcharge_rate
    sold = result.final_sales
    row, state, households = accounts.rest_of_world, accounts.state, accounts.households
    residents = sold.households * (1.0 - visitor_share)
    visitors = sold.households - residents
    to_residents = result.wages * resident_wage_share[:n]
    fixed = result.fixed
    by_state, by_city = sold.public * (1.0 - city_part), sold.public * city_part
    rows = (  # one row per booking (summed by holder row by row, not stacked)
        sold.exports,
        by_state,
        by_city,
        residents,
        visitors,
        (sold.exports + visitors) * rate,
        by_state * rate,
        by_city * rate,
        residents * rate,
        result.imports,
        result.rationed,
        result.energy,
        to_residents,
        result.wages - to_residents,
        np.maximum(fixed, 0.0),
        np.maximum(-fixed, 0.0),
    )
    bookings = (
        ("to", "exports", row),
        ("to", "public_demand", state),
        ("to", "city_purchases", accounts.city),
        ("to", "household_purchases", households),
        ("to", "visitor_purchases", row),
        ("to", "price_surcharges", row),
        ("to", "price_surcharges", state),
        ("to", "price_surcharges", accounts.city),
        ("to", "price_surcharges", households),
        ("from", "imports", row),
        ("from", "rationed_inputs", row),
        ("from", "energy_costs", row),
        ("from", "wages", households),
        ("from", "wages", row),
        ("from", "fixed_costs", row),
        ("to", "operating_subsidies", state),
    )
    accounts.pay_sums(bookings, accounts.row_sums_by_holder(holder[:n], rows))
    size = len(accounts.holders)
    if grouped is not None and result.fill_all is not None:  # buyer pays supplier, summed per pair of holders in entry order
        purchases = grouped.sums(result.fill_all, result.planned_all)
    else:
        suppliers, buyers = result.edges()
        pairs = accounts.holder_pairs(holder, buyers, suppliers)  # buyer pays supplier
        purchases = np.bincount(pairs, weights=result.edge_payments(), minlength=size * size)
    accounts.pay_matrix("intermediate_purchases", purchases.reshape(size, size))
    if rate.any():
        suppliers, buyers = result.edges()
        pairs = accounts.holder_pairs(holder, buyers, suppliers)
        surcharges = np.bincount(pairs, weights=result.edge_payments() * rate[suppliers], minlength=size * size).reshape(size, size)
        accounts.pay_matrix("price_surcharges", surcharges)
    return float((residents * (1.0 + rate)).sum())
