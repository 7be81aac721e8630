"""The scorecard of the two panels: the monitoring instrument's values for A and B and their difference A − B.

Values come from :func:`bottrop_sim.monitoring.scorecard` on each panel's run and
its counterfactual twin; while the runs are under way the horizon is cut at the
current month, so the numbers are provisional (the last 12 months so far, the
resilience measures of the shock so far). Units and number formats follow the
HTML report (:func:`bottrop_sim.report.language.scale_for`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from bottrop_sim.monitoring import REGISTRY
from bottrop_sim.report.language import decimals_for, scale_for
from bottrop_sim.runs import pair_scores

from .runs import PanelSnapshot
from .texts import number

RESILIENCE = ("resistance", "recovery", "reorientation", "renewal")
KEY_INDICATORS = (
    "employment",
    "unemployment_rate",
    "value_added",
    "firms",
    "co2",
    "green_jobs_share",
    "local_sourcing_share",
    "network_robustness",
    "shannon_entropy",
    "start_ups",
    "exits",
    "alliance_participation",
    "alliance_trust",
    "public_money_spent",
)
"""Indicators the app shows besides the resilience measures (public money per job saved needs a third run and is left out)."""


@dataclass(frozen=True)
class Row:
    """One line of the scorecard, formatted for ``lang``."""

    name: str
    label: str
    unit: str
    values: dict[str, str]
    difference: str
    better: str | None


def panel_scores(snapshot: PanelSnapshot) -> dict[str, float]:
    """The scorecard of one panel up to its current month (NaN everywhere before the start)."""
    if snapshot.months_done == 0 or snapshot.timeseries.empty:
        return dict.fromkeys(REGISTRY, math.nan)
    twin = snapshot.twin if snapshot.twin is not None else snapshot.timeseries  # no shocks: the run is its own twin
    return pair_scores(snapshot.timeseries, twin, snapshot.scenario, until=snapshot.date)  # horizon so far: the last 12 months are the latest


def _finite(value: float) -> bool:
    return value is not None and math.isfinite(float(value))


def rows(snapshots: Mapping[str, PanelSnapshot], lang: str, names: tuple[str, ...]) -> list[Row]:
    """Scorecard lines of ``names`` for the panels (``A`` and ``B``), with A − B and which is better."""
    scores = {panel: panel_scores(snapshot) for panel, snapshot in snapshots.items()}
    panels = list(snapshots)
    result = []
    for name in names:
        indicator = REGISTRY[name]
        raw = {panel: scores[panel].get(name, math.nan) for panel in panels}
        finite = [abs(v) for v in raw.values() if _finite(v)]
        scale = scale_for(indicator.unit, max(finite, default=0.0), lang)
        shown = {panel: v * scale.factor if _finite(v) else math.nan for panel, v in raw.items()}
        decimals = decimals_for(max((abs(v) for v in shown.values() if _finite(v)), default=0.0))
        if scale.unit == "%":
            decimals = min(decimals, 2) if max(finite, default=0.0) * 100 >= 1 else decimals
        values = {panel: _with_unit(number(v, lang, decimals), scale.unit) if _finite(v) else "–" for panel, v in shown.items()}
        difference, better = "–", None
        if len(panels) == 2 and all(_finite(v) for v in shown.values()):
            delta = shown[panels[0]] - shown[panels[1]]
            delta_decimals = max(decimals, decimals_for(abs(delta))) if delta else decimals
            difference = _with_unit(number(delta, lang, delta_decimals, sign=True), scale.difference_unit)
            tolerance = 1e-9 * max(1.0, *(abs(v) for v in shown.values()))
            if abs(delta) <= tolerance:
                better = "="
            elif indicator.higher_is_better is not None:
                better = panels[0] if (delta > 0) == indicator.higher_is_better else panels[1]
        label = indicator.label_de if lang == "de" else indicator.label_en
        result.append(Row(name, label, scale.unit, values, difference, better))
    return result


def _with_unit(text: str, unit: str) -> str:
    """Percentages and percentage points carry their unit beside the number; other units stand in their own column."""
    return f"{text} {unit}" if unit in ("%", "Pp.", "pp") and text != "–" else text
