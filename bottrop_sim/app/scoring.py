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
from bottrop_sim.report.language import Scale, decimals_for, scale_for
from bottrop_sim.runs import pair_scores

from .ensemble import GOVERNANCE_DEFINED, Ensemble, tested
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
        scale, decimals, shown, values = _formatted(indicator.unit, raw, [abs(v) for v in raw.values() if _finite(v)], lang)
        difference, better = "–", None
        if len(panels) == 2 and all(_finite(v) for v in shown.values()):
            delta = shown[panels[0]] - shown[panels[1]]
            delta_decimals = max(decimals, decimals_for(abs(delta))) if delta else decimals
            difference = _with_unit(number(delta, lang, delta_decimals, sign=True), scale.difference_unit)
            tolerance = 1e-9 * max(1.0, *(abs(v) for v in shown.values()))
            if abs(delta) <= tolerance:
                better = "="
            elif indicator.higher_is_better is not None and name not in GOVERNANCE_DEFINED:
                better = panels[0] if (delta > 0) == indicator.higher_is_better else panels[1]
        label = indicator.label_de if lang == "de" else indicator.label_en
        result.append(Row(name, label, scale.unit, values, difference, better))
    return result


def _formatted(unit: str, values: Mapping[str, float], extent: list[float], lang: str) -> tuple[Scale, int, dict[str, float], dict[str, str]]:
    """The panels' values of one indicator in one shown unit, with one number of decimals, for both scorecards.

    Args:
        unit: the indicator's unit (see :data:`bottrop_sim.monitoring.REGISTRY`).
        values: panel -> value in that unit (NaN: not known yet, shown as "–").
        extent: the magnitudes the line shows (the values, and the interval's ends where there is one), in that unit:
            their largest chooses the shown unit (e.g. %, million EUR).
        lang: "de" or "en".

    Returns:
        The scale, the decimals of the values, panel -> value in the shown unit, panel -> text.
    """
    largest = max(extent, default=0.0)
    scale = scale_for(unit, largest, lang)
    shown = {panel: v * scale.factor if _finite(v) else math.nan for panel, v in values.items()}
    decimals = decimals_for(max((abs(v) for v in shown.values() if _finite(v)), default=0.0))
    if scale.unit == "%":
        decimals = min(decimals, 2) if largest * 100 >= 1 else decimals
    texts = {panel: _with_unit(number(v, lang, decimals), scale.unit) if _finite(v) else "–" for panel, v in shown.items()}
    return scale, decimals, shown, texts


def _with_unit(text: str, unit: str) -> str:
    """Percentages and percentage points carry their unit beside the number; other units stand in their own column."""
    return f"{text} {unit}" if unit in ("%", "Pp.", "pp") and text != "–" else text


@dataclass(frozen=True)
class EnsembleRow:
    """One line of the ensemble scorecard, formatted for ``lang``.

    Attributes:
        name: indicator name.
        label: its label.
        unit: the unit of the shown values.
        values: panel -> mean over the seeds.
        difference: mean paired difference A − B.
        interval: its 95 % interval ("–" with fewer than two seeds).
        verdict: "clear", "unclear", "descriptive" or "waiting" (see :class:`~bottrop_sim.app.ensemble.Difference`).
        better: "A" or "B" for a clear difference, else None.
        n: seeds with both panels.
    """

    name: str
    label: str
    unit: str
    values: dict[str, str]
    difference: str
    interval: str
    verdict: str
    better: str | None
    n: int


def ensemble_rows(ensemble: Ensemble, lang: str, names: tuple[str, ...]) -> list[EnsembleRow]:
    """Scorecard lines of ``names`` over the ensemble: means of A and B, A − B with its interval and the Holm-corrected verdict.

    The verdicts are corrected over all indicators of :data:`RESILIENCE` and
    :data:`KEY_INDICATORS` that are tested, whichever of them ``names`` lists,
    so the resilience table and the indicator table share one family of tests.
    """
    differences = ensemble.differences(RESILIENCE + KEY_INDICATORS)
    result = []
    for name in names:
        indicator = REGISTRY[name]
        means = {panel: ensemble.levels(panel, name) for panel in ("A", "B")}
        diff = differences[name]
        extent = [abs(v) for v in (*means.values(), diff.low, diff.high) if _finite(v)]
        scale, decimals, _, values = _formatted(indicator.unit, means, extent, lang)
        difference, spread = "–", "–"
        if _finite(diff.mean):
            delta = diff.mean * scale.factor
            delta_decimals = max(decimals, decimals_for(abs(delta))) if delta else decimals
            difference = _with_unit(number(delta, lang, delta_decimals, sign=True), scale.difference_unit)
            if _finite(diff.low) and _finite(diff.high):
                low, high = (number(v * scale.factor, lang, delta_decimals, sign=True) for v in (diff.low, diff.high))
                spread = _with_unit(f"{low} … {high}", scale.difference_unit)
        label = indicator.label_de if lang == "de" else indicator.label_en
        result.append(EnsembleRow(name, label, scale.unit, values, difference, spread, diff.verdict, diff.better, diff.n))
    return result


def tested_count() -> int:
    """How many scorecard indicators are tested together (the size of Holm's family)."""
    return sum(1 for name in RESILIENCE + KEY_INDICATORS if tested(name))
