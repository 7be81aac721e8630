"""The closure through the open labour market: total job loss per mine job and the unemployment response.

Band for the total job loss per mine job (the mine's own job plus the jobs lost beyond it), with the
labour market open: 1.3 to 2.9, the national job multipliers of German hard-coal mining (Prognos 1999:
1.3; EEFA 2016: 2.9; bottrop_sim/data/calibration.toml); the local estimate for US coal-mine closures,
about 2.0 (Federal Reserve Bank of Philadelphia, "The local economic impact of coal mine closures"),
lies inside it. A city is smaller than the national economy, so its multiplier sits in the lower part
of the band (tests/test_closure.py checks the jobs lost beyond the mine's against 10-30 % of the
national figures). Outcomes, not inputs: no parameter is fitted to this ratio. The paired runs and the
ratio are the session fixtures ``closure_pairs`` and ``closure_job_ratios`` (tests/conftest.py).
"""

from __future__ import annotations

import numpy as np

BAND = (1.3, 2.9)
PHILADELPHIA_FED_LOCAL = 2.0


def test_total_job_loss_per_mine_job_lies_in_the_literature_band(closure_job_ratios):
    """Issue 10: 1.30, 1.30, 1.32 jobs per mine job in 2022 (seeds 1-3) with firms' idiosyncratic demand (sd 0.15) and
    customer search against an adaptive aspiration (docs/ODD.md §7.10); before, with the reference a ratchet and no
    demand noise, 1.24, 1.18, 1.20 (below the band). The mean sits just inside the band's lower end, as expected for a
    city, which keeps a small share of the national further jobs (tests/test_closure.py) and absorbs mass layoffs
    partly locally (vom Berge & Schmillen 2023)."""
    assert BAND[0] < PHILADELPHIA_FED_LOCAL < BAND[1]
    assert BAND[0] <= np.mean(closure_job_ratios) <= BAND[1], closure_job_ratios


def test_closure_raises_unemployment_through_the_flows(closure_pairs):
    """The closure raises unemployment while jobs are being lost (2019-2020) by more than a third of a point on
    average, fed by its layoffs; the extra unemployed then leave through job finding (local hires, of which
    residents now make a larger share, and jobs in the zone), so the excess in 2023 is below the 2019-20 one
    although the jobs do not come back."""
    peaks, later = [], []
    for closure, twin in closure_pairs:
        extra = closure["unemployment_rate"] - twin["unemployment_rate"]
        peaks.append(extra.loc["2019-01":"2020-12"].mean())
        later.append(extra.loc["2023-01":"2023-12"].mean())
        assert closure.loc["2019-01":"2020-12", "separations"].sum() > twin.loc["2019-01":"2020-12", "separations"].sum()
        assert twin.loc["2023-12", "employment_workplace"] - closure.loc["2023-12", "employment_workplace"] > 3000
        residents = closure.loc["2019-01":"2020-12", "resident_share_of_hires"].mean() - twin.loc["2019-01":"2020-12", "resident_share_of_hires"].mean()
        assert residents > 0  # more resident searchers: a larger resident share of hires (an outcome, not a constant)
    assert np.mean(peaks) > 0.0035, peaks
    assert np.mean(later) < np.mean(peaks), (later, peaks)
