"""The app's charts, drawn with matplotlib's Figure API (no pyplot) and rendered to PNG bytes.

The same figure is shown in the browser and downloaded as PNG, so what a
workshop exports is what it saw. Fonts are sized for a projector at 1366x768;
panel A is always blue, panel B always orange (Okabe-Ito colours, readable with
colour-vision deficiencies), their counterfactual twins dashed in the same colour.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MultipleLocator

from bottrop_sim.calendar import month_number
from bottrop_sim.report.charts import LocaleFormatter
from bottrop_sim.report.language import scale_for
from bottrop_sim.scenario.governance import ALLIANCE_MODES

from .ensemble import Ensemble
from .runs import PanelSnapshot
from .texts import GOVERNANCE, SECTORS, number, t, word

PANEL_COLOURS = {"A": "#0072B2", "B": "#D55E00"}
SECTOR_COLOURS = (
    "#000000",
    "#8c564b",
    "#7f7f7f",
    "#bcbd22",
    "#ff7f0e",
    "#1f77b4",
    "#9467bd",
    "#17becf",
    "#e377c2",
    "#d62728",
    "#2ca02c",
    "#aec7e8",
)
"""Sector colours by sector index (the green retrofit activity, index 10 in the shipped table, is green)."""

TITLE_FONT = 15
TICK_FONT = 13
LEGEND_FONT = 14
DPI = 100
WIDTH_INCHES = 13.3
SERIES_HEIGHT_INCHES = 4.3
NETWORK_HEIGHT_INCHES = 4.9
ALLIANCE_HEIGHT_INCHES = 3.0

SERIES: tuple[tuple[str, str, str], ...] = (
    ("employment_workplace", "employment", "persons"),
    ("unemployment_rate", "unemployment", "share 0..1"),
    ("value_added_eur", "value_added", "EUR per month"),
    ("firms", "firms", "count"),
    ("co2_t", "co2", "t CO₂ per month"),
)
"""Time-series views: column, text key of the title, unit of the column."""


def png_bytes(figure: Figure, dpi: int = DPI, stamp: Mapping[str, str] | None = None, tight: bool = True) -> bytes:
    """Render a figure to PNG (Agg canvas, no pyplot state).

    Args:
        figure: the figure.
        dpi: resolution.
        stamp: for exported files: ``title``, ``line`` (title, scenario, seed and date in words, drawn
            above the chart) and ``description``; also written into the PNG's text fields.
        tight: cut the picture to what is drawn, so that nothing outside the figure is lost (files and
            the handout). Without it (the picture on the page, redrawn with every update while playing)
            the figure is drawn once instead of twice, at its fixed size, so it does not change its
            size from one update to the next; the charts keep everything inside the figure
            (``tests/test_app_charts.py`` checks).
    """
    _agg_canvas(figure)
    metadata: dict[str, str | None] = {"Software": None}
    if stamp:
        figure.text(0.005, 1.0, stamp["line"], fontsize=TICK_FONT, va="bottom", ha="left", color="#222222", transform=figure.transFigure)
        metadata.update({"Title": stamp["title"], "Description": stamp["description"], "Creation Time": stamp["date"]})
    buffer = io.BytesIO()
    cut = {"bbox_inches": "tight", "pad_inches": 0.12} if tight else {}
    figure.savefig(buffer, format="png", dpi=dpi, metadata=metadata, pil_kwargs={"compress_level": 3}, **cut)
    return buffer.getvalue()


def _years(dates: pd.Series) -> np.ndarray:
    """'YYYY-MM' dates as fractional years (2018-12 -> 2018.917), month starts."""
    text = dates.astype(str)
    return text.str.slice(0, 4).astype(int).to_numpy() + (text.str.slice(5, 7).astype(int).to_numpy() - 1) / 12.0


def _horizon(snapshot: PanelSnapshot) -> tuple[float, float]:
    start, end = month_number(snapshot.scenario.start), month_number(snapshot.scenario.end)
    return start / 12.0, (end + 1) / 12.0


def _time_axis(axes, snapshot: PanelSnapshot) -> None:
    low, high = _horizon(snapshot)
    axes.set_xlim(low, high)
    span = high - low
    axes.xaxis.set_major_locator(MultipleLocator(5 if span > 12 else 2 if span > 5 else 1))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0f}"))


def _tidy(axes) -> None:
    axes.tick_params(labelsize=TICK_FONT)
    axes.grid(True, alpha=0.3)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def panel_label(panel: str, snapshot: PanelSnapshot, lang: str) -> str:
    """'A: business alliance of firms' - a panel and its governance setting."""
    return t(lang, "legend_panel", panel=panel, governance=word(GOVERNANCE, snapshot.scenario.governance.mode, lang))


def counterfactual_note(snapshot: PanelSnapshot, lang: str) -> str:
    """What the dashed lines are (the run without the closure, or without all shocks)."""
    if not snapshot.scenario.shocks:
        return t(lang, "no_counterfactual")
    only_closure = all(shock.type == "mine_closure" for shock in snapshot.scenario.shocks)
    return t(lang, "counterfactual_closure" if only_closure else "counterfactual_shocks")


def events(snapshots: Mapping[str, PanelSnapshot], lang: str) -> list[tuple[float, str, str]]:
    """Marked months of the panels' scenarios as (fractional year, label, style key): the closure, each alliance's founding, each shock."""
    marks: dict[tuple[float, str], str] = {}
    for panel, snapshot in snapshots.items():
        scenario = snapshot.scenario
        for shock in scenario.shocks:
            if shock.type == "mine_closure":
                marks[(shock.closure_month() / 12.0, t(lang, "marker_closure"))] = "closure"
            else:
                marks[(month_number(shock.start) / 12.0, t(lang, f"marker_{shock.type}"))] = "shock"
        if scenario.governance.mode in ALLIANCE_MODES:
            marks[(month_number(scenario.governance.alliance.start) / 12.0, t(lang, "marker_alliance", panel=panel))] = panel
    return sorted((year, label, style) for (year, label), style in marks.items())


MARK_COLOURS = {"closure": "#000000", "shock": "#7a5c00"}


def mark_events(axes, marks: list[tuple[float, str, str]], low: float, high: float, labelled: bool) -> None:
    """Vertical lines at the marked months inside [low, high]; labels along the line if ``labelled``."""
    for year, label, style in marks:
        if not low <= year <= high:
            continue
        colour = MARK_COLOURS.get(style, PANEL_COLOURS.get(style, "#333333"))
        axes.axvline(year, color=colour, linewidth=1.1, linestyle=":", alpha=0.9, zorder=1)
        if labelled:
            axes.text(year, 0.98, f" {label}", transform=axes.get_xaxis_transform(), rotation=90, va="top", ha="right", fontsize=10.5, color=colour)


def observed_series(observed: Mapping[str, Mapping[str, float]] | None) -> tuple[np.ndarray, np.ndarray, list[tuple[float, float]]]:
    """Published figures as points (monthly: fractional years, values) and yearly means as (year, value)."""
    if not observed:
        return np.array([]), np.array([]), []
    monthly = observed.get("monthly", {})
    years = np.array([int(k[:4]) + (int(k[5:7]) - 1) / 12.0 + 0.5 / 12.0 for k in monthly], float)
    values = np.array(list(monthly.values()), float)
    annual = [(float(year), float(value)) for year, value in observed.get("annual", {}).items()]
    return years, values, annual


def _agg_canvas(figure: Figure) -> FigureCanvasAgg:
    """The figure's Agg canvas: the one it has (a kept figure keeps its renderer and the labels' measured sizes), else a new one."""
    return figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)


def series_axes() -> tuple[Figure, np.ndarray]:
    """The empty figure of the time-series chart and its 2 x 3 grid of axes (the last one holds the legend)."""
    figure = Figure(figsize=(WIDTH_INCHES, SERIES_HEIGHT_INCHES), dpi=DPI)
    grid = figure.subplots(2, 3, gridspec_kw={"left": 0.06, "right": 0.975, "top": 0.925, "bottom": 0.075, "wspace": 0.22, "hspace": 0.45})
    for axes in grid.flat[: len(SERIES)]:
        _tidy(axes)
    grid.flat[-1].axis("off")
    return figure, grid


def series_figure(snapshots: Mapping[str, PanelSnapshot], lang: str, ensemble: Ensemble | None = None, observed: Mapping | None = None) -> Figure:
    """The time-series chart in a new figure (:func:`draw_series` on :func:`series_axes`)."""
    figure, grid = series_axes()
    draw_series(figure, grid, snapshots, lang, ensemble, observed)
    return figure


def draw_series(
    figure: Figure, grid: np.ndarray, snapshots: Mapping[str, PanelSnapshot], lang: str, ensemble: Ensemble | None = None, observed: Mapping | None = None
) -> None:
    """Employment, unemployment, value added, firms and CO2 of both panels, with their counterfactual twins dashed.

    With an ensemble, each panel is its median line and a 10-90 % band over the seeds that arrived
    (up to the month the live run has reached), the twin a dashed band, and the live run a thin line.
    Dotted lines mark the closure, each alliance's founding and each shock.

    Args:
        figure: the chart's figure, from :func:`series_axes` (new, or emptied by :class:`~bottrop_sim.app.live_chart.SeriesCanvas`).
        grid: its 2 x 3 axes, from :func:`series_axes`.
        snapshots: panel name ("A", "B") -> snapshot (the same month in both).
        lang: "de" or "en".
        ensemble: the panels' ensemble, or None (single runs only).
        observed: published unemployment rates to draw over the model's line ({"monthly": {YYYY-MM: share}, "annual": {YYYY: share}}).
    """
    first = next(iter(snapshots.values()))
    done = max(s.months_done for s in snapshots.values())
    reached = (month_number(first.scenario.start) + done - 1) / 12.0 + 1e-6
    bands_shown = 0
    marks = events(snapshots, lang)
    low_year, high_year = _horizon(first)
    for index, (axes, (column, key, unit)) in enumerate(zip(grid.flat, SERIES, strict=False)):
        frames = [s.timeseries for s in snapshots.values()] + [s.twin for s in snapshots.values() if s.twin is not None]
        values = [f[column].to_numpy(float) for f in frames if not f.empty]
        bands = {}
        if ensemble is not None and done:
            for panel, snapshot in snapshots.items():
                bands[panel] = (ensemble.band(panel, column), ensemble.band(panel, column, twin=True) if snapshot.scenario.shocks else None)
            values += [b.high[b.years <= reached] for pair in bands.values() for b in pair if b is not None]
        magnitude = max((float(np.nanmax(np.abs(v))) for v in values if v.size), default=0.0)
        scale = scale_for(unit, magnitude, lang)
        for panel, snapshot in snapshots.items():
            colour = PANEL_COLOURS.get(panel, "#333333")
            run_band, twin_band = bands.get(panel, (None, None))
            if twin_band is not None:
                keep = twin_band.years <= reached
                axes.fill_between(
                    twin_band.years[keep], twin_band.low[keep] * scale.factor, twin_band.high[keep] * scale.factor,
                    facecolor="none", edgecolor=colour, linestyle="--", linewidth=1.0, alpha=0.7,
                )  # fmt: skip
                axes.plot(twin_band.years[keep], twin_band.median[keep] * scale.factor, color=colour, linestyle="--", linewidth=1.5, alpha=0.85)
            elif snapshot.twin is not None and not snapshot.twin.empty:
                axes.plot(
                    _years(snapshot.twin["date"]), snapshot.twin[column].to_numpy(float) * scale.factor, color=colour, linestyle="--", linewidth=1.6, alpha=0.8
                )
            if run_band is not None:
                keep = run_band.years <= reached
                axes.fill_between(
                    run_band.years[keep], run_band.low[keep] * scale.factor, run_band.high[keep] * scale.factor, color=colour, alpha=0.22, linewidth=0
                )
                axes.plot(run_band.years[keep], run_band.median[keep] * scale.factor, color=colour, linewidth=2.8)
                bands_shown = max(bands_shown, run_band.n)
            if not snapshot.timeseries.empty:
                axes.plot(
                    _years(snapshot.timeseries["date"]),
                    snapshot.timeseries[column].to_numpy(float) * scale.factor,
                    color=colour,
                    linewidth=1.0 if run_band is not None else 2.6,
                    alpha=0.9,
                )
        if column == "unemployment_rate" and observed:
            years, shares, annual = observed_series(observed)
            axes.scatter(years, shares * scale.factor, marker="D", s=34, color="#111111", zorder=6)
            for year, share in annual:
                axes.plot([year, year + 1.0], [share * scale.factor] * 2, color="#111111", linewidth=2.4, zorder=6)
        mark_events(axes, marks, low_year, high_year, labelled=index == 0)
        axes.set_title(f"{t(lang, key)} ({_per(scale.unit)})", fontsize=TITLE_FONT, loc="left")
        axes.yaxis.set_major_formatter(LocaleFormatter(lang))
        if not values:  # before the start: empty axes without a made-up scale
            axes.set_yticks([])
        _time_axis(axes, first)
    legend = grid.flat[-1]
    entries = [(Line2D([], [], color=PANEL_COLOURS.get(p, "#333"), linewidth=3.5), panel_label(p, s, lang)) for p, s in snapshots.items()]
    if first.scenario.shocks:
        entries.append((Line2D([], [], color="#555555", linestyle="--", linewidth=1.8), counterfactual_note(first, lang)))
    if bands_shown:
        entries.append((Patch(facecolor="#777777", alpha=0.3), t(lang, "band_note", n=bands_shown)))
        entries.append((Line2D([], [], color="#555555", linewidth=1.0), t(lang, "live_note", seed=first.seed)))
    if observed:
        entries.append((Line2D([], [], color="#111111", marker="D", linestyle="-", linewidth=2.0), t(lang, "observed")))
    fit_legend(figure, legend, entries, LEGEND_FONT - (2 if len(entries) > 3 else 0))


#: Characters per legend line at 12 points (longer lines in a smaller font).
LEGEND_WRAP = 36
#: Smallest font of a legend shrunk to fit its cell (points; still readable on a projector).
SMALLEST_LEGEND_FONT = 9.0


def fit_legend(figure: Figure, cell, entries: list[tuple[Artist, str]], fontsize: float) -> None:
    """The legend of ``entries`` (handle, label) in ``cell`` (an axes without content), from its top down, in the largest font up to ``fontsize`` that keeps it inside the figure.

    A legend of many wrapped German entries is taller than its cell: centred on
    the cell it reached into the chart above (over that chart's year labels) and
    below the figure's edge. Top-aligned, and in a smaller font with longer
    lines until it ends above the figure's bottom edge, it overlaps neither, and
    the screen image needs no second drawing pass to include it (see
    :func:`png_bytes`). Labels are wrapped to the width the font leaves
    (36 characters at 12 points).
    """
    margin = 2.0  # pixels kept free at the bottom edge
    key = (tuple(label for _, label in entries), float(fontsize), tuple(cell.get_position().bounds), tuple(figure.get_size_inches()), figure.dpi)
    known = _FITTED_LEGENDS.get(key)  # the same entries fit as before: not measured again (three legend drawings per update)
    size = known if known is not None else float(fontsize)
    renderer = None
    while True:
        width = int(LEGEND_WRAP * 12.0 / size)
        for handle, label in entries:
            handle.set_label(_wrap(label, width))
        drawn = cell.legend(handles=[h for h, _ in entries], loc="upper left", bbox_to_anchor=(-0.08, 1.0), fontsize=size, frameon=False, handlelength=2.2)
        if known is not None:
            return
        renderer = renderer or _agg_canvas(figure).get_renderer()
        drawn.draw(renderer)  # a legend finds its place when drawn (onto this scratch canvas; the picture is drawn afresh)
        if size <= SMALLEST_LEGEND_FONT or drawn.get_window_extent(renderer).y0 >= margin:
            if len(_FITTED_LEGENDS) >= 256:
                _FITTED_LEGENDS.clear()
            _FITTED_LEGENDS[key] = size
            return
        drawn.remove()
        size = max(SMALLEST_LEGEND_FONT, size - 1.0)


_FITTED_LEGENDS: dict[tuple, float] = {}
"""Font size found by :func:`fit_legend` per legend (entries, starting size, cell, figure size and resolution)."""


def _per(unit: str) -> str:
    """A unit in the short form of chart titles: 'EUR pro Monat' -> 'EUR/Monat', 'EUR per month' -> 'EUR/month'."""
    return unit.replace(" pro ", "/").replace(" per ", "/")


def _wrap(text: str, width: int) -> str:
    words, lines, line = text.split(), [], ""
    for item in words:
        if line and len(line) + 1 + len(item) > width:
            lines.append(line)
            line = item
        else:
            line = f"{line} {item}".strip()
    return "\n".join([*lines, line])


def network_figure(snapshots: Mapping[str, PanelSnapshot], lang: str) -> Figure:
    """The supply network of each panel: firms by sector, exited firms faded, alliance members ringed.

    Args:
        snapshots: panel -> snapshot.
        lang: "de" or "en".
    """
    figure = Figure(figsize=(WIDTH_INCHES, NETWORK_HEIGHT_INCHES), dpi=DPI)
    grid = figure.subplots(
        1,
        len(snapshots) + 1,
        gridspec_kw={"width_ratios": [1.0] * len(snapshots) + [0.78], "left": 0.0, "right": 0.99, "top": 0.88, "bottom": 0.01, "wspace": 0.04},
    )
    sectors_seen: dict[int, str] = {}
    for axes, (panel, snapshot) in zip(grid, snapshots.items(), strict=False):
        firms = snapshot.firms
        xy = firms.xy
        pairs = firms.links
        pairs = pairs[(pairs < len(xy)).all(axis=1)] if len(pairs) else pairs
        if len(pairs):
            axes.add_collection(LineCollection(np.stack([xy[pairs[:, 0]], xy[pairs[:, 1]]], axis=1), colors="#555555", linewidths=0.5, alpha=0.18, zorder=1))
        size = 3.0 + 1.6 * np.sqrt(np.maximum(firms.headcount, 0))
        gone = ~firms.alive
        axes.scatter(xy[gone, 0], xy[gone, 1], s=26, c="#a0a0a0", marker="x", linewidths=1.1, zorder=3.5)
        alive = firms.alive.copy()
        colours = np.array([SECTOR_COLOURS[s % len(SECTOR_COLOURS)] for s in firms.sector[alive]])
        axes.scatter(xy[alive, 0], xy[alive, 1], s=size[alive], c=colours, alpha=0.85, linewidths=0, zorder=3)
        members = alive & firms.member
        if members.any():
            axes.scatter(xy[members, 0], xy[members, 1], s=2.2 * size[members] + 14, facecolors="none", edgecolors="black", linewidths=0.9, zorder=4)
        if firms.mine_slot is not None and firms.alive[firms.mine_slot]:
            axes.scatter([0.0], [0.0], s=size[firms.mine_slot], c=SECTOR_COLOURS[0], marker="s", zorder=5)
        for s in np.unique(firms.sector[alive | gone]):
            sectors_seen[int(s)] = firms.sector_names[s] if s < len(firms.sector_names) else str(s)
        active = int(alive.sum()) - (1 if firms.mine_slot is not None and firms.alive[firms.mine_slot] else 0)
        axes.set_title(f"{panel_label(panel, snapshot, lang)}\n{t(lang, 'firms_now')}: {number(active, lang)}", fontsize=TITLE_FONT)
        axes.set_xlim(-1.4, 1.4)
        axes.set_ylim(-1.38, 1.38)
        axes.set_aspect("equal")
        axes.axis("off")
    legend = grid[-1]
    legend.axis("off")
    handles = [
        Line2D([], [], marker="o", linestyle="", markersize=10, color=SECTOR_COLOURS[s % len(SECTOR_COLOURS)], label=word(SECTORS, name, lang))
        for s, name in sorted(sectors_seen.items())
    ]
    handles += [
        Line2D([], [], marker="o", linestyle="", markersize=11, markerfacecolor="none", markeredgecolor="black", markeredgewidth=1.5, label=t(lang, "member")),
        Line2D([], [], marker="x", linestyle="", markersize=8, markeredgewidth=1.5, color="#a0a0a0", label=t(lang, "exited")),
    ]
    legend.legend(handles=handles, loc="center left", bbox_to_anchor=(-0.08, 0.5), fontsize=12.5, frameon=False, handletextpad=0.4, labelspacing=0.45)
    return figure


def alliance_figure(snapshots: Mapping[str, PanelSnapshot], lang: str) -> Figure:
    """Members and trust of the alliance over time, panel A against panel B (settings without an alliance are left out)."""
    figure = Figure(figsize=(WIDTH_INCHES, ALLIANCE_HEIGHT_INCHES), dpi=DPI)
    members_axes, trust_axes = figure.subplots(1, 2, gridspec_kw={"left": 0.05, "right": 0.975, "top": 0.88, "bottom": 0.11, "wspace": 0.15})
    first = next(iter(snapshots.values()))
    for panel, snapshot in snapshots.items():
        if snapshot.alliance is None or snapshot.timeseries.empty:
            continue
        years = _years(snapshot.timeseries["date"])
        colour = PANEL_COLOURS.get(panel, "#333333")
        members_axes.plot(years, snapshot.timeseries["alliance_members"].to_numpy(float), color=colour, linewidth=2.6, label=panel_label(panel, snapshot, lang))
        trust = snapshot.timeseries["alliance_trust_mean"].to_numpy(float)
        trust_axes.plot(years, trust, color=colour, linewidth=2.6)
    marks, (low, high) = events(snapshots, lang), _horizon(first)
    mark_events(members_axes, marks, low, high, labelled=True)
    mark_events(trust_axes, marks, low, high, labelled=False)
    members_axes.set_title(t(lang, "members_chart") + f" ({t(lang, 'firms')})", fontsize=TITLE_FONT, loc="left")
    trust_axes.set_title(t(lang, "trust_chart") + " (0–1)", fontsize=TITLE_FONT, loc="left")
    trust_axes.set_ylim(0.0, 1.0)
    for axes in (members_axes, trust_axes):
        axes.yaxis.set_major_formatter(LocaleFormatter(lang))
        _time_axis(axes, first)
        _tidy(axes)
    if members_axes.get_legend_handles_labels()[0]:
        members_axes.legend(fontsize=TICK_FONT, frameon=False, loc="upper left")
    return figure
