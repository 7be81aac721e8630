"""Joining and leaving the alliance; trust and reputation.

A firm weighs the expected benefit of membership against its cost, both per EUR
of its monthly value added (stated assumption, after the membership logic of
strategic alliances: expected benefit x trust against cost, Gulati 1995; peer
effects through business ties, Granovetter 1985):

    net = trust x (base_benefit + need_weight x shortfall + peer_weight x partner_member_share)
          - (fee + time cost) x (1 - coordinator relief) / monthly value added

where ``shortfall`` is the firm's fall of expected orders below its reference
(0..1) and ``partner_member_share`` the share of its suppliers and customers
that are members. At each meeting a non-member with net > 0 joins with chance
``join_rate`` and a member with net < 0 leaves with chance ``leave_rate``.
Trust 0 means nobody joins. At the founding, ``founding_members`` invited firms join (see :func:`found`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from bottrop_sim.streams import weighted_sample

if TYPE_CHECKING:
    from bottrop_sim.governance.alliance import Alliance
    from bottrop_sim.model import BottropModel

#: Working hours per month used to price members' time (stated assumption).
HOURS_PER_MONTH = 160.0


def membership_cost(model: BottropModel, alliance: Alliance, slots: np.ndarray | slice) -> np.ndarray:
    """Money and time a member spends on the alliance per month, EUR (time priced at the wage: an opportunity cost)."""
    spec, firms = alliance.spec, model.firms
    time_cost = spec.time_cost_hours_month * firms.wage[slots] / HOURS_PER_MONTH
    return (spec.membership_cost_eur_month + time_cost) * (1.0 - alliance.cost_relief)


def reserve_staff_time(model: BottropModel, alliance: Alliance, capacity: np.ndarray) -> None:
    """Take members' alliance hours off their output capacity (in place): time in meetings and labs is not production.

    A member's capacity falls by ``time_cost_hours_month x (1 - cost_relief) / HOURS_PER_MONTH``
    persons times its productivity (at most to zero): in the hybrid setting the city's
    coordinator takes over part of the work. The time is paid through the
    wages the firm pays anyway; it costs output, and so orders the firm cannot
    serve, where the firm has no spare capacity.
    """
    firms, n = model.firms, model.firms.size
    members = np.flatnonzero(firms.member[:n] & firms.alive[:n])
    if len(members) == 0 or alliance.spec.time_cost_hours_month <= 0:
        return
    persons = alliance.spec.time_cost_hours_month * (1.0 - alliance.cost_relief) / HOURS_PER_MONTH
    capacity[members] = np.maximum(capacity[members] - persons * firms.productivity[members], 0.0)


def partner_member_share(model: BottropModel) -> np.ndarray:
    """Per firm: the share of its local suppliers and customers that are members."""
    firms, n = model.firms, model.firms.size
    partners, member_partners = model.network.partner_counts(firms.member.astype(float))
    partners, member_partners = partners[:n], member_partners[:n]
    share = np.zeros(n)
    np.divide(member_partners, partners, out=share, where=partners > 0)
    return share


def net_benefit(model: BottropModel, alliance: Alliance) -> np.ndarray:
    """Expected net benefit of membership per firm (per EUR of monthly value added)."""
    spec, firms, n = alliance.spec, model.firms, model.firms.size
    slots = slice(0, n)  # every slot: a view gives the values of np.arange(n)'s copy (tests/test_speed_paths_members.py)
    shortfall = np.zeros(n)
    np.divide(firms.reference_orders[:n] - firms.expected_orders[:n], firms.reference_orders[:n], out=shortfall, where=firms.reference_orders[:n] > 0)
    shortfall = np.clip(shortfall, 0.0, 1.0)
    benefit = spec.base_benefit + spec.need_weight * shortfall + spec.peer_weight * partner_member_share(model)
    value_added = firms.planned[:n] * (1.0 - firms.local_input_per_output[:n] - firms.import_per_output[:n])
    cost = np.full(n, np.inf)
    np.divide(membership_cost(model, alliance, slots), value_added, out=cost, where=value_added > 0)
    net = firms.trust[:n] * benefit - cost
    net[~firms.alive[:n] | firms.is_mine[:n]] = -np.inf
    return net


def found(model: BottropModel, alliance: Alliance) -> int:
    """The founding: ``founding_members`` firms that trust the alliance join.

    The founders are invited (the real alliance was convened by the city's
    project team and the chamber): they are drawn among the firms with the
    highest expected net benefit (the best three times as many), with chance
    proportional to their rank; firms without any trust never join. Founders
    whose net benefit is negative may leave at later meetings.
    """
    firms, n = model.firms, model.firms.size
    net = net_benefit(model, alliance)
    willing = np.flatnonzero(np.isfinite(net) & (firms.trust[:n] > 0))
    count = min(alliance.spec.founding_members, len(willing))
    if count == 0:
        return 0
    shortlist = willing[np.argsort(-net[willing], kind="stable")[: 3 * count]]
    rank_weight = np.arange(len(shortlist), 0, -1, dtype=float)
    founders = shortlist[weighted_sample(model.streams.uniform("alliance_founding", model.month, shortlist), rank_weight, count)]  # keyed by the firm
    firms.member[founders] = True
    return count


def update_membership(model: BottropModel, alliance: Alliance) -> tuple[int, int]:
    """Joining and leaving at a meeting; returns (joined, left)."""
    firms, n, spec = model.firms, model.firms.size, alliance.spec
    net = net_benefit(model, alliance)
    draws = model.streams.uniform("alliance_membership", model.month, n)  # keyed by the firm: the same chance whatever else changed
    member = firms.member[:n]
    joining = ~member & (net > 0) & (draws < spec.join_rate)
    leaving = member & (net < 0) & (draws < spec.leave_rate)
    member[joining] = True
    member[leaving] = False
    return int(joining.sum()), int(leaving.sum())


def spread_reputation(model: BottropModel, alliance: Alliance) -> None:
    """Non-members' trust moves towards the members' mean trust (what they hear)."""
    firms, n = model.firms, model.firms.size
    member = firms.member[:n] & firms.alive[:n]
    if not member.any():
        return
    mean = firms.trust[:n][member].mean()
    outside = ~member
    firms.trust[:n][outside] += alliance.spec.reputation_weight * (mean - firms.trust[:n][outside])
