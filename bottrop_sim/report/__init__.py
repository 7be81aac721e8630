"""The HTML report of a scenario comparison (one self-contained file, German or English).

Usage::

    from bottrop_sim.report import write_report

    write_report(Path("report.html"), comparison=comparison, indicators=indicators, series=series,
                 provenance=provenance, labels=labels, lang="de")
"""

from bottrop_sim.report.document import render_report, write_report

__all__ = ["render_report", "write_report"]
