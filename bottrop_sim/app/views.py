"""The views of the workshop app: time series, scorecard, "Why?", supply network, alliance, handout, facilitator's page, export.

Each view draws from the panels' latest snapshots and is redrawn when the
session's ``version`` changes (after every update while playing). Only the
open tab is drawn (``lazy`` tabs), so a hidden network picture costs nothing.
"""

# ruff: noqa: N802 - Solara components are named in CapWords (solara run looks for `Page`)

from __future__ import annotations

import solara
import solara.lab

from .chart_components import EXPORT_DPI, DrawnChart, export_stamp, file_stamp, observed_for
from .charts import alliance_figure, counterfactual_note, network_figure, panel_label, png_bytes, series_figure
from .components import Guard, Message
from .entry import Entry
from .explain_views import ScorecardView, WhyView
from .export import panel_description, panel_file_comment, scenario_toml, timeseries_csv
from .live_chart import SeriesCanvas
from .runs import PanelSnapshot
from .session_views import HandoutView, InfoView
from .state import PANELS, Workshop
from .texts import LABS, month_text, months_text, number, t, word

TABS = ("tab_series", "tab_scorecard", "tab_why", "tab_network", "tab_alliance", "tab_handout", "tab_info", "tab_export")


@solara.component
def SeriesView(state: Workshop):
    """Employment, unemployment, value added, firms and CO2: A against B with bands over seeds, counterfactual twins dashed."""
    lang = state.lang.value
    snapshots = state.snapshots()
    tick = state.ensemble_tick.value
    ensemble = state.ensemble.value
    version = state.version.value
    last = solara.use_ref((version, tick))
    canvas = solara.use_memo(SeriesCanvas, [])  # the page's picture is drawn into one kept figure (live_chart)
    if not snapshots:
        return
    # beside the chart, never over its legend; always there (empty once the runs started), so the chart
    # keeps its place and its widgets when the hint comes and goes (a reset, the first step)
    waiting = all(s.months_done == 0 for s in snapshots.values())
    solara.Text(t(lang, "press_play") if waiting else "", classes=["bs-waiting"] if waiting else ["bs-waiting-gone"])
    observed = observed_for(state)
    started = any(s.months_done for s in snapshots.values())
    seeds = min(len(ensemble.members(panel)) for panel in snapshots) if ensemble is not None and started else 0
    # While playing, the next update draws the seeds that arrived since the last one: an arrival alone
    # redraws the chart only when the runs stand still (each redraw costs the server a third of a
    # second, about what the simulation of an update costs).
    if state.playing.value and version == last.current[0]:
        arrivals = last.current[1]  # drawn with the next update
    else:
        arrivals = tick
        last.current = (version, tick)
    DrawnChart(
        state,
        lambda lang: series_figure(snapshots, lang, ensemble, observed),
        "series",
        "time_series",
        "tab_series",
        [version, arrivals, id(ensemble), len(snapshots)],
        css=f"bs-bands-{seeds}",  # how many seeds the bands hold (0: single runs), for tests and styles
        picture=lambda lang: canvas.png(snapshots, lang, ensemble, observed),
    )
    if observed is not None:
        solara.Text(t(lang, "observed") + ": " + " ".join(observed["source"].split()), classes=["bs-note bs-source"])


@solara.component
def NetworkView(state: Workshop):
    """The supply networks of A and B: firms by sector, exited firms faded, alliance members ringed."""
    snapshots = state.snapshots()
    solara.Text(t(state.lang.value, "network_note"), classes=["bs-note"])
    if snapshots:
        DrawnChart(state, lambda lang: network_figure(snapshots, lang), "network", "supply_network", "tab_network", [state.version.value, len(snapshots)])


@solara.component
def AllianceCard(panel: str, snapshot: PanelSnapshot, lang: str):
    """Members, trust and running projects of one panel's alliance."""
    with solara.Card(classes=[f"bs-alliance bs-alliance-{panel}"], margin=0):
        alliance = snapshot.alliance
        with solara.Row(style={"align-items": "center"}, gap="12px"):
            solara.Text(f"{panel}", classes=[f"bs-badge bs-badge-{panel}"])
            solara.Text(panel_label(panel, snapshot, lang).split(": ", 1)[-1], classes=["bs-lever-label"])
        if alliance is None:
            solara.Text(t(lang, "no_alliance"), classes=["bs-note"])
            return
        if not alliance.founded:
            solara.Text(t(lang, "not_founded", date=month_text(alliance.start, lang)), classes=["bs-note"])
            return
        figures = [
            (t(lang, "members"), number(alliance.members, lang)),
            (t(lang, "trust"), number(alliance.trust, lang, 2)),
            (t(lang, "projects_active"), number(len(alliance.projects), lang)),
            (t(lang, "brokered_links"), number(alliance.brokered_links, lang)),
            (t(lang, "pooled_staff"), number(alliance.pooled_staff, lang)),
        ]
        with solara.Row(classes=["bs-figures"], gap="18px", style={"flex-wrap": "wrap"}):
            for caption, value in figures:
                with solara.Column(gap="0px", classes=["bs-figure"]):
                    solara.Text(value, classes=["bs-figure-value"])
                    solara.Text(caption, classes=["bs-figure-caption"])
        with solara.Column(gap="2px", classes=["bs-projects"]):
            solara.Text(t(lang, "projects_active") + ":", classes=["bs-lever-label"])
            for project in alliance.projects:
                solara.Text(
                    f"{word(LABS, project.lab, lang)}: "
                    + t(lang, "project_row", participants=number(project.participants, lang), months=months_text(project.months_left, lang)),
                    classes=["bs-project"],
                )
            if not alliance.projects:
                solara.Text(t(lang, "no_projects"), classes=["bs-note"])


@solara.component
def AllianceView(state: Workshop):
    """The alliance of each panel (members, trust, running projects) and members and trust over time."""
    lang = state.lang.value
    version = state.version.value
    snapshots = state.snapshots()
    with solara.Columns([1, 1], gutters_dense=True):
        for panel, snapshot in snapshots.items():
            AllianceCard(panel, snapshot, lang)
    if any(s.alliance is not None for s in snapshots.values()):
        DrawnChart(state, lambda lang: alliance_figure(snapshots, lang), "alliance", "alliance", "tab_alliance", [version, len(snapshots)])


@solara.component
def ExportView(state: Workshop):
    """Downloads: each panel's settings as a scenario file, the time series as CSV, the charts as PNG."""
    lang = state.lang.value
    state.version.value  # noqa: B018 - the CSV follows the runs
    base_name = state.scenario_name.value or "scenario"
    seed = state.seed.value
    solara.Text(t(lang, "export_intro"), classes=["bs-note"])

    def scenario_file(panel: str):
        scenario = state.applied[panel].value
        name = f"{base_name}_{panel.lower()}_{scenario.governance.mode}" if scenario is not None else base_name
        comment = panel_file_comment(panel, scenario, base_name, seed) if scenario is not None else []
        base = state.base.value
        description = panel_description(base, scenario, panel) if base is not None and scenario is not None else ""
        return name, (lambda: scenario_toml(scenario.model_copy(update={"seed": seed, "description": description}), name=name, comment=comment))

    with solara.Row(gap="12px", style={"flex-wrap": "wrap"}):
        for panel in PANELS:
            if state.applied[panel].value is None:
                continue
            name, text = scenario_file(panel)
            solara.FileDownload(
                text,
                filename=f"{name}.toml",
                mime_type="application/toml",
                children=[
                    solara.Button(
                        t(lang, "export_scenario", panel=panel), icon_name="mdi-file-download-outline", classes=[f"bs-export-scenario-{panel}"], color="primary"
                    )
                ],
            )
        snapshots = state.snapshots()
        solara.FileDownload(
            lambda: timeseries_csv(snapshots),
            filename=f"{base_name}_time_series_{file_stamp()}.csv",
            label=t(lang, "export_csv"),
            icon_name="mdi-table",
            mime_type="text/csv",
        )
        ensemble, observed = state.ensemble.value, observed_for(state)
        charts = (
            ("export_png_series", "tab_series", lambda: series_figure(snapshots, lang, ensemble, observed)),
            ("export_png_network", "tab_network", lambda: network_figure(snapshots, lang)),
            ("export_png_alliance", "tab_alliance", lambda: alliance_figure(snapshots, lang)),
        )
        for key, title_key, draw in charts:
            solara.FileDownload(
                lambda draw=draw, title_key=title_key: png_bytes(draw(), EXPORT_DPI, export_stamp(state, title_key, lang)),
                filename=f"bottrop_{key.removeprefix('export_png_')}_{file_stamp()}.png",
                label=t(lang, key),
                icon_name="mdi-image-outline",
                mime_type="image/png",
            )
    first = next(iter(snapshots.values()), None)
    if first is not None:
        solara.Text(counterfactual_note(first, lang), classes=["bs-note"])
    CodeBox(state)


@solara.component
def CodeBox(state: Workshop):
    """The settings code (to write down or send), and a field to paste one back."""
    lang = state.lang.value
    state.version.value  # noqa: B018 - the code follows every rebuild
    code = state.settings_code()
    with solara.Column(gap="4px", classes=["bs-code-box"]):
        solara.Text(t(lang, "code"), classes=["bs-lever-label"])
        solara.Text(code, classes=["bs-code"])
        solara.Text(t(lang, "code_help"), classes=["bs-help"])
        Entry(label=t(lang, "code_enter"), value="", on_value=state.guarded(t(lang, "code"), state.restore), classes=["bs-code-entry"])
        if state.code_problem.value:
            Message(state.code_problem.value)


VIEWS = {
    "tab_series": SeriesView,
    "tab_scorecard": ScorecardView,
    "tab_why": WhyView,
    "tab_network": NetworkView,
    "tab_alliance": AllianceView,
    "tab_handout": HandoutView,
    "tab_info": InfoView,
    "tab_export": ExportView,
}


@solara.component
def Views(state: Workshop):
    """The tabs; only the open one is drawn."""
    lang = state.lang.value
    with solara.lab.Tabs(value=state.tab, lazy=True):
        for key in TABS:
            with solara.lab.Tab(t(lang, key), classes=[f"bs-tab bs-{key.replace('_', '-')}"]):
                Guard(VIEWS[key], state, lang)
