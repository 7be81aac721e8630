"""Brokerage: meetings reveal members' input needs and broker local supplier links.

At each meeting the alliance tries ``brokered_links_per_meeting`` matches: a
member buyer (chance proportional to its output) whose imported inputs could
partly be bought locally, and a member supplier of a sector the buyer buys
from, with spare capacity (chance proportional to it). The match holds with a
chance equal to the pair's mean trust; the supplier then replaces
``brokered_link_share`` of the buyer's original imports (capped by
``max_import_substitution``). The buyer pays for it: a one-off switching cost
(``brokered_switching_months`` of the switched inputs, to outside providers)
and, every month, a price premium (``brokered_price_premium`` on the inputs
bought along the link) to the supplier. A brokered link can fail: every month with
chance ``brokered_failure_rate`` (keyed by the pair of firms), the supplier lets the
buyer down. The buyer then imports that input again (paying the switching cost once
more, to outside providers), loses ``brokered_failure_order_loss`` of its final demand
for good to rivals outside the region (customers it could not serve), and both firms
lose ``trust_loss`` of their trust in the alliance. Stated assumption, after the brokerage role of
network administrators in firm networks (Provan & Kenis 2008) and the real
alliance's aim to strengthen local value chains (Bottrop2018plus).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from bottrop_sim.economy.adjacency import KEY
from bottrop_sim.governance.adaptation import link_local_supply
from bottrop_sim.governance.holders import holder_of, holders_of
from bottrop_sim.streams import weighted_sample

if TYPE_CHECKING:
    from bottrop_sim.governance.alliance import Alliance
    from bottrop_sim.model import BottropModel


def broker_links(model: BottropModel, alliance: Alliance, max_substitution: float) -> int:
    """Try to broker links among members; returns how many were made.

    Draws are keyed by firm (buyer and supplier picks, :func:`weighted_sample`) and
    by the pair (whether the match holds), for the month and the attempt.
    """
    firms, n, spec = model.firms, model.firms.size, alliance.spec
    members = np.flatnonzero(firms.member[:n] & firms.alive[:n])
    if len(members) < 2 or spec.brokered_links_per_meeting == 0:
        return 0
    spare = np.maximum(firms.capacity_limit(model.scenario.economy.spare_capacity_share)[:n] - firms.orders[:n], 0.0)
    made = 0
    streams, month, attempts = model.streams, model.month, spec.brokered_links_per_meeting
    # A firm's draw of attempt j is a function of (purpose, month, firm, j) alone: the members' rows, drawn once,
    # hold every attempt's numbers of the buyers and suppliers picked among them (the same bits as a draw per attempt;
    # one row per member also with a single attempt, where a draw per attempt failed on the 1-d result).
    buyer_draws = streams.uniform("brokerage_buyer", month, members, draws=attempts).reshape(len(members), attempts)
    supplier_draws: np.ndarray | None = None
    # what a link changes is the buyer's substituted imports (and its input mix, cash): the members' other values hold all meeting
    most_substituted, planned, member_sector = max_substitution * firms.import_base[members], firms.planned[members], firms.sector[members]
    produces, member_spare = planned > 0, spare[members]
    may_supply = (member_spare > 0) & ~firms.is_mine[members]
    for attempt in range(attempts):
        room = most_substituted - firms.substituted[members]
        can_buy = (room > 1e-6) & produces
        buyers = members[can_buy]
        if len(buyers) == 0:
            break
        picked = weighted_sample(buyer_draws[can_buy, attempt], planned[can_buy])
        if len(picked) == 0:
            break
        buyer = int(buyers[picked[0]])
        supplies = model.sector_coefficients[:, firms.sector[buyer]] > 0
        can_supply = supplies[member_sector] & (members != buyer) & may_supply
        suppliers = members[can_supply]
        if len(suppliers) == 0:
            continue
        if supplier_draws is None:
            supplier_draws = streams.uniform("brokerage_supplier", month, members, draws=attempts).reshape(len(members), attempts)
        supplier = int(suppliers[weighted_sample(supplier_draws[can_supply, attempt], member_spare[can_supply])[0]])
        if streams.uniform("brokerage_match", month, [buyer * KEY + supplier])[0] >= 0.5 * (firms.trust[buyer] + firms.trust[supplier]):
            continue
        room_left = max_substitution * firms.import_base[buyer] - firms.substituted[buyer]
        coefficient = min(spec.brokered_link_share * firms.import_base[buyer], room_left)
        link_local_supply(model, supplier, buyer, coefficient)
        switching = spec.brokered_switching_months * coefficient * float(firms.planned[buyer])
        if switching > 0:  # the buyer qualifies its new supplier: paid once, to outside providers
            firms.liquidity[buyer] -= switching
            accounts = model.accounts
            accounts.pay("switching_costs", holder_of(model, buyer), accounts.rest_of_world, switching)
        alliance.brokered.append((supplier, buyer, coefficient))
        made += 1
    return made


def pay_price_premiums(model: BottropModel, alliance: Alliance) -> float:
    """Buyers pay their brokered local suppliers the premium over the replaced import on this month's inputs; returns the total, EUR.

    A link whose supplier or buyer has exited is dropped (an exiting supplier's
    links go to a replacement supplier at the usual price, §7.4).
    """
    premium = alliance.spec.brokered_price_premium
    if premium <= 0 or not alliance.brokered:
        return 0.0
    firms = model.firms
    supplier, buyer, coefficient = _link_arrays(alliance)
    live = firms.alive[supplier] & firms.alive[buyer]
    if not live.all():  # the same list while every link lives (its arrays stay kept, see _link_arrays)
        alliance.brokered = [link for link, keep in zip(alliance.brokered, live, strict=True) if keep]
    supplier, buyer, coefficient = supplier[live], buyer[live], coefficient[live]
    amount = premium * coefficient * firms.planned[buyer]
    if len(amount) == 0:
        return 0.0
    np.subtract.at(firms.liquidity, buyer, amount)
    np.add.at(firms.liquidity, supplier, amount)
    accounts = model.accounts
    size = len(accounts.holders)
    matrix = np.zeros((size, size))
    np.add.at(matrix, (holders_of(model, buyer), holders_of(model, supplier)), amount)  # one booking per (buyer holder, supplier holder)
    accounts.pay_matrix("local_price_premiums", matrix)
    return float(amount.sum())


def fail_links(model: BottropModel, alliance: Alliance) -> int:
    """Brokered links whose supplier fails this month end; returns how many ended.

    The draw of a link is keyed by (month, buyer, supplier): a pair fails in the
    same month in a scenario and in its twin whatever else was brokered.
    """
    spec = alliance.spec
    if spec.brokered_failure_rate <= 0 or not alliance.brokered:
        return 0
    firms = model.firms
    supplier, buyer, coefficient = _link_arrays(alliance)
    draws = model.streams.uniform("brokered_link_failure", model.month, buyer * KEY + supplier)
    failing = firms.alive[supplier] & firms.alive[buyer] & (draws < spec.brokered_failure_rate)
    if not failing.any():
        return 0
    accounts = model.accounts
    ended = 0
    for s, b, c in zip(supplier[failing], buyer[failing], coefficient[failing], strict=True):
        if not model.network.remove_link(int(s), int(b), float(c)):
            continue
        ended += 1
        firms.import_per_output[b] += c  # the buyer imports the input again
        firms.local_input_per_output[b] -= c
        firms.substituted[b] -= c
        switching = spec.brokered_switching_months * c * float(firms.planned[b])
        if switching > 0:  # qualifying an outside supplier again
            firms.liquidity[b] -= switching
            accounts.pay("switching_costs", holder_of(model, int(b)), accounts.rest_of_world, switching)
        loss = spec.brokered_failure_order_loss
        if loss > 0:  # customers the buyer could not serve go to rivals outside the region
            lost = loss * float(firms.exogenous_demand[b] + firms.household_demand[b])
            firms.exogenous_demand[b] *= 1.0 - loss
            firms.household_demand[b] *= 1.0 - loss
            model.demand_flows["lost_to_outside"] += lost
        firms.trust[[b, s]] *= 1.0 - spec.trust_loss
    alliance.brokered = [link for link, gone in zip(alliance.brokered, failing, strict=True) if not gone]
    alliance.failed_links += ended
    return ended


def _link_arrays(alliance: Alliance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Supplier slots, buyer slots and coefficients of the alliance's brokered links (in the order brokered; read-only).

    Kept while ``alliance.brokered`` is the same list with the same length: links are
    only appended to it (brokerage) or it is replaced by a new list (links dropped), so
    the arrays of the list's tuples are those built afresh.
    """
    links, kept = alliance.brokered, alliance.brokered_arrays
    if kept is not None and kept[0] is links and kept[1] == len(links):
        return kept[2]
    table = np.array(links, dtype=float)
    arrays = (table[:, 0].astype(np.int64), table[:, 1].astype(np.int64), table[:, 2])
    for array in arrays:
        array.flags.writeable = False
    alliance.brokered_arrays = (links, len(links), arrays)
    return arrays
