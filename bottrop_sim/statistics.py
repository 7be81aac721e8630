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


def paired_p_value(differences: ArrayLike) -> float:
    """Two-sided p-value of a paired t-test that the mean difference is zero (common seeds).

    NaN with fewer than two finite differences; with no spread (up to rounding: 1e-12 of the largest
    difference), 1 if all differences are 0, else 0.
    """
    data = np.asarray(differences, dtype=float).ravel()
    data = data[np.isfinite(data)]
    if len(data) < 2:
        return math.nan
    std = float(data.std(ddof=1))
    mean = float(data.mean())
    scale = max(1.0, float(np.abs(data).max()))
    if std <= 1e-12 * scale:
        return 1.0 if abs(mean) <= 1e-12 * scale else 0.0
    from scipy import stats

    t = mean / (std / math.sqrt(len(data)))
    return float(2.0 * stats.t.sf(abs(t), len(data) - 1))


def holm(p_values: ArrayLike) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (Holm 1979): controls the family-wise error rate of many verdicts at once.

    The i-th smallest of m finite p-values becomes max over j <= i of min(1, (m - j + 1) p_(j));
    NaN values are not part of the family and stay NaN.
    """
    p = np.asarray(p_values, dtype=float).ravel()
    adjusted = np.full(len(p), math.nan)
    finite = np.flatnonzero(np.isfinite(p))
    m = len(finite)
    if m == 0:
        return adjusted
    order = finite[np.argsort(p[finite], kind="stable")]
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted
