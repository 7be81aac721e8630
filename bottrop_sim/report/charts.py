"""Charts of the report, drawn with matplotlib and returned as base64 PNG.

Figures are built from :class:`matplotlib.figure.Figure` with an explicit Agg
canvas: nothing here touches pyplot's global state or the process-wide backend,
so importing this module has no side effects. Fonts are large enough to read on
a projector.
"""

from __future__ import annotations

import base64
import io
import math
import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter

from bottrop_sim.report.language import Scale, format_number, text

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
"""Okabe-Ito colours, distinguishable with colour-vision deficiencies; scenario i gets colour i."""

COUNTERFACTUAL_SUFFIX = " (counterfactual)"
FONT = 15
TICK_FONT = 13
DPI = 100


def scenario_colour(index: int) -> str:
    """Colour of the scenario at position ``index`` of the comparison (charts and table share it)."""
    return PALETTE[index % len(PALETTE)]


def png_base64(figure: Figure) -> str:
    """Render a figure as PNG (Agg) and return it base64-encoded, without the PNG's software tag."""
    canvas = FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    canvas.print_png(buffer, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


class LocaleFormatter(Formatter):
    """Tick labels in the report's language, with as many decimals as the tick spacing needs."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.decimals = 0

    def set_locs(self, locs: Sequence[float]) -> None:
        """Choose the decimals from the spacing of the ticks about to be labelled."""
        super().set_locs(locs)
        steps = np.abs(np.diff(np.asarray(locs, dtype=float)))
        step = float(steps.min()) if steps.size else 1.0
        self.decimals = next((d for d in range(7) if step == 0 or abs(step * 10**d - round(step * 10**d)) < 1e-6 * max(1.0, step * 10**d)), 6)

    def __call__(self, value: float, position: int | None = None) -> str:
        """The label of the tick at ``value``."""
        return format_number(value, self.lang, self.decimals)


def _plain(label: str) -> str:
    """A label matplotlib shows literally (a "$" would otherwise start mathematical notation)."""
    return label.replace("$", r"\$")


def _year_locator(dates: pd.Series) -> mdates.YearLocator:
    """Ticks on whole years, at most about ten of them."""
    years = (dates.max().year - dates.min().year) if len(dates) else 1
    return mdates.YearLocator(base=max(1, math.ceil(years / 10)))


def _tidy(axes: Any) -> None:
    """Large tick labels, light grid, no top and right frame."""
    axes.tick_params(labelsize=TICK_FONT)
    axes.grid(True, alpha=0.3)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def time_series_chart(variable_rows: pd.DataFrame, scenarios: Sequence[str], *, scale: Scale, lang: str) -> Figure:
    """One variable over time: every scenario with its band, its counterfactual twin dashed.

    Args:
        variable_rows: rows of the series table for one variable (scenario, date as YYYY-MM, mean, low, high).
        scenarios: the compared scenarios in order; the counterfactual twin of scenario ``s``
            is the scenario named ``s + " (counterfactual)"``.
        scale: how values are shown (factor applied before plotting, unit on the y axis).
        lang: "de" or "en".

    Returns:
        The figure, not yet rendered.
    """
    figure = Figure(figsize=(11, 4.6), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    all_dates = pd.to_datetime(variable_rows["date"].astype(str), format="%Y-%m")
    has_twin = False
    for index, scenario in enumerate(scenarios):
        colour = scenario_colour(index)
        for name, twin in ((scenario, False), (scenario + COUNTERFACTUAL_SUFFIX, True)):
            rows = variable_rows[variable_rows["scenario"] == name].sort_values("date")
            if rows.empty:
                continue
            dates = pd.to_datetime(rows["date"].astype(str), format="%Y-%m")
            mean = rows["mean"].to_numpy(dtype=float) * scale.factor
            if twin:
                has_twin = True
                axes.plot(dates, mean, color=colour, linestyle="--", linewidth=1.8, alpha=0.9)
                continue
            low = rows["low"].to_numpy(dtype=float) * scale.factor
            high = rows["high"].to_numpy(dtype=float) * scale.factor
            axes.fill_between(dates, low, high, color=colour, alpha=0.18, linewidth=0)
            axes.plot(dates, mean, color=colour, linewidth=2.8, label=_plain(scenario))
    if has_twin:
        axes.plot([], [], color="#555555", linestyle="--", linewidth=1.8, label=_plain(text(lang, "counterfactual")))
    axes.yaxis.set_major_formatter(LocaleFormatter(lang))
    axes.xaxis.set_major_locator(_year_locator(all_dates))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    axes.set_xlabel(text(lang, "year"), fontsize=FONT)
    axes.set_ylabel(_plain(scale.label), fontsize=FONT)
    _tidy(axes)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(fontsize=TICK_FONT, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return figure


def resilience_chart(
    summary: pd.DataFrame,
    replications: pd.DataFrame,
    scenarios: Sequence[str],
    panels: dict[str, tuple[str, str]],
    lang: str,
) -> Figure:
    """Dot-and-whisker chart: one panel per resilience measure, one row per scenario.

    Args:
        summary: rows of the comparison table for the resilience indicators (scenario, indicator, mean, ci_low, ci_high),
            in the units to show.
        replications: the per-replication values of the same indicators (scenario, indicator, value), drawn as small dots.
        scenarios: the compared scenarios in order (top to bottom).
        panels: (title, unit) of the panel of each indicator, in the report's language and in panel order.
        lang: "de" or "en".

    A dotted line marks zero (no difference from the counterfactual) when zero is near the values.

    Returns:
        The figure, not yet rendered.
    """
    columns = 2 if len(panels) > 1 else 1
    rows = math.ceil(len(panels) / columns)
    height = 1.5 + 0.55 * len(scenarios)
    figure = Figure(figsize=(12, max(3.2, height) * rows), dpi=DPI, layout="constrained")
    positions = np.arange(len(scenarios))[::-1]
    for panel, (indicator, (title, unit)) in enumerate(panels.items()):
        axes = figure.add_subplot(rows, columns, panel + 1)
        values: list[float] = []
        for index, scenario in enumerate(scenarios):
            single = replications[(replications["indicator"] == indicator) & (replications["scenario"] == scenario)]["value"].to_numpy(dtype=float)
            axes.scatter(single, np.full(single.shape, positions[index] - 0.22), s=22, color="#777777", zorder=2)
            values.extend(single[np.isfinite(single)])
            row = summary[(summary["indicator"] == indicator) & (summary["scenario"] == scenario)]
            if row.empty:
                continue
            mean, low, high = (float(row.iloc[0][key]) for key in ("mean", "ci_low", "ci_high"))
            colour = scenario_colour(index)
            if math.isfinite(low) and math.isfinite(high):
                axes.plot([low, high], [positions[index]] * 2, color=colour, linewidth=3.5, solid_capstyle="butt", zorder=3)
                values.extend([low, high])
            axes.scatter([mean], [positions[index]], s=130, color=colour, edgecolor="white", linewidth=1.5, zorder=4)
            values.append(mean)
        if _near_zero(values):
            axes.axvline(0.0, color="#444444", linewidth=1.2, linestyle=":")
        axes.xaxis.set_major_formatter(LocaleFormatter(lang))
        axes.set_yticks(positions, [_plain(name) for name in scenarios], fontsize=TICK_FONT)
        axes.set_ylim(-0.7, len(scenarios) - 0.3)
        axes.set_title(_plain(textwrap.fill(title, 40)), fontsize=FONT, loc="left")
        axes.set_xlabel(_plain(textwrap.fill(unit, 55)), fontsize=TICK_FONT)
        _tidy(axes)
        axes.grid(False, axis="y")
    return figure


def _near_zero(values: Sequence[float]) -> bool:
    """Whether zero lies within the values' range widened by its span (so a zero line does not squash the panel)."""
    finite = [value for value in values if math.isfinite(value)]
    if not finite:
        return False
    low, high = min(finite), max(finite)
    span = (high - low) or abs(high) or 1.0
    return low - span <= 0.0 <= high + span
