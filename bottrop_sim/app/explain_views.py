"""Views that answer "is B really better, and why?": the scorecard over seeds with verdicts, and the split of A − B by mechanism.

The scorecard shows the ensemble (every panel over the same seeds, the whole
horizon) once two seeds of both panels have arrived, with A − B, its 95 %
interval and a verdict corrected for multiple comparisons (Holm); before that,
the live run's provisional values. Every term has its one-line explanation
(:mod:`bottrop_sim.app.glossary`).
"""

# ruff: noqa: N802 - Solara components are named in CapWords

from __future__ import annotations

import html

import solara
from solara import v

from bottrop_sim.monitoring import REGISTRY

from .ensemble import Ensemble
from .glossary import explain
from .scoring import KEY_INDICATORS, RESILIENCE, ensemble_rows, rows, tested_count
from .state import PANELS, Workshop
from .texts import month_text, number, t
from .why import MECHANISM_BY_KEY, split

WHY_INDICATORS = ("employment", "unemployment_rate", "value_added", "recovery", "resistance", "firms", "co2")
"""Indicators the "Why?" view can split (the first is shown first)."""


def _label(name: str, lang: str) -> str:
    indicator = REGISTRY[name]
    return indicator.label_de if lang == "de" else indicator.label_en


def _term(label: str, term: str, lang: str) -> str:
    """A table cell: the term and its one-line explanation under it."""
    note = explain(term, lang)
    return f"<div class='bs-term'>{html.escape(label)}</div>" + (f"<div class='bs-explain'>{html.escape(note)}</div>" if note else "")


def verdict_text(verdict: str, better: str | None, lang: str) -> str:
    """The verdict in words: "clear difference: B better", "no clear difference", ..."""
    if verdict == "clear":
        return t(lang, "verdict_clear", panel=better) if better else t(lang, "verdict_clear_plain")
    return t(lang, f"verdict_{verdict}")


def ensemble_table(ensemble: Ensemble, lang: str, explained: bool = True) -> str:
    """The ensemble scorecard as an HTML table (resilience, then the other indicators)."""
    header = (
        (t(lang, "indicator"), None),
        ("A", None),
        ("B", None),
        (t(lang, "difference"), "difference"),
        (t(lang, "interval"), "interval"),
        (t(lang, "verdict"), "verdict"),
        (t(lang, "unit"), None),
    )
    cells = "".join(f"<th title='{html.escape(explain(term, lang)) if term else ''}'>{html.escape(text)}</th>" for text, term in header)
    out = ["<table class='bs-scorecard bs-scorecard-ensemble'>", f"<thead><tr>{cells}</tr></thead><tbody>"]
    for title, names in ((t(lang, "group_resilience"), RESILIENCE), (t(lang, "group_indicators"), KEY_INDICATORS)):
        out.append(f"<tr class='bs-group'><td colspan='{len(header)}'>{html.escape(title)}</td></tr>")
        for row in ensemble_rows(ensemble, lang, names):
            label = _term(row.label, row.name, lang) if explained else html.escape(row.label)
            css = f"bs-verdict bs-verdict-{row.verdict}" + (f" bs-better-{row.better}" if row.better else "")
            unit = "" if row.unit == "%" else html.escape(row.unit)
            values = "".join(f"<td>{html.escape(row.values[p])}</td>" for p in PANELS)
            out.append(
                f"<tr data-indicator='{row.name}' data-verdict='{row.verdict}'><td>{label}</td>{values}"
                f"<td>{html.escape(row.difference)}</td><td class='bs-interval'>{html.escape(row.interval)}</td>"
                f"<td class='{css}'>{html.escape(verdict_text(row.verdict, row.better, lang))}</td><td class='bs-unit'>{unit}</td></tr>"
            )
    out.append("</tbody></table>")
    return "".join(out)


def live_table(snapshots: dict, lang: str) -> str:
    """The live run's provisional scorecard as an HTML table (A, B, A − B, which is better)."""
    header = (t(lang, "indicator"), *PANELS, t(lang, "difference"), t(lang, "better"), t(lang, "unit"))
    out = ["<table class='bs-scorecard bs-scorecard-live'>", "<thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr></thead><tbody>"]
    for title, names in ((t(lang, "group_resilience"), RESILIENCE), (t(lang, "group_indicators"), KEY_INDICATORS)):
        out.append(f"<tr class='bs-group'><td colspan='{len(header)}'>{html.escape(title)}</td></tr>")
        for row in rows(snapshots, lang, names):
            better = t(lang, "equal") if row.better == "=" else (row.better or "–")
            css = f"bs-better-{row.better}" if row.better in PANELS else ""
            unit = "" if row.unit == "%" else html.escape(row.unit)
            cells = [_term(row.label, row.name, lang), *(html.escape(row.values[p]) for p in PANELS), html.escape(row.difference)]
            out.append(
                f"<tr data-indicator='{row.name}'>"
                + "".join(f"<td>{cell}</td>" for cell in cells)
                + f"<td class='{css}'>{better}</td><td class='bs-unit'>{unit}</td></tr>"
            )
    out.append("</tbody></table>")
    return "".join(out)


def ensemble_ready(ensemble: Ensemble | None) -> bool:
    """Whether at least two seeds of both panels have arrived (an interval needs two)."""
    return ensemble is not None and len(ensemble.paired()[2]) >= 2


@solara.component
def ScorecardView(state: Workshop):
    """The monitoring scorecard: over seeds with intervals and verdicts once they arrive, else the live run's provisional values."""
    lang = state.lang.value
    state.version.value, state.ensemble_tick.value  # noqa: B018 - redraw with every update and arrival
    snapshots = state.snapshots()
    ensemble = state.ensemble.value
    if len(snapshots) != len(PANELS):
        return
    first = next(iter(snapshots.values()))
    if not first.scenario.shocks:
        solara.Text(t(lang, "no_counterfactual"), classes=["bs-note"])
    if ensemble_ready(ensemble):
        n = len(ensemble.paired()[2])
        solara.Text(t(lang, "ensemble_scorecard", n=n, end=month_text(first.scenario.end, lang), m=tested_count()), classes=["bs-note bs-holm-note"])
        table = ensemble_table(ensemble, lang)  # cheap: no memo (a hook after an early return would break the hook order)
        solara.HTML(tag="div", unsafe_innerHTML=table, classes=["bs-scorecard-wrap"])
        return
    if ensemble is not None:
        solara.Text(t(lang, "ensemble_waiting"), classes=["bs-note bs-ensemble-waiting"])
    note = "final" if first.finished else "provisional"
    solara.Text(t(lang, "live_scorecard", seed=first.seed, date=month_text(first.date, lang)), classes=["bs-lever-label"])
    solara.Text(t(lang, note, date=month_text(first.date, lang), end=month_text(first.scenario.end, lang)), classes=["bs-note"])
    table = live_table(snapshots, lang)
    solara.HTML(tag="div", unsafe_innerHTML=table, classes=["bs-scorecard-wrap"])


def why_table(ensemble: Ensemble, keys: list[str], name: str, lang: str) -> tuple[str, int]:
    """The split of A − B in ``name`` by mechanism as an HTML table, and the number of complete seeds it uses."""
    total, shares, rest = split(ensemble, keys, name)
    indicator = REGISTRY[name]
    from bottrop_sim.report.language import decimals_for, scale_for

    magnitude = max([abs(x) for x in (total.mean, total.low, total.high, *(s.spread.mean for s in shares)) if x == x] or [0.0])
    scale = scale_for(indicator.unit, magnitude, lang)
    decimals = max(decimals_for(magnitude * scale.factor), 1 if scale.unit in ("%", "Pp.", "pp") else 0)
    unit = scale.difference_unit

    def show(spread) -> str:
        if spread.n == 0 or spread.mean != spread.mean:
            return "–"
        text = number(spread.mean * scale.factor, lang, decimals, sign=True)
        if spread.low == spread.low:
            text += f" ({number(spread.low * scale.factor, lang, decimals, sign=True)} … {number(spread.high * scale.factor, lang, decimals, sign=True)})"
        return html.escape(f"{text} {unit}".strip())

    out = [
        "<table class='bs-scorecard bs-why-table'><thead><tr>",
        f"<th>{html.escape(t(lang, 'why_mechanism'))}</th><th>{html.escape(t(lang, 'why_acts'))}</th><th>{html.escape(t(lang, 'why_share'))}</th>",
        "</tr></thead><tbody>",
        f"<tr class='bs-why-total'><td>{html.escape(t(lang, 'why_total'))}</td><td>A, B</td><td>{show(total)}</td></tr>",
    ]
    for share in shares:
        label = MECHANISM_BY_KEY[share.key].label[lang]
        out.append(f"<tr data-mechanism='{share.key}'><td>{html.escape(label)}</td><td>{', '.join(share.in_panels)}</td><td>{show(share.spread)}</td></tr>")
    out.append(f"<tr class='bs-why-rest' data-mechanism='rest'><td>{html.escape(t(lang, 'why_rest'))}</td><td></td><td>{show(rest)}</td></tr>")
    out.append("</tbody></table>")
    return "".join(out), total.n


@solara.component
def WhyView(state: Workshop):
    """The difference A − B split by mechanism: each one switched off in turn on the ensemble's seeds."""
    lang = state.lang.value
    state.ensemble_tick.value  # noqa: B018 - redraw with every arrival
    ensemble = state.ensemble.value
    asked = state.why.value
    keys = list(asked or ())
    name, set_name = solara.use_state(WHY_INDICATORS[0])
    solara.Text(t(lang, "why_intro", n=len(ensemble.seeds) if ensemble else 0), classes=["bs-note"])
    if ensemble is None:
        solara.Text(t(lang, "why_need_ensemble"), classes=["bs-note"])
        return
    with solara.Row(gap="14px", style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button(
            t(lang, "why_start"),
            icon_name="mdi-call-split",
            color="primary",
            on_click=state.guarded(t(lang, "why_start"), state.explain),
            classes=["bs-why-start"],
        )
        v.Select(
            label=t(lang, "why_indicator"),
            items=[{"text": _label(key, lang), "value": key} for key in WHY_INDICATORS],
            v_model=name,
            on_v_model=set_name,
            hide_details=True,
            dense=True,
            class_="bs-select bs-select-why",
            menu_props={"contentClass": "bs-menu-why"},
            style_="max-width: 320px",
        )
        if keys:
            done = sum(ensemble.progress(key)[0] for key in keys)
            total = sum(ensemble.progress(key)[1] for key in keys)
            solara.Text(t(lang, "why_progress", done=done, total=total), classes=["bs-note bs-why-progress"])
    if asked is None:
        return
    if not keys:
        solara.Text(t(lang, "why_none"), classes=["bs-note"])
        return
    table, n = why_table(ensemble, keys, name, lang)
    if n:
        solara.Text(f"{_label(name, lang)}: {t(lang, 'why_seeds', n=n)}", classes=["bs-lever-label"])
        solara.HTML(tag="div", unsafe_innerHTML=table, classes=["bs-scorecard-wrap bs-why"])
