"""The views of the workshop app: time series, supply network, scorecard, alliance, export.

Each view draws from the panels' latest snapshots and is redrawn when the
session's ``version`` changes (after every update while playing). Only the
open tab is drawn (``lazy`` tabs), so a hidden network picture costs nothing.
"""

# ruff: noqa: N802 - Solara components are named in CapWords (solara run looks for `Page`)

from __future__ import annotations

import datetime as dt

import solara
import solara.lab

from .charts import alliance_figure, counterfactual_note, network_figure, panel_label, png_bytes, series_figure
from .components import Guard
from .export import panel_description, panel_file_comment, scenario_toml, timeseries_csv
from .runs import PanelSnapshot
from .scoring import KEY_INDICATORS, RESILIENCE, rows
from .state import PANELS, Workshop
from .texts import LABS, month_text, months_text, number, t, word

EXPORT_DPI = 150
TABS = ("tab_series", "tab_network", "tab_scorecard", "tab_alliance", "tab_export")


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M")


@solara.component
def Chart(figure_png: bytes, download, filename: str, lang: str, name: str):
    """A chart image with a PNG download button under it."""
    with solara.Column(gap="4px", classes=[f"bs-chart bs-chart-{name}"]):
        solara.Image(figure_png, width="100%")
        with solara.Row(justify="end"):
            solara.FileDownload(download, filename=filename, label=t(lang, "png"), icon_name="mdi-download", mime_type="image/png")


@solara.component
def DrawnChart(snapshots: dict, lang: str, version: int, draw, name: str, stem: str):
    """A chart drawn from the panels' snapshots, redrawn when they change, with a PNG download."""
    image = solara.use_memo(lambda: png_bytes(draw(snapshots, lang)), [version, lang, len(snapshots)])
    Chart(image, lambda: png_bytes(draw(snapshots, lang), EXPORT_DPI), f"bottrop_{stem}_{_stamp()}.png", lang, name)


@solara.component
def SeriesView(state: Workshop):
    """Employment, unemployment, value added, firms and CO2: A against B, counterfactual twins dashed."""
    snapshots = state.snapshots()
    if snapshots:
        DrawnChart(snapshots, state.lang.value, state.version.value, series_figure, "series", "time_series")


@solara.component
def NetworkView(state: Workshop):
    """The supply networks of A and B: firms by sector, exited firms faded, alliance members ringed."""
    snapshots = state.snapshots()
    solara.Text(t(state.lang.value, "network_note"), classes=["bs-note"])
    if snapshots:
        DrawnChart(snapshots, state.lang.value, state.version.value, network_figure, "network", "supply_network")


@solara.component
def ScorecardView(state: Workshop):
    """The monitoring scorecard of A and B and their difference A − B."""
    lang = state.lang.value
    version = state.version.value
    snapshots = state.snapshots()
    complete = len(snapshots) == len(PANELS)
    tables = solara.use_memo(lambda: [rows(snapshots, lang, RESILIENCE), rows(snapshots, lang, KEY_INDICATORS)] if complete else [], [version, lang, complete])
    if not complete:
        return
    first = next(iter(snapshots.values()))
    note = "final" if first.finished else "provisional"
    solara.Text(t(lang, note, date=month_text(first.date, lang), end=month_text(first.scenario.end, lang)), classes=["bs-note"])
    if not first.scenario.shocks:
        solara.Text(t(lang, "no_counterfactual"), classes=["bs-note"])
    header = (t(lang, "indicator"), *PANELS, t(lang, "difference"), t(lang, "better"), t(lang, "unit"))
    html = ["<table class='bs-scorecard'>", "<thead><tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr></thead><tbody>"]
    for title, lines in zip((t(lang, "group_resilience"), t(lang, "group_indicators")), tables, strict=True):
        html.append(f"<tr class='bs-group'><td colspan='{len(header)}'>{title}</td></tr>")
        for row in lines:
            better = t(lang, "equal") if row.better == "=" else (row.better or "–")
            css = f"bs-better-{row.better}" if row.better in PANELS else ""
            unit = "" if row.unit in ("%",) else row.unit
            cells = [row.label, *(row.values[p] for p in PANELS), row.difference]
            html.append(
                f"<tr data-indicator='{row.name}'>"
                + "".join(f"<td>{cell}</td>" for cell in cells)
                + f"<td class='{css}'>{better}</td><td class='bs-unit'>{unit}</td></tr>"
            )
    html.append("</tbody></table>")
    solara.HTML(tag="div", unsafe_innerHTML="".join(html), classes=["bs-scorecard-wrap"])


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
        DrawnChart(snapshots, lang, version, alliance_figure, "alliance", "alliance")


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
            filename=f"{base_name}_time_series_{_stamp()}.csv",
            label=t(lang, "export_csv"),
            icon_name="mdi-table",
            mime_type="text/csv",
        )
        for key, draw in (("export_png_series", series_figure), ("export_png_network", network_figure), ("export_png_alliance", alliance_figure)):
            solara.FileDownload(
                lambda draw=draw: png_bytes(draw(snapshots, lang), EXPORT_DPI),
                filename=f"bottrop_{key.removeprefix('export_png_')}_{_stamp()}.png",
                label=t(lang, key),
                icon_name="mdi-image-outline",
                mime_type="image/png",
            )
    first = next(iter(snapshots.values()), None)
    if first is not None:
        solara.Text(counterfactual_note(first, lang), classes=["bs-note"])


VIEWS = {"tab_series": SeriesView, "tab_network": NetworkView, "tab_scorecard": ScorecardView, "tab_alliance": AllianceView, "tab_export": ExportView}


@solara.component
def Views(state: Workshop):
    """The tabs; only the open one is drawn."""
    lang = state.lang.value
    with solara.lab.Tabs(value=state.tab, lazy=True):
        for key in TABS:
            with solara.lab.Tab(t(lang, key), classes=[f"bs-tab bs-{key.replace('_', '-')}"]):
                Guard(VIEWS[key], state, lang)
