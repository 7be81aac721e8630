r"""Resilience of the regional economy to a shock, measured against its counterfactual twin run.

The twin is the same scenario minus its shocks (``scenario.without_shocks()``),
run with the same seed, so both runs draw the same random numbers (common random
numbers) and every difference between them comes from the shocks. The twin
takes the place of the "expected" path that Martin et al. (2016) derive from
national growth applied to the region's sector mix. Because the twin may be
flat (a steady state: no growth at all), changes are normalised by the twin's
*level*, not by its change as in Martin et al. (2016), whose denominator
|ΔE_expected| would be zero.

Notation: E(t) workplace employment (persons) in month t (row of the time
series) of the run, Ê(t) of the twin; t_s the first month in which a shock
acts, t_e the last; t_0 = t_s − 1 the last month before the shock (t_s itself
if the shock starts in the first month: that month is then the pre-shock
level); t_N the last month of the horizon. The relative gap is the run's
change since t_0 minus the twin's change (the "expected" change of Martin et
al. 2016), per job of the twin:

.. math:: r(t) = \frac{(E(t) - E(t_0)) - (Ê(t) - Ê(t_0))}{Ê(t)}, \quad t \ge t_0

For a flat twin, r(t) = (E(t) − Ê(t) − g_0) / Ê with g_0 = E(t_0) − Ê(t_0),
the gap E − Ê in persons scaled by a constant.

* **Resistance** (Martin 2012; Martin et al. 2016; contraction period
  t_0 → T): T is the trough, the first month in which r reaches its minimum
  (to within 1e-12, i.e. ties from rounding go to the earliest month), and

  .. math:: \mathrm{Resis} = r(T) = \min_{t \ge t_0} r(t)

  a share of counterfactual employment; ≤ 0 by construction, 0 = no loss
  against the twin, −0.1 = 10 % of the twin's jobs lost at the trough.
* **Recovery** (same references; recovery period T → R, R = t_N or
  T + ``recovery_months``): with r̄_R the mean of r over the last
  ``END_MONTHS`` (12) months of the recovery period (fewer if it is shorter),

  .. math:: \mathrm{Recov} = \bar r_R - r(T)

  positive = the run regains ground on the twin after the trough (equal to
  −Resis when it closes the gap completely), 0 = the gap stays where it was
  at the trough. For a flat twin this is Martin's
  ((E(R) − E(T)) − (Ê(R) − Ê(T))) / Ê with the end levels averaged.
* **Re-orientation** (Martin 2012; Martin et al. 2016: change in the sectoral
  structure of employment): the dissimilarity (structural change) index
  between the run's and the twin's sector shares of employment, each averaged
  over the last ``END_MONTHS`` months, with the mine's own staff excluded
  (its closure is the shock itself, not a re-orientation of the economy):

  .. math:: \mathrm{Reor} = \tfrac12 \sum_i \lvert s_i - ŝ_i \rvert

  a share 0..1 of jobs that would have to change sector to turn the run's
  structure into the twin's; 0 = same structure, and it carries no sign
  (structural change is not good or bad in itself).
* **Renewal** (Martin 2012: the renewal or resumption of the pre-shock growth
  path): with G_post the least-squares growth rate of ln E over the post-shock
  period t_e + 1 … t_N and G_pre over the pre-shock period 0 … t_s − 1, both
  per year,

  .. math:: \mathrm{Renew} = (G^{post} - G^{pre}) - (Ĝ^{post} - Ĝ^{pre})

  positive = after the shock the run grows faster, relative to its own
  pre-shock trend, than the twin does relative to its trend. With fewer than 2
  pre-shock months the pre-shock terms are taken as 0 (under common random
  numbers the run and the twin coincide before the shock anyway); with fewer
  than 2 post-shock months renewal is NaN. The post-shock period starts when
  the shocks stop acting, not at the trough: a shock that lowers the growth
  rate for good (hysteresis, Martin 2012) keeps the run falling behind, so its
  trough is the end of the horizon, and renewal must still see it. Where the
  economy is still climbing back after the shocks have stopped, that climb
  counts in both recovery and renewal.

Sign convention: for resistance, recovery and renewal, positive (or, for
resistance, closer to 0) means more resilient than the counterfactual. All
four are exactly 0 when the run equals its twin.

References:
    Martin, R. (2012). Regional economic resilience, hysteresis and recessionary
    shocks. Journal of Economic Geography 12(1), 1-32.
    Martin, R., Sunley, P., Gardiner, B., Tyler, P. (2016). How regions react to
    recessions: resilience and the role of economic structure. Regional Studies
    50(4), 561-585.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from bottrop_sim.calendar import month_number
from bottrop_sim.shocks import shock_window

if TYPE_CHECKING:
    from bottrop_sim.scenario.schema import Scenario

#: Months at the end of a period whose mean gives its end level.
END_MONTHS = 12
#: Relative gaps closer than this to the minimum count as the trough (rounding).
TIE_TOLERANCE = 1e-12
#: The resilience measures, in the order :func:`resilience_measures` returns them. Resistance, recovery and
#: renewal are measured on employment outside the mine (the mine's staff follow an exogenous path, the shock
#: itself, which would swamp what the rest of the economy and its governance do); the ``_workplace`` variants
#: measure all workplace employment, the mine included.
MEASURES = ("resistance", "recovery", "reorientation", "renewal", "resistance_workplace", "recovery_workplace")


def _pair(run: ArrayLike, twin: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(run, dtype=float), np.asarray(twin, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"run and twin differ in shape: {a.shape} vs {b.shape}")
    if a.ndim != 1 or len(a) == 0:
        raise ValueError("run and twin must be non-empty 1-D employment series")
    return a, b


def _base(shock_start: int, months: int) -> int:
    if not 0 <= shock_start < months:
        raise ValueError(f"shock_start {shock_start} is outside the series (0..{months - 1})")
    return max(shock_start - 1, 0)


def relative_gap(run: ArrayLike, twin: ArrayLike, shock_start: int) -> np.ndarray:
    """The relative gap r(t) from the pre-shock month t_0 on (module docstring).

    Args:
        run: workplace employment of the run, persons per month.
        twin: the same for the counterfactual twin (same seed).
        shock_start: row of the first month in which a shock acts.

    Returns:
        r(t) for t = t_0 … t_N (element 0 is t_0 and is 0): a share of the twin's employment.
    """
    a, b = _pair(run, twin)
    base = _base(shock_start, len(a))
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = ((a[base:] - a[base]) - (b[base:] - b[base])) / b[base:]
    return np.where(b[base:] > 0, gap, np.nan)


def _trough_offset(gap: np.ndarray) -> int | None:
    """Position of the trough within the relative gap (None if the gap is undefined throughout)."""
    if np.isnan(gap).all():
        return None
    return int(np.argmax(gap <= np.nanmin(gap) + TIE_TOLERANCE))


def trough(run: ArrayLike, twin: ArrayLike, shock_start: int) -> int:
    """Month (row) of the trough: the first month in which the relative gap r reaches its minimum.

    Args:
        run: workplace employment of the run, persons per month.
        twin: the same for the counterfactual twin.
        shock_start: row of the first month in which a shock acts.

    Returns:
        The row T ≥ t_0 (ties within 1e-12, i.e. rounding, go to the earliest month).
    """
    offset = _trough_offset(relative_gap(run, twin, shock_start))
    if offset is None:
        raise ValueError("the twin has no employment: the relative gap is undefined")
    return max(shock_start - 1, 0) + offset


def resistance(run: ArrayLike, twin: ArrayLike, shock_start: int) -> float:
    """Resistance: the loss against the twin at the trough, as a share of the twin's employment there.

    Args:
        run: workplace employment of the run, persons per month.
        twin: the same for the counterfactual twin (same seed).
        shock_start: row of the first month in which a shock acts.

    Returns:
        r(T) = ((E(T) − E(t_0)) − (Ê(T) − Ê(t_0))) / Ê(T), a share ≤ 0; 0 = no loss.
    """
    gap = relative_gap(run, twin, shock_start)
    return float(np.nanmin(gap)) if not np.isnan(gap).all() else math.nan


def recovery(run: ArrayLike, twin: ArrayLike, shock_start: int, recovery_months: int | None = None) -> float:
    """Recovery: ground regained on the twin from the trough to the end of the recovery period.

    Args:
        run: workplace employment of the run, persons per month.
        twin: the same for the counterfactual twin (same seed).
        shock_start: row of the first month in which a shock acts.
        recovery_months: length of the recovery period after the trough, months;
            None: to the end of the horizon.

    Returns:
        r̄_R − r(T), with r̄_R the mean relative gap over the last ``END_MONTHS``
        months of the recovery period; a share, positive = recovering.
    """
    gap = relative_gap(run, twin, shock_start)
    low = _trough_offset(gap)
    if low is None:
        return math.nan
    stop = len(gap) if recovery_months is None else min(len(gap), low + recovery_months + 1)
    tail = gap[max(low, stop - END_MONTHS) : stop]
    return float(tail.mean() - gap[low])


def growth_rate(employment: ArrayLike) -> float:
    """Least-squares growth rate of ln(employment) per year (months as time steps).

    Args:
        employment: persons per month, all > 0, at least 2 months.

    Returns:
        The slope of ln E on time in years (0.01 ≈ 1 % a year); NaN if a value is ≤ 0.
    """
    values = np.asarray(employment, dtype=float)
    if len(values) < 2:
        raise ValueError("a growth rate needs at least 2 months")
    if np.any(values <= 0):
        return math.nan
    years = np.arange(len(values)) / 12.0
    centred = years - years.mean()
    return float(centred @ np.log(values) / (centred @ centred))


def renewal(run: ArrayLike, twin: ArrayLike, shock_start: int, shock_end: int) -> float:
    """Renewal: change of the growth rate after the shock against before, relative to the twin's change.

    Args:
        run: workplace employment of the run, persons per month.
        twin: the same for the counterfactual twin (same seed).
        shock_start: row of the first month in which a shock acts.
        shock_end: row of the last month in which a shock acts.

    Returns:
        (G_post − G_pre) − (Ĝ_post − Ĝ_pre), per year, the post-shock period starting
        after the last shock month; positive = the run's growth
        path improved more (or worsened less) than the twin's. NaN with fewer than
        2 post-shock months; the pre-shock terms count as 0 with fewer than 2
        pre-shock months.
    """
    a, b = _pair(run, twin)
    if not shock_start <= shock_end < len(a):
        raise ValueError(f"shock_end {shock_end} is not between shock_start {shock_start} and the last month {len(a) - 1}")
    first_post = shock_end + 1
    post = slice(first_post, len(a))
    if len(a) - first_post < 2:
        return math.nan
    change_run, change_twin = growth_rate(a[post]), growth_rate(b[post])
    if shock_start >= 2:
        change_run -= growth_rate(a[:shock_start])
        change_twin -= growth_rate(b[:shock_start])
    return float(change_run - change_twin)


def reorientation(run_by_sector: ArrayLike, twin_by_sector: ArrayLike) -> float:
    """Re-orientation: dissimilarity of the run's and the twin's sector structure at the end.

    Args:
        run_by_sector: employment by sector of the run, persons, months × sectors.
        twin_by_sector: the same for the twin.

    Returns:
        ½ Σ_i |s_i − ŝ_i| of sector shares of the mean employment over the last
        ``END_MONTHS`` months: a share 0..1, 0 = the same structure (NaN if a total is 0).
    """
    a, b = np.asarray(run_by_sector, dtype=float), np.asarray(twin_by_sector, dtype=float)
    if a.shape != b.shape or a.ndim != 2:
        raise ValueError(f"need two months × sectors arrays of one shape, got {a.shape} and {b.shape}")
    run_end, twin_end = a[-END_MONTHS:].mean(axis=0), b[-END_MONTHS:].mean(axis=0)
    if run_end.sum() <= 0 or twin_end.sum() <= 0:
        return math.nan
    return float(0.5 * np.abs(run_end / run_end.sum() - twin_end / twin_end.sum()).sum())


def shock_rows(scenario: Scenario) -> tuple[int, int] | None:
    """Rows of the time series in which the scenario's shocks start and end.

    Args:
        scenario: the scenario that ran.

    Returns:
        (first row, last row) of the shock window, clipped to the horizon; None
        without shocks or when the shocks act only outside the horizon.
    """
    window = shock_window(scenario.shocks)
    if window is None:
        return None
    start, months = month_number(scenario.start), scenario.months
    first, last = window[0] - start, window[1] - start
    if last < 0 or first >= months:
        return None
    return max(first, 0), min(last, months - 1)


def firm_employment_by_sector(timeseries: pd.DataFrame, sectors: tuple[str, ...], mine_sector: str | None) -> np.ndarray:
    """Employment by sector without the mine's own staff, persons, months × sectors.

    Args:
        timeseries: a run's time series (columns ``employment_<sector>`` and ``mine_employment``).
        sectors: sector ids of the columns to use.
        mine_sector: the mine's sector (its staff are subtracted there); None: subtract nothing.
    """
    sectors = tuple(sectors)
    matrix = np.array(timeseries[[f"employment_{s}" for s in sectors]], dtype=float)  # a writable copy
    if mine_sector in sectors:
        matrix[:, sectors.index(mine_sector)] -= timeseries["mine_employment"].to_numpy(dtype=float)
    return np.clip(matrix, 0.0, None)


def resilience_measures(
    run: pd.DataFrame, twin: pd.DataFrame | None, scenario: Scenario, sectors: tuple[str, ...], recovery_months: int | None = None
) -> dict[str, float]:
    """The four resilience measures of a run against its twin (NaN without a twin).

    Without a shock in the horizon they are measured from the first month, so a
    scenario without shocks scores exactly the neutral value 0 against its own twin.

    Args:
        run: the run's time series (one row per month).
        twin: the twin's time series (same scenario without shocks, same seed), or None.
        scenario: the scenario of the run (for the shock window and the mine's sector).
        sectors: sector ids with ``employment_<sector>`` columns.
        recovery_months: length of the recovery period (months); None: to the end of the horizon.

    Returns:
        :data:`MEASURES` as floats.
    """
    if twin is None:
        return dict.fromkeys(MEASURES, math.nan)
    rows = shock_rows(scenario)
    if rows is None:  # no shock in the horizon: measured from the first month (neutral when the run equals its twin)
        rows = (0, 0)
    if len(run) != len(twin):
        raise ValueError(f"run has {len(run)} months, its twin {len(twin)}")
    first, last = rows
    jobs, twin_jobs = _outside_mine(run), _outside_mine(twin)
    workplace, twin_workplace = run["employment_workplace"].to_numpy(float), twin["employment_workplace"].to_numpy(float)
    mine_sector = scenario.mine.sector if scenario.mine.enabled else None
    return {
        "resistance": resistance(jobs, twin_jobs, first),
        "recovery": recovery(jobs, twin_jobs, first, recovery_months),
        "reorientation": reorientation(firm_employment_by_sector(run, sectors, mine_sector), firm_employment_by_sector(twin, sectors, mine_sector)),
        "renewal": renewal(jobs, twin_jobs, first, last),
        "resistance_workplace": resistance(workplace, twin_workplace, first),
        "recovery_workplace": recovery(workplace, twin_workplace, first, recovery_months),
    }


def _outside_mine(timeseries: pd.DataFrame) -> np.ndarray:
    """Workplace employment outside the mine, persons per month (all of it if the run has no mine staff column)."""
    jobs = timeseries["employment_workplace"].to_numpy(float)
    if "mine_employment" in timeseries:
        jobs = jobs - timeseries["mine_employment"].to_numpy(float)
    return jobs
