"""Better / worse verdicts of a comparison, corrected for making many of them at once.

A comparison states one difference per (scenario, indicator) against the
reference scenario, each paired over common seeds. Many such verdicts at once
would find "clear" differences by chance, so the family of all verdicts is
corrected with Holm's step-down method (Holm 1979; it controls the family-wise
error rate at ``alpha``): a difference is marked only where its Holm-adjusted
p-value is below ``alpha``. Indicators that a governance setting defines
(alliance participation and trust, public money spent) are shown but never
judged: an alliance setting has more alliance members by construction.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from bottrop_sim.monitoring.indicators import GOVERNANCE_DEFINED, REGISTRY
from bottrop_sim.statistics import holm

ALPHA = 0.05
"""Family-wise error rate of the verdicts."""


def verdicts(comparison: pd.DataFrame, alpha: float = ALPHA) -> pd.DataFrame:
    """Add ``diff_p_holm`` and ``verdict`` to a comparison that has ``diff_p`` (the paired test's p-value).

    Args:
        comparison: one row per scenario and indicator (see :func:`bottrop_sim.compare.summarise`).
        alpha: family-wise error rate.

    Returns:
        A copy with ``diff_p_holm`` (NaN outside the family) and ``verdict``: ``better``, ``worse``,
        ``differs`` (a clear difference for an indicator without a better direction) or "" (none).
    """
    result = comparison.copy()
    judged = result["indicator"].map(lambda name: name in REGISTRY and name not in GOVERNANCE_DEFINED) & np.isfinite(result["diff_p"].astype(float))
    adjusted = np.full(len(result), math.nan)
    adjusted[judged.to_numpy()] = holm(result.loc[judged, "diff_p"].to_numpy(float))
    result["diff_p_holm"] = adjusted
    labels = []
    for (_, row), p in zip(result.iterrows(), adjusted, strict=True):
        if not (math.isfinite(p) and p < alpha) or not math.isfinite(float(row["diff_mean"])) or row["diff_mean"] == 0:
            labels.append("")
            continue
        direction = REGISTRY[row["indicator"]].higher_is_better
        labels.append("differs" if direction is None else "better" if (row["diff_mean"] > 0) == direction else "worse")
    result["verdict"] = labels
    return result
