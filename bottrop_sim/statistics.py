"""Intervals over replications: one definition for compare, the report, sweeps and the app.

The interval of a mean over replications (or of a paired difference over common
seeds) is Student's t: mean +- t(1 - alpha/2, n - 1) x s / sqrt(n). With one
finite value the mean is known but its uncertainty is not: the bounds are NaN
(never a zero-width interval); with none, everything is NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

CONFIDENCE = 0.95
"""Default confidence level of intervals."""


@dataclass(frozen=True)
class Interval:
    """A mean with its confidence interval.

    Attributes:
        mean: mean of the finite values (NaN if none).
        low: lower bound (NaN with fewer than two values).
        high: upper bound (NaN with fewer than two values).
        n: number of finite values.
        std: their standard deviation (ddof 1; NaN with fewer than two).
    """

    mean: float
    low: float
    high: float
    n: int
    std: float

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval lies wholly above or wholly below zero (a clear difference)."""
        return bool(self.low > 0 or self.high < 0)


def interval(values: ArrayLike, confidence: float = CONFIDENCE) -> Interval:
    """Mean and Student-t confidence interval of the finite values.

    Args:
        values: one quantity over replications (NaN and infinite values are left out).
        confidence: confidence level, e.g. 0.95.
    """
    data = np.asarray(values, dtype=float).ravel()
    data = data[np.isfinite(data)]
    n = len(data)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0, math.nan)
    mean = float(data.mean())
    if n == 1:
        return Interval(mean, math.nan, math.nan, 1, math.nan)
    from scipy import stats

    std = float(data.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * std / math.sqrt(n))
    return Interval(mean, mean - half, mean + half, n, std)
