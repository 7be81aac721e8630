"""The mine: Bergwerk Prosper-Haniel, one large agent with its own workforce.

Its staff follow the scenario (constant without a closure shock; the phase-down
path of a ``mine_closure`` shock otherwise). Its activity, which scales its
output (coal sold outside the region) and its local purchases, is staff relative
to the start; after the closure date the remaining staff do clean-up work at
``cleanup_activity`` per person. Staff it sheds leave by early retirement,
transfer or job search, in the shock's shares (RAG: socially compatible, no
compulsory layoffs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from bottrop_sim.economy.labour_flows import MineSeparation

if TYPE_CHECKING:
    from bottrop_sim.model import BottropModel
    from bottrop_sim.shocks import MineClosure


class Mine(mesa.Agent):
    """The mine agent.

    Args:
        model: the model.
        slot: its index in the firm arrays (it trades like a firm).
        base_staff: staff at the start (persons).
        closure: the closure shock, or None (the mine keeps its staff).
    """

    model: BottropModel

    def __init__(self, model: BottropModel, slot: int, base_staff: int, closure: MineClosure | None) -> None:
        super().__init__(model)
        self.slot = int(slot)
        self.base_staff = int(base_staff)
        self.closure = closure
        self.separation = (
            MineSeparation(closure.early_retirement_share, closure.transfer_share, closure.job_seeker_share)
            if closure is not None
            else MineSeparation(0.0, 0.0, 1.0)
        )

    @property
    def staff(self) -> int:
        """Current staff (persons)."""
        return int(self.model.firms.headcount[self.slot])

    def target_staff(self, month: int) -> int:
        """Staff the scenario sets for month number ``month`` (persons)."""
        if self.closure is None:
            return self.base_staff
        return self.closure.staff(month, self.base_staff)

    def activity(self, month: int) -> float:
        """Output and purchases relative to the start (0..1 or above)."""
        if self.base_staff == 0:
            return 0.0
        share = self.staff / self.base_staff
        if self.closure is not None and not self.closure.producing(month):
            share *= self.closure.cleanup_activity
        return share
