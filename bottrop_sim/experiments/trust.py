"""When can a sweep's results be trusted? Bootstrap intervals, convergence, replication noise.

* Sobol' indices with percentile bootstrap intervals: the first-order index
  of Saltelli et al. (2010, eq. b) and the total index of Jansen (1999), the
  estimators SALib uses, computed here on resamples of the N base samples
  (each a block of D + 2 design points).
* Convergence: the same indices from the first n base samples, n = N/8, N/4,
  N/2, N (Sobol' samples extend, so the first n blocks are a design of their
  own). Indices that still move between N/2 and N are not settled.
* Morris: mu* (mean absolute elementary effect, Campolongo et al. 2007) with a
  percentile bootstrap interval over trajectories.
* Replication noise: for every outcome, the noise in a design point's mean
  over its replications (the point x replication interaction variance divided
  by the number of replications; see :func:`replication_noise`) as a share of
  the variance of the point means across the design. Above one half, the dice move the outcome as much as the parameters
  do, and indices describe the noise; the number of replications that would
  bring the share below :data:`NOISE_SHARE_TARGET` is given.
* The replications a stated precision needs: the smallest n with
  ``t(0.975, n-1) x s / sqrt(n) <= precision x |mean|``, ``s`` the pooled
  within-point standard deviation (a relative half-width of a design point's
  95 % interval).

Bootstrap resamples are seeded from the experiment's seed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 1000
RANGE_TOLERANCE = 0.01  # indices outside [-tol, 1 + tol] are warned about
NOISE_DOMINATES = 0.5  # noise share of the variance of point means above which indices are not trusted
NOISE_SHARE_TARGET = 0.1
CONVERGENCE_FRACTIONS = (1 / 8, 1 / 4, 1 / 2, 1)


def sobol_estimates(y: np.ndarray, dimensions: int) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total indices from a Saltelli sample's outputs (no second order).

    Args:
        y: outputs in design order, N blocks of D + 2 rows (A, AB_1 ... AB_D, B).
        dimensions: D, the number of parameters.

    Returns:
        (S1, ST), one value per parameter.
    """
    y = np.asarray(y, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = (y - y.mean()) / y.std()  # as SALib does: the first-order estimator is not shift-invariant
    blocks = y.reshape(-1, dimensions + 2)
    a, ab, b = blocks[:, 0], blocks[:, 1:-1], blocks[:, -1]
    variance = np.var(np.concatenate([a, b]))
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.mean(b[:, None] * (ab - a[:, None]), axis=0) / variance
        total = 0.5 * np.mean((a[:, None] - ab) ** 2, axis=0) / variance
    return first, total


def sobol_bootstrap(y: np.ndarray, dimensions: int, seed: int) -> pd.DataFrame:
    """Sobol' indices with percentile bootstrap intervals over base samples.

    Returns:
        One row per parameter (in order): S1, S1_low, S1_high, ST, ST_low, ST_high.
    """
    blocks = np.asarray(y, dtype=float).reshape(-1, dimensions + 2)
    first, total = sobol_estimates(blocks.ravel(), dimensions)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(blocks), size=(BOOTSTRAP_RESAMPLES, len(blocks)))
    samples = np.array([np.concatenate(sobol_estimates(blocks[rows].ravel(), dimensions)) for rows in draws])
    tail = 100 * (1 - CONFIDENCE) / 2
    low, high = np.nanpercentile(samples, [tail, 100 - tail], axis=0) if np.isfinite(samples).any() else (np.full(2 * dimensions, np.nan),) * 2
    return pd.DataFrame(
        {"S1": first, "S1_low": low[:dimensions], "S1_high": high[:dimensions], "ST": total, "ST_low": low[dimensions:], "ST_high": high[dimensions:]}
    )


def sobol_convergence(y: np.ndarray, dimensions: int, seed: int) -> pd.DataFrame:
    """Sobol' indices (with intervals) from the first n base samples, for growing n.

    Returns:
        Rows base_samples, parameter_index, S1, S1_low, S1_high, ST, ST_low, ST_high.
    """
    blocks = np.asarray(y, dtype=float).reshape(-1, dimensions + 2)
    sizes = sorted({max(2, math.ceil(len(blocks) * f)) for f in CONVERGENCE_FRACTIONS if math.ceil(len(blocks) * f) <= len(blocks)})
    frames = []
    for n in sizes:
        frame = sobol_bootstrap(blocks[:n].ravel(), dimensions, seed)
        frame.insert(0, "parameter_index", range(dimensions))
        frame.insert(0, "base_samples", n)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def morris_effects(unit: np.ndarray, y: np.ndarray, dimensions: int) -> np.ndarray:
    """Elementary effects, shape (trajectories, D), from a Morris sample on the unit cube.

    The effect of the coordinate that changes between two successive points of a
    trajectory is the change in output divided by the (signed) step.
    """
    unit = np.asarray(unit, dtype=float).reshape(-1, dimensions + 1, dimensions)
    y = np.asarray(y, dtype=float).reshape(-1, dimensions + 1)
    effects = np.full((len(unit), dimensions), np.nan)
    for t in range(len(unit)):
        steps = np.diff(unit[t], axis=0)
        for k, step in enumerate(steps):
            j = int(np.argmax(np.abs(step)))
            effects[t, j] = (y[t, k + 1] - y[t, k]) / step[j]
    return effects


def morris_bootstrap(unit: np.ndarray, y: np.ndarray, dimensions: int, seed: int) -> pd.DataFrame:
    """mu* with a percentile bootstrap interval over trajectories.

    Returns:
        One row per parameter: mu_star, mu_star_low, mu_star_high.
    """
    effects = np.abs(morris_effects(unit, y, dimensions))
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(effects), size=(BOOTSTRAP_RESAMPLES, len(effects)))
    samples = np.array([np.nanmean(effects[rows], axis=0) for rows in draws])
    tail = 100 * (1 - CONFIDENCE) / 2
    low, high = np.nanpercentile(samples, [tail, 100 - tail], axis=0)
    return pd.DataFrame({"mu_star": np.nanmean(effects, axis=0), "mu_star_low": low, "mu_star_high": high})


def replications_for(sd: float, mean: float, precision: float, limit: int = 100_000) -> float:
    """Smallest number of replications whose 95 % interval of the mean has half-width <= precision x |mean|.

    Args:
        sd: standard deviation over replications of one design point (the outcome's unit).
        mean: the outcome's mean (the outcome's unit).
        precision: the wanted half-width as a share of ``|mean|`` (0.01: ±1 %).
        limit: the answer is capped here (returned as ``inf`` if more are needed).

    Returns:
        The number (at least 2), or NaN when ``sd`` is unknown or ``mean`` is 0.
    """
    if not np.isfinite(sd) or not np.isfinite(mean) or mean == 0:
        return float("nan")
    if sd == 0:
        return 2.0
    target = precision * abs(mean)
    n = max(2, math.ceil((stats.norm.ppf(0.975) * sd / target) ** 2))
    while n <= limit and stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n) > target:
        n += 1  # the normal-quantile start is a lower bound: the first n that fits is the smallest
    return float(n) if n <= limit else float("inf")


def replication_noise(outcomes: pd.DataFrame, key: str, precision: float) -> dict[str, Any]:
    """How much of the variation of an outcome's design point means is replication noise.

    Replication ``r`` has the same seed at every design point (common random
    numbers), so a seed's effect common to all points shifts every point mean
    alike and does not blur their differences. The noise that does is the
    point x replication interaction: the residual of the two-way decomposition
    ``y = point effect + replication effect + residual`` over the points with
    every replication, whose variance divided by the number of replications is
    the noise in a point mean.

    Args:
        outcomes: one row per finished run, with ``point``, ``replication`` and the outcome ``key``.
        key: the outcome column.
        precision: wanted half-width of a point's 95 % interval as a share of the outcome's mean.

    Returns:
        outcome, replications, mean, within_sd (standard deviation over replications,
        pooled over points: the uncertainty of one point's value), between_variance (of the
        point means), noise_share (interaction noise in the point means as a share of
        their variance), replications_for_noise_share (to bring it under
        :data:`NOISE_SHARE_TARGET`), precision, replications_for_precision.
    """
    table = outcomes.pivot_table(index="point", columns="replication", values=key, aggfunc="mean").dropna()
    points, replications = table.shape
    mean = float(pd.to_numeric(outcomes[key], errors="coerce").mean())
    within_sd = between = share = needed = float("nan")
    if points >= 2 and replications >= 2:
        y = table.to_numpy(float)
        within_sd = float(np.sqrt(y.var(axis=1, ddof=1).mean()))
        residual = y - y.mean(axis=1, keepdims=True) - y.mean(axis=0, keepdims=True) + y.mean()
        interaction = float((residual**2).sum() / ((points - 1) * (replications - 1)))
        noise = interaction / replications
        between = float(y.mean(axis=1).var(ddof=1))
        share = noise / between if between > 0 else (0.0 if noise == 0 else float("inf"))
        signal = between - noise  # variance of the true point means; <= 0: no effect shows above the noise
        # the smallest R with (v / R) / (signal + v / R) <= target
        needed = float(max(2, math.ceil(interaction * (1 - NOISE_SHARE_TARGET) / (NOISE_SHARE_TARGET * signal)))) if signal > 0 else float("inf")
    elif points >= 2:
        between = float(table.mean(axis=1).var(ddof=1))
    return {
        "outcome": key,
        "replications": replications,
        "mean": mean,
        "within_sd": within_sd,
        "between_variance": between,
        "noise_share": share,
        "replications_for_noise_share": needed,
        "precision": precision,
        "replications_for_precision": replications_for(within_sd, mean, precision),
    }


def range_warnings(table: pd.DataFrame, columns: tuple[str, ...] = ("S1", "ST")) -> list[str]:
    """A warning for each Sobol' index estimate outside [0, 1] (beyond :data:`RANGE_TOLERANCE`)."""
    messages = []
    for _, row in table.iterrows():
        for column in columns:
            value = row[column]
            if np.isfinite(value) and not -RANGE_TOLERANCE <= value <= 1 + RANGE_TOLERANCE:
                messages.append(
                    f"{row['outcome']}: {column} of {row['parameter']} is {value:.3g}, outside [0, 1]: the sample is too small "
                    "or replication noise dominates; add Sobol' points (samples) or replications"
                )
    return messages


def noise_warnings(noise: pd.DataFrame) -> list[str]:
    """Warnings for outcomes whose point means are dominated by replication noise (or where it is unknown)."""
    messages = []
    for _, row in noise.iterrows():
        if row["replications"] < 2:
            messages.append(
                f"{row['outcome']}: one replication per design point, so replication noise is not measured; "
                "indices may describe the dice rather than the parameters (use replications >= 2)"
            )
        elif row["noise_share"] > NOISE_DOMINATES:  # NaN (noise unmeasured) is not
            messages.append(
                f"{row['outcome']}: replication noise is {100 * row['noise_share']:.0f} % of the variance of the design point means "
                f"(above {100 * NOISE_DOMINATES:.0f} %): the parameters' effects are not told apart from the dice; "
                + (
                    f"about {row['replications_for_noise_share']:.0f} replications would bring it under {100 * NOISE_SHARE_TARGET:.0f} %"
                    if np.isfinite(row["replications_for_noise_share"])
                    else "no effect of the parameters shows above the noise"
                )
            )
    return messages
