"""The controls of the workshop app: header, play controls, the two panels and their levers.

Why not Mesa's own Solara components: ``SolaraViz`` and its ``ModelController``
drive one model, build it from keyword parameters and show raw exception
texts; the workshop needs two models (four with the counterfactual twins) moving
in lockstep, levers that write validated scenario fields, bilingual labels and
messages instead of tracebacks. Mesa's ``UserInputs`` has no units, help texts
or entry checks. The app therefore keeps Mesa's pattern (the model in reactive
state, a play loop with a render interval, a step counter driving redraws) with
its own components.
"""

# ruff: noqa: N802 - Solara components are named in CapWords (solara run looks for `Page`)

from __future__ import annotations

import logging
import re
from typing import Any

import solara
from solara import v

from bottrop_sim.scenario.governance import ALLIANCE_MODES

from .entry import Entry, cast_none
from .levers import LEVER_BY_PATH, Lever, check_entry, choice_items, error_text, founding_notice, levers_for, upload_problem_text
from .state import PANELS, RENDER_INTERVALS, Workshop
from .texts import LANGUAGES, month_text, months_text, number, scenario_description, scenario_title, t

logger = logging.getLogger(__name__)


def slug(path: str) -> str:
    """A CSS-safe name of a lever path (for selectors in tests and styles)."""
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")


@solara.component
def Guard(part, state: Any, lang: str = "de"):
    """Draw ``part(state)``; if drawing it fails, show a short message instead of a traceback (logged on the server)."""
    exception, clear = solara.use_exception()
    if exception is not None:
        logger.error("workshop app: %s failed", getattr(part, "__name__", part), exc_info=exception)
        with solara.Column(classes=["bs-problem"]):
            solara.Warning(t(lang, "view_failed"))
            solara.Button(t(lang, "retry"), on_click=clear, outlined=True)
    else:
        part(state)


@solara.component_vue("vue/upload.vue")
def UploadButton(label: str, extra_class: str, event_upload: Any = None):
    """A button that reads a chosen scenario file in the browser and hands its name and text to ``event_upload``."""


@solara.component_vue("vue/keeper.vue")
def SessionKeeper(code: str, stored: str = "", on_stored: Any = None):
    """Keeps ``code`` in the page's address and the browser's storage; hands a stored code to ``on_stored`` on opening."""


@solara.component_vue("vue/printing.vue")
def PrintButton(label: str, extra_class: str):
    """Opens the browser's print dialog (paper or PDF)."""


@solara.component
def EnsembleProgress(state: Workshop):
    """How many seeds of the ensemble have arrived (the bands and intervals fill in as they do)."""
    lang = state.lang.value
    state.ensemble_tick.value  # noqa: B018 - follows every arrival
    ensemble = state.ensemble.value
    if ensemble is None:
        return
    done, total = ensemble.progress()
    with solara.Column(gap="0px", classes=["bs-ensemble-progress"], style={"min-width": "190px"}):
        solara.Text(t(lang, "ensemble_progress", done=done // 2, total=total // 2), classes=["bs-note"])
        solara.ProgressLinear(value=100.0 * done / max(1, total), color="secondary")
        if ensemble.failed():
            Message(t(lang, "ensemble_failed", n=ensemble.failed()))


@solara.component
def Message(text: str, kind: str = "error"):
    """A message next to a control (red for errors, amber for notices)."""
    solara.Text(text, classes=[f"bs-message bs-message-{kind}"])


@solara.component
def LeverControl(lever: Lever, value: Any, lang: str, panel: str, on_value, problem: str | None = None, notice: str | None = None):
    """One lever: a select, a switch, a month entry, or a slider with a typed entry; its unit, help text and any message."""
    entry, set_entry = solara.use_state(cast_none())
    message, set_message = solara.use_state(cast_none())

    def forget():
        set_entry(None)
        set_message(None)

    solara.use_effect(forget, [value, lang])

    def typed(text: str | None) -> None:
        accepted, complaint = check_entry(lever, text or "", lang)
        if complaint is not None:
            set_entry(text or "")
            set_message(complaint)
            return
        forget()
        on_value(accepted)

    def slid(shown: float | None) -> None:
        # the knob stands on the step nearest to the exact value; an echo of that position is not a change
        if shown is not None and abs(float(shown) - lever.slider_position(value)) > 1e-9:
            on_value(lever.stored(float(shown)))

    name = f"bs-lever bs-lever-{panel} bs-lever-{slug(lever.path)}"
    label = lever.label[lang] + (f" ({lever.unit[lang]})" if lever.unit[lang] and lever.kind != "month" else "")
    with solara.Column(classes=[name], gap="2px"):
        if lever.kind == "choice":
            headline = lever.path != "governance.mode"  # the governance select heads its panel with a compact label
            if headline:
                solara.Text(label, classes=["bs-lever-label"])
            v.Select(
                label="" if headline else label,
                items=choice_items(lever, lang),
                v_model=value,
                on_v_model=on_value,
                hide_details=True,
                class_=f"bs-select bs-select-{slug(lever.path)}-{panel}",
                menu_props={"contentClass": f"bs-menu-{slug(lever.path)}-{panel}"},
            )
        elif lever.kind == "flag":
            v.Switch(label=label, v_model=bool(value), on_v_model=lambda on: on_value(bool(on)), hide_details=True, class_="bs-switch mt-0", inset=True)
        elif lever.kind == "month":
            solara.Text(label, classes=["bs-lever-label"])
            Entry(
                value=entry if entry is not None else str(value),
                on_value=typed,
                error=bool(message),
                classes=["bs-entry bs-entry-month"],
                style={"max-width": "160px"},
            )
        else:
            solara.Text(label, classes=["bs-lever-label"])
            low, high, step = lever.slider or (0.0, 1.0, 0.1)
            with solara.Row(gap="10px", style={"align-items": "center"}):
                v.Slider(
                    v_model=lever.slider_position(value),
                    min=low,
                    max=high,
                    step=step,
                    on_v_model=slid,
                    hide_details=True,
                    class_="bs-slider",
                    style_="flex: 1 1 auto",
                )
                Entry(
                    value=entry if entry is not None else lever.text(value, lang),
                    on_value=typed,
                    error=bool(message),
                    classes=["bs-entry bs-entry-number"],
                    style={"max-width": "110px"},
                )
        solara.Text(lever.help[lang], classes=["bs-help"])
        if message:
            Message(message)
        elif problem:
            Message(problem)
        elif notice:
            Message(notice, kind="notice")


@solara.component
def Header(state: Workshop):
    """Title, scenario picker with its description, language switch."""
    lang = state.lang.value
    name = state.scenario_name.value
    base = state.base.value
    items = [{"text": scenario_title(key, lang), "value": key} for key in state.catalog]
    with solara.Row(classes=["bs-header"], style={"align-items": "center", "flex-wrap": "wrap"}, gap="16px"):
        with solara.Column(gap="0px", style={"flex": "0 0 auto"}):
            solara.Text(t(lang, "title"), classes=["bs-title"])
            solara.Text(t(lang, "subtitle"), classes=["bs-subtitle"])
        with solara.Column(gap="0px", style={"flex": "1 1 360px", "min-width": "280px"}):
            v.Select(
                label=t(lang, "scenario"),
                items=items,
                v_model=name,
                on_v_model=state.guarded(t(lang, "scenario"), state.choose_scenario),
                hide_details=True,
                class_="bs-select bs-select-scenario",
                menu_props={"contentClass": "bs-menu-scenario"},
            )
            if base is not None and name is not None:
                solara.Text(scenario_description(name, lang, base.description), classes=["bs-description"])
            if state.scenario_problem.value:
                failed, reason = state.scenario_problem.value
                Message(t(lang, "scenario_failed", name=failed, reason=reason))
            if not state.catalog:
                Message(t(lang, "no_scenarios", folder=str(state.folder)))
        solara.ToggleButtonsSingle(
            value=lang,
            on_value=state.guarded(t(lang, "language"), state.lang.set),
            children=[solara.Button(code.upper(), value=code, classes=[f"bs-lang bs-lang-{code}"]) for code in LANGUAGES],
            classes=["bs-language"],
        )


@solara.component
def Controls(state: Workshop):
    """Play/pause, step, reset, speed and seed; the current month. Hosts the play loop."""
    lang = state.lang.value
    state.version.value  # noqa: B018 - redraw with every update
    playing = state.playing.value
    solara.use_thread(state.play_loop, dependencies=[playing], intrusive_cancel=False)
    seed_message = state.seed_message(lang)  # kept as a text key: follows the language switch
    snapshots = state.snapshots()
    first = next(iter(snapshots.values()), None)
    months = months_text(state.interval.value, lang)
    changed = state.dirty.value
    # One root whatever is shown: with only the row, Reacton makes the row itself the root, and a notice or a
    # problem appearing or going would replace the row and every control in it by new widgets, so that what
    # a facilitator was typing into the seed field went to a closed widget and was lost (issue 14).
    with solara.Column(gap="12px", classes=["bs-controls-box"]):
        with solara.Row(classes=["bs-controls"], style={"align-items": "center", "flex-wrap": "wrap"}, gap="10px"):
            solara.Button(
                t(lang, "pause") if playing else t(lang, "play"),
                icon_name="mdi-pause" if playing else "mdi-play",
                on_click=state.guarded(t(lang, "play"), state.toggle_play),
                color="primary",
                disabled=first is None or (state.finished and not playing),
                classes=["bs-play"],
            )
            solara.Button(
                t(lang, "step", months=months),
                icon_name="mdi-step-forward",
                on_click=state.guarded(t(lang, "step", months=months), state.request_step),
                disabled=first is None or playing or state.finished,
                outlined=True,
                classes=["bs-step"],
            )
            solara.Button(
                t(lang, "reset"),
                icon_name="mdi-restart",
                on_click=state.guarded(t(lang, "reset"), state.request_reset),
                outlined=not (changed and state.months_done > 0),
                color="warning" if changed and state.months_done > 0 else None,
                classes=["bs-reset"],
            )
            v.Select(
                label=t(lang, "speed"),
                items=[{"text": t(lang, "speed_option", months=months_text(n, lang)), "value": n} for n in RENDER_INTERVALS],
                v_model=state.interval.value,
                on_v_model=state.guarded(t(lang, "speed"), lambda n: state.interval.set(int(n))),
                hide_details=True,
                dense=True,
                class_="bs-select bs-select-speed",
                style_="max-width: 210px",
            )
            with solara.Column(gap="0px", style={"max-width": "190px"}):
                Entry(
                    label=t(lang, "seed"),
                    value=str(state.seed.value),
                    on_value=state.guarded(t(lang, "seed"), lambda entry: state.set_seed(entry or "")),
                    error=bool(seed_message),
                    classes=["bs-seed"],
                )
                if seed_message:
                    Message(seed_message)
            if first is not None:
                with solara.Column(gap="0px", style={"flex": "1 1 220px", "min-width": "200px"}, classes=["bs-clock"]):
                    shown = month_text(first.date, lang) if first.months_done else f"{t(lang, 'start')}: {month_text(first.scenario.start, lang)}"
                    solara.Text(shown, classes=["bs-date"])
                    solara.ProgressLinear(value=100.0 * first.months_done / max(1, first.months_total), color="primary")
                    if first.finished:
                        solara.Text(t(lang, "finished"), classes=["bs-note"])
            EnsembleProgress(state)
        if changed:
            Message(t(lang, "pending" if state.months_done > 0 else "pending_start"), kind="notice")
        if state.problem.value:
            with solara.Row(style={"align-items": "center"}):
                Message(state.problem.value)
                solara.Button(t(lang, "dismiss"), on_click=lambda: state.problem.set(None), text=True)


@solara.component
def PanelCard(state: Workshop, panel: str):
    """One panel: its governance setting, this month's key figures, and its levers (shown on demand)."""
    lang = state.lang.value
    state.version.value  # noqa: B018 - key figures follow every update
    open_, set_open = solara.use_state(False)
    settings = state.settings[panel].value
    problem = state.panel_problem[panel].value
    run = state.runs[panel].value
    mode = settings.get("governance.mode", "none")
    problem_text = error_text(problem, lang) if problem is not None else None
    problem_path = problem.field if problem is not None else None

    def set_lever(path: str):
        return state.guarded(t(lang, "levers"), lambda value: state.set_lever(panel, path, value))

    levers = [lever for lever in levers_for(mode) if lever.path != "governance.mode"]
    with solara.Card(classes=[f"bs-panel bs-panel-{panel}"], margin=0, elevation=2):
        with solara.Row(style={"align-items": "center"}, gap="12px"):
            solara.Text(panel, classes=[f"bs-badge bs-badge-{panel}"])
            with solara.Column(style={"flex": "1 1 260px"}, gap="0px"):
                LeverControl(
                    LEVER_BY_PATH["governance.mode"],
                    mode,
                    lang,
                    panel,
                    set_lever("governance.mode"),
                    problem_text if problem_path == "governance.mode" else None,
                )
            UploadButton(
                label=t(lang, "upload"),
                extra_class=f"bs-upload-{panel}",
                event_upload=state.guarded(t(lang, "upload"), lambda data: state.upload(panel, str(data.get("name") or "?"), data.get("text"))),
            )
            solara.Button(
                (t(lang, "levers_hide") if open_ else t(lang, "levers")) + f" ({len(levers)})",
                icon_name="mdi-chevron-up" if open_ else "mdi-tune",
                on_click=lambda: set_open(not open_),
                outlined=True,
                classes=[f"bs-levers-toggle bs-levers-toggle-{panel}"],
            )
        if run is not None:
            now = run.snapshot.now
            figures = [
                (t(lang, "jobs_now"), number(now["employment"], lang)),
                (t(lang, "unemployment_now"), number(100 * now["unemployment_rate"], lang, 1) + " %"),
                (t(lang, "firms_now"), number(now["firms"], lang)),
            ]
            if mode in ALLIANCE_MODES:
                figures.append((t(lang, "members_now"), number(now["alliance_members"], lang)))
            with solara.Row(classes=["bs-figures"], gap="22px", style={"flex-wrap": "wrap", "padding-left": "52px"}):
                for caption, value in figures:
                    with solara.Column(gap="0px", classes=["bs-figure"]):
                        solara.Text(value, classes=["bs-figure-value"])
                        solara.Text(caption, classes=["bs-figure-caption"])
        upload_problem = state.upload_problem[panel].value
        applied = state.applied[panel].value
        notice = founding_notice(applied, lang) if applied is not None else None
        with solara.Column(gap="2px", classes=["bs-panel-messages"]):  # always there: a message coming or going must not move the levers below (issue 14)
            if problem_text and problem_path not in {lever.path for lever in levers} | {"governance.mode"}:
                Message(problem_text)
            if upload_problem is not None:
                Message(upload_problem_text(upload_problem, lang))
            elif state.upload_note[panel].value:
                Message(t(lang, "upload_done", name=state.upload_note[panel].value, seed=str(state.seed.value)), kind="notice")
            if notice and not open_:
                Message(notice, kind="notice")
        if open_:
            with solara.Columns([1, 1], gutters_dense=True, classes=["bs-levers"]):
                for column in (levers[0::2], levers[1::2]):
                    with solara.Column(gap="14px"):
                        for lever in column:
                            LeverControl(
                                lever,
                                settings.get(lever.path),
                                lang,
                                panel,
                                set_lever(lever.path),
                                problem_text if problem_path == lever.path else None,
                                notice if lever.path == "governance.alliance.start" else None,
                            )


@solara.component
def Panels(state: Workshop):
    """Panels A and B side by side."""
    with solara.Columns([1, 1], gutters_dense=True, classes=["bs-panels"]):
        for panel in PANELS:
            PanelCard(state, panel)
