"""The facilitator's page and the printable handout.

The handout is part of the page: the settings of A and B, the time series with
their bands, the scorecard over seeds (or the live run's, while the seeds are
still arriving), seed, version and the settings code. "Print" opens the
browser's print dialog; the page's print style (``@media print`` in
:mod:`bottrop_sim.app.main`) hides everything but the handout and lays it out
on A4, so it fits one or two pages and "Save as PDF" gives the PDF.
"""

# ruff: noqa: N802 - Solara components are named in CapWords

from __future__ import annotations

import base64
import datetime as dt
import html

import solara

from bottrop_sim import __version__

from .chart_components import observed_for
from .charts import png_bytes, series_figure
from .components import PrintButton
from .explain_views import ensemble_ready, ensemble_table, live_table
from .glossary import LIMITS, SESSION_PLAN
from .levers import LEVERS, levers_for
from .state import PANELS, Workshop
from .texts import GOVERNANCE, number, scenario_description, scenario_title, t, word

HANDOUT_DPI = 110


def setting_text(lever, value, lang: str) -> str:
    """A lever's value as the handout lists it (with its unit)."""
    if lever.kind == "flag":
        return t(lang, "on" if value else "off")
    if lever.kind == "choice":
        return word(lever.choice_labels or {}, value, lang)
    if lever.kind == "month":
        return str(value)
    unit = lever.unit[lang]
    return f"{lever.text(value, lang)} {unit}".strip()


def settings_table(state: Workshop, lang: str) -> str:
    """The levers of A and B side by side (only those acting in at least one panel's setting)."""
    applied = {panel: state.applied[panel].value for panel in PANELS}
    settings = {panel: state.settings[panel].value for panel in PANELS}
    modes = {panel: (scenario.governance.mode if scenario is not None else "none") for panel, scenario in applied.items()}
    paths = {lever.path for panel in PANELS for lever in levers_for(modes[panel])}
    out = [
        "<table class='bs-scorecard bs-settings'><thead><tr>",
        f"<th>{html.escape(t(lang, 'handout_settings'))}</th><th>A</th><th>B</th></tr></thead><tbody>",
    ]
    for lever in LEVERS:
        if lever.path not in paths:
            continue
        cells = []
        for panel in PANELS:
            acts = modes[panel] in lever.modes
            cells.append(html.escape(setting_text(lever, settings[panel].get(lever.path), lang)) if acts else "–")
        out.append(f"<tr><td>{html.escape(lever.label[lang])}</td><td>{cells[0]}</td><td>{cells[1]}</td></tr>")
    out.append("</tbody></table>")
    return "".join(out)


@solara.component
def HandoutView(state: Workshop):
    """The handout of the current comparison, laid out for one or two A4 pages, with a print button."""
    lang = state.lang.value
    state.version.value, state.ensemble_tick.value  # noqa: B018 - redraw with every update and arrival
    snapshots = state.snapshots()
    ensemble = state.ensemble.value
    name = state.scenario_name.value or ""
    if len(snapshots) != len(PANELS):
        return
    with solara.Row(gap="12px", style={"align-items": "center"}, classes=["bs-no-print"]):
        PrintButton(label=t(lang, "handout_print"), extra_class="bs-print-handout")
        solara.Text(t(lang, "handout_intro"), classes=["bs-note"])
    observed = observed_for(state)
    image = base64.b64encode(png_bytes(series_figure(snapshots, lang, ensemble, observed), HANDOUT_DPI)).decode()
    scorecard = ensemble_table(ensemble, lang, explained=False) if ensemble_ready(ensemble) else live_table(snapshots, lang)
    first = next(iter(snapshots.values()))
    governance = " · ".join(f"{panel}: {word(GOVERNANCE, snapshot.scenario.governance.mode, lang)}" for panel, snapshot in snapshots.items())
    footer = t(
        lang,
        "handout_footer",
        version=__version__,
        seed=str(state.seed.value),
        name=name,
        date=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        code=state.settings_code(),
    )
    seeds = ""
    if ensemble is not None:
        seeds = t(lang, "ensemble_progress", done=len(ensemble.paired()[2]), total=len(ensemble.seeds)) + ": " + ", ".join(str(seed) for seed in ensemble.seeds)
    parts = [
        f"<h1>{html.escape(t(lang, 'handout_title', scenario=scenario_title(name, lang)))}</h1>",
        f"<p class='bs-handout-lead'>{html.escape(scenario_description(name, lang, first.scenario.description))}<br>{html.escape(governance)}</p>",
        settings_table(state, lang),
        f"<img class='bs-handout-chart' alt='{html.escape(t(lang, 'tab_series'))}' src='data:image/png;base64,{image}'>",
        f"<h2>{html.escape(t(lang, 'tab_scorecard'))}</h2>",
        scorecard,
        f"<p class='bs-handout-footer'>{html.escape(seeds)}<br>{html.escape(footer)}</p>",
    ]
    solara.HTML(tag="div", unsafe_innerHTML="".join(parts), classes=["bs-handout"])


@solara.component
def InfoView(state: Workshop):
    """For the facilitator: a 90-minute session, what each lever means, what the model cannot say, how to read the verdicts."""
    lang = state.lang.value
    plan = "".join(f"<tr><td class='bs-slot'>{html.escape(slot)}</td><td>{html.escape(text)}</td></tr>" for slot, text in SESSION_PLAN[lang])
    levers = "".join(
        f"<li><b>{html.escape(lever.label[lang])}</b>"
        + (f" ({html.escape(lever.unit[lang])})" if lever.unit[lang] else "")
        + f": {html.escape(lever.help[lang])} <i>{html.escape(', '.join(word(GOVERNANCE, mode, lang) for mode in lever.modes))}</i></li>"
        for lever in LEVERS
    )
    limits = "".join(f"<li>{html.escape(line)}</li>" for line in LIMITS[lang])
    headings = {
        "de": ("Ablauf einer Sitzung (90 Minuten)", "Was die Hebel bedeuten", "Was das Modell nicht sagen kann", "Bänder, Intervalle und „klarer Unterschied“"),
        "en": ("A session (90 minutes)", "What the levers mean", "What the model cannot say", "Bands, intervals and “clear difference”"),
    }[lang]
    reading = {
        "de": (
            f"Jede Variante läuft mit {number(state.ensemble_size, lang)} Startwerten (dieselben in A und B). Linie: Median, Fläche: 10–90 % der Läufe. "
            "Kennzahlen: A − B mit 95-%-Intervall; „klarer Unterschied“ erst nach der Holm-Korrektur für alle gleichzeitig geprüften Kennzahlen "
            "(wer viele Kennzahlen vergleicht, findet sonst zufällig „Unterschiede“). „Warum?“ schaltet jeden Mechanismus einzeln ab."
        ),
        "en": (
            f"Each panel runs with {number(state.ensemble_size, lang)} seeds (the same in A and B). Line: median, area: 10–90 % of the runs. "
            "Scorecard: A − B with its 95 % interval; a “clear difference” only after Holm's correction for all indicators tested at once "
            "(whoever compares many indicators finds chance “differences” otherwise). “Why?” switches each mechanism off in turn."
        ),
    }[lang]
    content = (
        f"<h2>{html.escape(headings[0])}</h2><table class='bs-scorecard bs-plan'><tbody>{plan}</tbody></table>"
        f"<h2>{html.escape(headings[3])}</h2><p>{html.escape(reading)}</p>"
        f"<h2>{html.escape(headings[1])}</h2><ul class='bs-lever-list'>{levers}</ul>"
        f"<h2>{html.escape(headings[2])}</h2><ul class='bs-limits'>{limits}</ul>"
    )
    solara.HTML(tag="div", unsafe_innerHTML=content, classes=["bs-info"])
