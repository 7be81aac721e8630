"""The HTML report of a scenario comparison: one self-contained file.

The report holds a short explanation of what is compared, the scorecard of the
indicators (grouped economic, ecological, social, resilience; mean and 95 %
interval per scenario; difference against the first scenario, marked better or
worse where its interval excludes zero), one time-series chart per variable
with uncertainty bands and dashed counterfactual twins, a resilience section
(resistance, recovery, re-orientation, renewal; Martin 2012, Martin et al. 2016)
and the provenance. Charts are embedded as base64 PNG; there are no external
scripts, styles, fonts or images, so the file opens without network access.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from bottrop_sim.files import atomic_write_text
from bottrop_sim.report.charts import COUNTERFACTUAL_SUFFIX, png_base64, resilience_chart, scenario_colour, time_series_chart
from bottrop_sim.report.language import GROUP_ORDER, LANGUAGES, SERIES_LABELS, TEXT, Scale, decimals_for, format_number, scale_for, text
from bottrop_sim.report.style import CSS

COMPARISON_COLUMNS = ("scenario", "indicator", "mean", "ci_low", "ci_high", "diff_mean", "diff_ci_low", "diff_ci_high", "n", "verdict")
INDICATOR_COLUMNS = ("scenario", "replication", "seed", "indicator", "value")
SERIES_COLUMNS = ("scenario", "date", "variable", "mean", "low", "high")
SERIES_ORDER = ("employment_workplace", "unemployment_rate", "value_added_eur", "firms", "co2_t")
"""Variables drawn first, in this order; any further variables of the series table follow."""
MAX_SEEDS_LISTED = 12


@dataclass(frozen=True)
class Indicator:
    """What the report says about one indicator, in the report's language.

    Attributes:
        name: the indicator's name in the tables.
        label: its readable name.
        unit: its unit as the labels give it.
        group: economic, ecological, social, resilience or other.
        definition: one-sentence definition (may be empty).
        higher_is_better: direction of improvement; None when neither direction is better.
    """

    name: str
    label: str
    unit: str
    group: str
    definition: str
    higher_is_better: bool | None


def describe(name: str, labels: Mapping[str, Mapping[str, Any]], lang: str) -> Indicator:
    """Label, unit, group and direction of an indicator or series variable.

    Indicator labels come first; series variables they do not name fall back to
    :data:`~bottrop_sim.report.language.SERIES_LABELS`, anything else to its own name.

    Args:
        name: indicator or variable name.
        labels: indicator name -> {"label_en", "label_de", "unit", "group", "definition_en", "definition_de", "higher_is_better"};
            optional "unit_de"/"unit_en" override "unit" in that language.
        lang: "de" or "en".
    """
    entry = labels.get(name)
    if entry is None:
        fallback = SERIES_LABELS.get(name, {})
        return Indicator(name, fallback.get(f"label_{lang}", name), fallback.get(f"unit_{lang}", ""), "other", "", None)
    direction = entry.get("higher_is_better")
    return Indicator(
        name=name,
        label=str(entry.get(f"label_{lang}") or entry.get("label_en") or name),
        unit=str(entry.get(f"unit_{lang}") or entry.get("unit") or ""),
        group=str(entry.get("group") or "other").lower(),
        definition=str(entry.get(f"definition_{lang}") or ""),
        higher_is_better=None if direction is None or (isinstance(direction, float) and math.isnan(direction)) else bool(direction),
    )


def render_report(
    *,
    comparison: pd.DataFrame,
    indicators: pd.DataFrame,
    series: pd.DataFrame,
    provenance: Mapping[str, Any],
    labels: Mapping[str, Mapping[str, Any]],
    lang: str = "en",
    title: str | None = None,
) -> str:
    """The HTML of the comparison report.

    Args:
        comparison: one row per (scenario, indicator): scenario, indicator, mean, ci_low, ci_high,
            diff_mean, diff_ci_low, diff_ci_high (against the first scenario; NaN for it), n (replications),
            verdict (better, worse, differs or empty; corrected for multiple comparisons by :func:`bottrop_sim.compare.compare`).
            The order of first appearance of the scenarios is the report's order; the first is the reference.
        indicators: one row per (scenario, replication, indicator): scenario, replication, seed, indicator, value.
        series: monthly summary, long format: scenario, date (YYYY-MM), variable, mean, low, high
            (95 % band over replications); scenario ``"<name> (counterfactual)"`` is the no-shock twin of ``<name>``.
        provenance: parameters, seeds, versions, git revision, time (any JSON-like mapping).
        labels: indicator name -> {"label_en", "label_de", "unit", "group", "definition_en", "definition_de",
            "higher_is_better"}; also consulted for series variables.
        lang: "de" or "en": the language of every text and number format.
        title: the heading; default "Scenario comparison" / "Szenarienvergleich".

    Returns:
        A complete, self-contained HTML document.

    Raises:
        ValueError: for an unknown language or a table that lacks a required column.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang: {lang!r} is not supported; allowed: {', '.join(LANGUAGES)}")
    for frame, name, required in (
        (comparison, "comparison", COMPARISON_COLUMNS),
        (indicators, "indicators", INDICATOR_COLUMNS),
        (series, "series", SERIES_COLUMNS),
    ):
        missing = [column for column in required if column not in frame.columns]
        if missing:
            raise ValueError(f"{name}: missing column(s) {', '.join(missing)}; required: {', '.join(required)}")
    scenarios = [str(name) for name in pd.unique(comparison["scenario"])]
    heading = title or text(lang, "title")
    body = [
        f"<header><h1>{escape(heading)}</h1><p class='subtitle'>{escape(text(lang, 'subtitle'))}</p></header>",
        _what_section(scenarios, comparison, indicators, lang),
        _scorecard_section(comparison, scenarios, labels, lang),
        _series_section(series, scenarios, labels, lang),
        _resilience_section(comparison, indicators, scenarios, labels, lang),
        _provenance_section(provenance, lang),
    ]
    return (
        f"<!DOCTYPE html>\n<html lang='{lang}'>\n<head>\n<meta charset='utf-8'>\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<title>{escape(heading)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def write_report(
    path: Path,
    *,
    comparison: pd.DataFrame,
    indicators: pd.DataFrame,
    series: pd.DataFrame,
    provenance: Mapping[str, Any],
    labels: Mapping[str, Mapping[str, Any]],
    lang: str = "en",
    title: str | None = None,
) -> Path:
    """Write the comparison report to ``path`` as one self-contained HTML file.

    The file is written to a temporary name next to ``path`` and renamed, so a
    reader never sees half a report. Parent folders are created.

    Args:
        path: the HTML file to write.
        comparison: see :func:`render_report`.
        indicators: see :func:`render_report`.
        series: see :func:`render_report`.
        provenance: see :func:`render_report`.
        labels: see :func:`render_report`.
        lang: "de" or "en".
        title: the heading; default "Scenario comparison" / "Szenarienvergleich".

    Returns:
        The path written.
    """
    document = render_report(comparison=comparison, indicators=indicators, series=series, provenance=provenance, labels=labels, lang=lang, title=title)
    atomic_write_text(path, document)
    return Path(path)


def _number(value: float, lang: str, decimals: int, scale: Scale, *, difference: bool = False) -> str:
    """A value (or difference) as shown: scaled, formatted, with the unit beside it for percentages."""
    written = format_number(value * scale.factor if value is not None else value, lang, decimals, sign=difference)
    if scale.inline and written != "–":
        unit = scale.difference_unit if difference else scale.unit
        spacer = "" if unit == "%" and lang == "en" else "\u00a0"
        written += spacer + unit
    return written


def _interval(low: float, high: float, lang: str, decimals: int, scale: Scale, *, difference: bool = False) -> str:
    """A 95 % interval as "[low; high]" (the semicolon keeps German decimal commas unambiguous)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    return f"[{_number(low, lang, decimals, scale, difference=difference)}; {_number(high, lang, decimals, scale, difference=difference)}]"


def _what_section(scenarios: list[str], comparison: pd.DataFrame, indicators: pd.DataFrame, lang: str) -> str:
    """What is compared: scenarios, replications, seeds (common random numbers), how to read intervals."""
    items = "".join(
        f"<li><span class='swatch' style='background:{scenario_colour(index)}'></span>{escape(name)}"
        + (f" <span class='note'>({escape(text(lang, 'reference'))})</span>" if index == 0 else "")
        + "</li>"
        for index, name in enumerate(scenarios)
    )
    runs = indicators[["scenario", "replication", "seed"]].drop_duplicates()
    counts = runs.groupby("scenario")["replication"].nunique() if len(runs) else comparison.groupby("scenario")["n"].max()
    if counts.nunique() <= 1:
        replications = format_number(counts.iloc[0] if len(counts) else 0, lang, 0)
    else:
        replications = ", ".join(f"{name}: {format_number(counts.get(name, 0), lang, 0)}" for name in scenarios)
    shared_seeds = bool(len(runs)) and bool((runs.groupby("replication")["seed"].nunique() == 1).all())
    seeds = runs.drop_duplicates("replication").sort_values("replication")["seed"].tolist()
    listed = ", ".join(str(seed) for seed in seeds[:MAX_SEEDS_LISTED]) + (", …" if len(seeds) > MAX_SEEDS_LISTED else "")
    seeds_note = ""  # without a per-replication table there is nothing to say about seeds
    if shared_seeds:
        seeds_note = f"{text(lang, 'what_crn')} {text(lang, 'what_seeds')}: {listed}."
    elif len(runs):
        seeds_note = text(lang, "what_no_crn")
    paragraphs = [
        text(lang, "what_scenarios", count=format_number(len(scenarios), lang, 0), reference=scenarios[0] if scenarios else "–"),
        text(lang, "what_replications", replications=replications),
        seeds_note,
        text(lang, "what_intervals"),
    ]
    return (
        f"<section id='what'><h2>{escape(text(lang, 'what_heading'))}</h2><ul>{items}</ul>"
        + "".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs if paragraph)
        + "</section>"
    )


def _grouped(names: Iterable[str], labels: Mapping[str, Mapping[str, Any]], lang: str) -> list[tuple[str, list[Indicator]]]:
    """Indicators by group, groups in :data:`GROUP_ORDER` then any others, indicators in their given order."""
    described = [describe(name, labels, lang) for name in names]
    groups = list(GROUP_ORDER) + sorted({item.group for item in described} - set(GROUP_ORDER))
    return [(group, members) for group in groups if (members := [item for item in described if item.group == group])]


def _scorecard_cell(row: pd.Series | None, indicator: Indicator, scale: Scale, decimals: tuple[int, int], lang: str, reference: bool) -> str:
    """One scenario's cell: mean, interval and (for non-reference scenarios) the marked difference."""
    if row is None:
        return "<td class='num'>–</td>"
    mean_decimals, diff_decimals = decimals
    parts = [
        f"<div class='mean'>{escape(_number(row['mean'], lang, mean_decimals, scale))}</div>",
        f"<div class='ci'>{escape(_interval(row['ci_low'], row['ci_high'], lang, mean_decimals, scale))}</div>",
    ]
    if not reference:
        verdict = str(row.get("verdict") or "") or None  # corrected for multiple comparisons by compare (Holm)
        arrow = "▲ " if row["diff_mean"] > 0 else "▼ " if row["diff_mean"] < 0 else ""
        mark = f"<span class='mark'>{escape(arrow + text(lang, verdict))}</span>" if verdict else ""
        interval = _interval(row["diff_ci_low"], row["diff_ci_high"], lang, diff_decimals, scale, difference=True)
        parts.append(
            f"<div class='diff {verdict or 'none'}'>{mark}Δ {escape(_number(row['diff_mean'], lang, diff_decimals, scale, difference=True))}"
            f" <span class='ci'>{escape(interval)}</span></div>"
        )
    return f"<td class='num'>{''.join(parts)}</td>"


def _scorecard_section(comparison: pd.DataFrame, scenarios: list[str], labels: Mapping[str, Mapping[str, Any]], lang: str) -> str:
    """The scorecard table, a legend of its marks and the definitions of the indicators."""
    if comparison.empty:
        return f"<section id='scorecard'><h2>{escape(text(lang, 'scorecard_heading'))}</h2><p>{escape(text(lang, 'no_data'))}</p></section>"
    reference = scenarios[0]
    header = f"<th scope='col'>{escape(text(lang, 'indicator'))}</th><th scope='col'>{escape(text(lang, 'unit'))}</th>"
    for index, name in enumerate(scenarios):
        note = text(lang, "reference") if index == 0 else text(lang, "difference", reference=reference)
        header += f"<th scope='col'><span class='swatch' style='background:{scenario_colour(index)}'></span>{escape(name)}<br><span class='note'>{escape(note)}</span></th>"
    rows = []
    indexed = {(str(row["scenario"]), str(row["indicator"])): row for _, row in comparison.iterrows()}
    grouped = _grouped(pd.unique(comparison["indicator"]), labels, lang)
    for group, members in grouped:
        rows.append(f"<tr class='group'><th scope='colgroup' colspan='{len(scenarios) + 2}'>{escape(TEXT[lang].get(group, group))}</th></tr>")
        for indicator in members:
            found = [indexed.get((name, indicator.name)) for name in scenarios]
            means = [abs(float(row["mean"])) for row in found if row is not None and math.isfinite(float(row["mean"]))]
            diffs = [abs(float(row["diff_mean"])) for row in found[1:] if row is not None and math.isfinite(float(row["diff_mean"]))]
            scale = scale_for(indicator.unit, max(means, default=0.0), lang)
            decimals = (decimals_for(max(means, default=0.0) * scale.factor), decimals_for(max(diffs, default=0.0) * scale.factor))
            cells = "".join(_scorecard_cell(row, indicator, scale, decimals, lang, index == 0) for index, row in enumerate(found))
            tooltip = f" title='{escape(indicator.definition)}'" if indicator.definition else ""
            rows.append(f"<tr><th scope='row'{tooltip}>{escape(indicator.label)}</th><td>{escape(scale.label)}</td>{cells}</tr>")
    legend = (
        "".join(f"<span class='diff {kind}'><span class='mark'>{escape(text(lang, kind))}</span></span>" for kind in ("better", "worse", "differs"))
        + f"<span class='diff none'>{escape(text(lang, 'no_clear_difference'))}</span>"
    )
    glossary = "".join(f"<dt>{escape(item.label)}</dt><dd>{escape(item.definition)}</dd>" for _, members in grouped for item in members if item.definition)
    return (
        f"<section id='scorecard'><h2>{escape(text(lang, 'scorecard_heading'))}</h2>"
        f"<p class='legend'><strong>{escape(text(lang, 'legend_heading'))}:</strong> {legend}</p>"
        f"<div class='table-wrap'><table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        + (f"<details><summary>{escape(text(lang, 'glossary_heading'))}</summary><dl class='glossary'>{glossary}</dl></details>" if glossary else "")
        + "</section>"
    )


def _figure_html(figure: Any, alt: str) -> str:
    """An embedded PNG image of a figure."""
    return f"<figure><img alt='{escape(alt)}' src='data:image/png;base64,{png_base64(figure)}'></figure>"


def _series_section(series: pd.DataFrame, scenarios: list[str], labels: Mapping[str, Mapping[str, Any]], lang: str) -> str:
    """One chart per variable: all scenarios with their bands, counterfactual twins dashed."""
    heading = f"<h2>{escape(text(lang, 'series_heading'))}</h2>"
    if series.empty:
        return f"<section id='series'>{heading}<p>{escape(text(lang, 'no_data'))}</p></section>"
    present = [str(name) for name in pd.unique(series["variable"])]
    ordered = [name for name in SERIES_ORDER if name in present] + [name for name in present if name not in SERIES_ORDER]
    known = set(scenarios) | {name + COUNTERFACTUAL_SUFFIX for name in scenarios}
    extra = [str(name) for name in pd.unique(series["scenario"]) if str(name) not in known and not str(name).endswith(COUNTERFACTUAL_SUFFIX)]
    drawn = scenarios + extra
    charts = []
    for variable in ordered:
        rows = series[series["variable"] == variable]
        described = describe(variable, labels, lang)
        scale = scale_for(described.unit, float(rows["mean"].abs().max()), lang)
        figure = time_series_chart(rows, drawn, scale=scale, lang=lang)
        charts.append(f"<h3>{escape(described.label)}</h3>" + _figure_html(figure, text(lang, "chart_alt", label=described.label)))
    return f"<section id='series'>{heading}<p>{escape(text(lang, 'series_intro'))}</p>{''.join(charts)}</section>"


def _resilience_section(comparison: pd.DataFrame, indicators: pd.DataFrame, scenarios: list[str], labels: Mapping[str, Mapping[str, Any]], lang: str) -> str:
    """Resistance, recovery, re-orientation and renewal per scenario: a dot-and-whisker chart and a table."""
    heading = f"<h2>{escape(text(lang, 'resilience_heading'))}</h2>"
    measures = [describe(str(name), labels, lang) for name in pd.unique(comparison["indicator"])]
    measures = [item for item in measures if item.group == "resilience"]
    if not measures:
        return f"<section id='resilience'>{heading}<p>{escape(text(lang, 'resilience_none'))}</p></section>"
    names = [item.name for item in measures]
    summary = comparison[comparison["indicator"].isin(names)]
    replications = indicators[indicators["indicator"].isin(names)]
    scales = {item.name: scale_for(item.unit, float(summary.loc[summary["indicator"] == item.name, "mean"].abs().max()), lang) for item in measures}
    factors = {name: scale.factor for name, scale in scales.items()}
    shown = summary.assign(**{key: summary[key] * summary["indicator"].map(factors).astype(float) for key in ("mean", "ci_low", "ci_high")})
    shown_replications = replications.assign(value=replications["value"].astype(float) * replications["indicator"].map(factors).astype(float))
    panels = {item.name: (item.label, scales[item.name].label) for item in measures}
    figure = resilience_chart(shown, shown_replications, scenarios, panels, lang)
    header = f"<th scope='col'>{escape(text(lang, 'scenario'))}</th>" + "".join(f"<th scope='col'>{escape(item.label)}</th>" for item in measures)
    rows = []
    for index, scenario in enumerate(scenarios):
        cells = []
        for item in measures:
            match = summary[(summary["scenario"] == scenario) & (summary["indicator"] == item.name)]
            if match.empty:
                cells.append("<td class='num'>–</td>")
                continue
            row, scale = match.iloc[0], scales[item.name]
            decimals = decimals_for(float(summary.loc[summary["indicator"] == item.name, "mean"].abs().max()) * scale.factor)
            cells.append(
                f"<td class='num'><div class='mean'>{escape(_number(row['mean'], lang, decimals, scale))}</div>"
                f"<div class='ci'>{escape(_interval(row['ci_low'], row['ci_high'], lang, decimals, scale))}</div></td>"
            )
        swatch = f"<span class='swatch' style='background:{scenario_colour(index)}'></span>"
        rows.append(f"<tr><th scope='row'>{swatch}{escape(scenario)}</th>{''.join(cells)}</tr>")
    return (
        f"<section id='resilience'>{heading}<p>{escape(text(lang, 'resilience_intro'))}</p>"
        + _figure_html(figure, text(lang, "chart_alt", label=text(lang, "resilience_heading")))
        + f"<div class='table-wrap'><table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _provenance_section(provenance: Mapping[str, Any], lang: str) -> str:
    """Top-level facts of the provenance (revision, time, ...) and the full record, collapsed, as pretty JSON."""
    facts = "".join(
        f"<dt>{escape(str(key))}</dt><dd>{escape(str(value))}</dd>"
        for key, value in provenance.items()
        if isinstance(value, str | int | float | bool) or value is None
    )
    record = json.dumps(provenance, indent=2, ensure_ascii=False, default=str)
    return (
        f"<section id='provenance'><h2>{escape(text(lang, 'provenance_heading'))}</h2><p>{escape(text(lang, 'provenance_intro'))}</p>"
        + (f"<dl class='facts'>{facts}</dl>" if facts else "")
        + f"<details><summary>{escape(text(lang, 'provenance_show'))}</summary><pre>{escape(record)}</pre></details></section>"
    )
