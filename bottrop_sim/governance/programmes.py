"""The city office's programmes: diversification grants, retraining vouchers, start-up grants.

The office works from firm data that is ``information_lag_months`` old and
targets ``target_count`` firms by its rule: the largest employers, the mine's
suppliers (firms that sold more than 5 % of their output to the mine at the
start), start-ups (firms younger than three years), or named sectors.

* Diversification grants: a targeted firm that showed a shortfall in the lagged
  data and has not yet diversified is offered ``grant_cost_share`` of its
  diversification cost and advice (``grant_success_bonus``); it starts if it
  can pay the rest.
* Retraining vouchers: unemployed residents (low-skilled first) start a course
  of ``training_months``; afterwards ``retraining_placement_rate`` find a job at
  once, the others search one skill level higher (IAB evaluations of further
  vocational training report placement effects of this order, e.g.
  Lechner, Miquel & Wunsch 2011).
* Start-up grants: each grant founds a new firm where local demand is open
  (left by exits or new green demand), the grant being its starting capital.

Programme money is budgeted monthly (a twelfth of the yearly budget after
overhead, split by the programme shares); money not used in a calendar year
lapses. A zero budget does nothing at all.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from bottrop_sim.model import BottropModel
    from bottrop_sim.scenario.governance import CitySpec

#: Share of output sold to the mine above which the office counts a firm as a mine supplier.
MINE_SUPPLIER_THRESHOLD = 0.05
#: Age in months below which the office counts a firm as a start-up.
START_UP_MONTHS = 36


class LaggedView:
    """The office's view of firms: snapshots ``lag`` months old."""

    def __init__(self, lag: int) -> None:
        self.snapshots: deque[dict[str, np.ndarray]] = deque(maxlen=lag + 1)

    def record(self, model: BottropModel) -> None:
        """Store this month's firm data."""
        firms, n = model.firms, model.firms.size
        self.snapshots.append(
            {
                "alive": firms.alive[:n].copy(),
                "headcount": firms.headcount[:n].copy(),
                "shortfall_months": firms.shortfall_months[:n].copy(),
            }
        )

    def oldest(self) -> dict[str, np.ndarray] | None:
        """The snapshot the office acts on: ``lag`` months old (None until there is one that old)."""
        if len(self.snapshots) < (self.snapshots.maxlen or 1):
            return None
        return self.snapshots[0]


def targets(model: BottropModel, spec: CitySpec, view: dict[str, np.ndarray], mine_suppliers: np.ndarray) -> np.ndarray:
    """Slots on the office's target list, by its rule, from the lagged view."""
    firms = model.firms
    n = len(view["alive"])
    known = view["alive"] & firms.alive[:n] & ~firms.is_mine[:n]
    if spec.targeting == "largest_employers":
        candidates = np.flatnonzero(known)
        return candidates[np.argsort(-view["headcount"][candidates], kind="stable")[: spec.target_count]]
    if spec.targeting == "mine_suppliers":
        candidates = np.flatnonzero(known & mine_suppliers[:n])
    elif spec.targeting == "start_ups":
        candidates = np.flatnonzero(known & (model.month - firms.born[:n] < START_UP_MONTHS) & (firms.born[:n] > model.start_month))
    else:
        codes = [model.sector_names.index(s) for s in spec.target_sectors if s in model.sector_names]
        candidates = np.flatnonzero(known & np.isin(firms.sector[:n], codes))
    return candidates[np.argsort(-view["headcount"][candidates], kind="stable")[: spec.target_count]]


def mine_supplier_mask(model: BottropModel) -> np.ndarray:
    """Firms that sell more than the threshold share of their output to the mine (at the start)."""
    firms = model.firms
    mask = np.zeros(firms.capacity, bool)
    if model.mine is None:
        return mask
    n = firms.size
    matrix = model.network.matrix(firms.sector)
    to_mine = np.asarray(matrix[:, model.mine.slot].todense()).ravel()[:n] * firms.planned[model.mine.slot]
    share = np.zeros(n)
    np.divide(to_mine, firms.output[:n], out=share, where=firms.output[:n] > 0)
    mask[:n] = share > MINE_SUPPLIER_THRESHOLD
    return mask
