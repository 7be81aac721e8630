"""The accounts holder of the firm slots a governance mechanism books payments for.

The same formula as :meth:`BottropModel.holder_of_slots` (``firms:<sector>``, or the
mine): the one formula, for every slot (:meth:`BottropModel.holder_of_slots`), for
the few slots that pay (the alliance books a member's fee, a project contribution
or a switching cost for a handful of firms at a time) and for one slot (an exit's
money). tests/test_speed_paths_members.py checks the parts against the whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from bottrop_sim.model import BottropModel


def holders_of(model: BottropModel, slots: np.ndarray | slice) -> np.ndarray:
    """Accounts holder index of each of ``slots`` (int64; ``slice(None)``: every slot, :meth:`BottropModel.holder_of_slots`)."""
    firms, accounts = model.firms, model.accounts
    return np.where(firms.is_mine[slots], accounts.mine, np.minimum(firms.sector[slots], accounts.n_sectors - 1))


def holder_of(model: BottropModel, slot: int) -> int:
    """Accounts holder index of one slot (as ``int(model.holder_of_slots()[slot])``)."""
    firms, accounts = model.firms, model.accounts
    return accounts.mine if firms.is_mine[slot] else min(int(firms.sector[slot]), accounts.n_sectors - 1)
