"""Batch sweeps for researchers: experiment files, designs, a crash-safe store, runners, analysis.

Usage::

    from bottrop_sim.experiments import open_results
    results = open_results("results/governance_sweep")   # pandas frames, also while the sweep runs
    results.outcomes.groupby("governance.mode")["employment"].mean()
    results.duckdb().sql("select * from runs where status = 'failed'").df()
"""

from bottrop_sim.experiments.store import Results, open_results

__all__ = ["Results", "open_results"]
