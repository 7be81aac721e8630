"""The workshop app's page: ``solara run bottrop_sim.app.main:Page`` (or ``bottrop-sim app``).

Layout for a projector at 1366x768: the header (title, scenario, language),
the play controls, panels A and B side by side, then the views in tabs. Text
is at least 15 px, key figures and the current month larger, so the page can be
read from the back of a room; nothing is wider than the window.
"""

# ruff: noqa: N802 - Solara components are named in CapWords (solara run looks for `Page`)

from __future__ import annotations

from contextlib import suppress
from urllib.parse import parse_qs

import solara
from solara.server import kernel_context

from .charts import PANEL_COLOURS
from .components import Controls, Guard, Header, Panels, SessionKeeper
from .state import Workshop
from .texts import t
from .views import Views

CSS = f"""
.bs-app {{ font-size: 17px; width: 100%; max-width: 2400px; margin: 0 auto; padding: 8px 14px 24px 14px; color: #1a1a1a; box-sizing: border-box; }}
.bs-app .v-label, .bs-app .v-select__selection, .bs-app input, .bs-app .v-btn {{ font-size: 16px !important; }}
.bs-app .v-btn {{ text-transform: none; letter-spacing: 0; }}
.bs-title {{ font-size: 26px; font-weight: 700; line-height: 1.15; }}
.bs-subtitle {{ font-size: 16px; color: #444; }}
.bs-description {{ font-size: 15px; color: #333; margin-top: 2px; }}
.bs-header {{ border-bottom: 1px solid #ddd; padding-bottom: 6px; }}
.bs-controls .v-btn {{ min-height: 40px; }}
.bs-play {{ min-width: 118px !important; font-weight: 700; }}
.bs-date {{ font-size: 24px; font-weight: 700; }}
.bs-note {{ font-size: 15px; color: #333; }}
.bs-help {{ font-size: 14.5px; color: #4a4a4a; line-height: 1.3; }}
.bs-lever-label {{ font-size: 16px; font-weight: 600; }}
.bs-message {{ font-size: 15px; font-weight: 600; }}
.bs-message-error {{ color: #b00020; }}
.bs-message-notice {{ color: #8a5300; }}
.bs-panel {{ border-top: 6px solid #999; }}
.bs-panel .v-card__text {{ padding: 6px 12px 8px 12px !important; }}
.bs-panel-A {{ border-top-color: {PANEL_COLOURS["A"]}; }}
.bs-panel-B {{ border-top-color: {PANEL_COLOURS["B"]}; }}
.bs-badge {{ display: inline-block; min-width: 40px; text-align: center; font-size: 24px; font-weight: 800; color: white;
  border-radius: 6px; padding: 2px 10px; }}
.bs-badge-A {{ background: {PANEL_COLOURS["A"]}; }}
.bs-badge-B {{ background: {PANEL_COLOURS["B"]}; }}
.bs-figure-value {{ font-size: 22px; font-weight: 700; line-height: 1.2; }}
.bs-figure-caption {{ font-size: 14.5px; color: #444; }}
.bs-levers {{ margin-top: 4px; }}
.bs-entry-number input {{ text-align: right; }}
.bs-tabs .v-tab, .bs-app .v-tab {{ font-size: 17px; text-transform: none; letter-spacing: 0; font-weight: 600; }}
.bs-scorecard {{ border-collapse: collapse; width: 100%; font-size: 16px; }}
.bs-scorecard th {{ text-align: right; padding: 4px 10px; border-bottom: 2px solid #444; background: #f4f4f4; }}
.bs-scorecard th:first-child, .bs-scorecard td:first-child, .bs-scorecard .bs-unit, .bs-scorecard th:last-child {{ text-align: left; }}
.bs-scorecard td {{ text-align: right; padding: 3px 10px; border-bottom: 1px solid #e3e3e3; white-space: nowrap; }}
.bs-scorecard .bs-unit {{ white-space: normal; color: #444; font-size: 14.5px; }}
.bs-scorecard .bs-group td {{ text-align: left; font-weight: 700; background: #fafafa; padding-top: 8px; }}
.bs-scorecard th:nth-child(2), .bs-scorecard td:nth-child(2) {{ color: {PANEL_COLOURS["A"]}; font-weight: 600; }}
.bs-scorecard th:nth-child(3), .bs-scorecard td:nth-child(3) {{ color: {PANEL_COLOURS["B"]}; font-weight: 600; }}
.bs-better-A {{ color: {PANEL_COLOURS["A"]}; font-weight: 800; }}
.bs-better-B {{ color: {PANEL_COLOURS["B"]}; font-weight: 800; }}
.bs-project {{ font-size: 16px; }}
.bs-chart img {{ max-width: 100%; height: auto; }}
.v-menu__content .v-list-item__title {{ font-size: 16px; }}
.bs-why-table td:nth-child(n), .bs-why-table th:nth-child(n), .bs-settings td:nth-child(n) {{ color: inherit; font-weight: normal; }}
.bs-why-total td:nth-child(n) {{ font-weight: 700; }}
.bs-waiting {{ font-size: 16px; color: #8a5300; font-weight: 600; }}
.bs-waiting-gone {{ display: none; }}
.bs-term {{ font-weight: 600; }}
.bs-explain {{ font-size: 13.5px; color: #555; white-space: normal; max-width: 520px; line-height: 1.25; }}
.bs-scorecard td:first-child {{ white-space: normal; }}
.bs-verdict {{ white-space: normal !important; text-align: left !important; }}
.bs-verdict-clear {{ font-weight: 800; }}
.bs-verdict-unclear, .bs-verdict-descriptive, .bs-verdict-waiting, .bs-verdict-undefined {{ color: #555; }}
.bs-code {{ font-family: monospace; font-size: 13px; word-break: break-all; background: #f4f4f4; padding: 4px 6px; border-radius: 4px; }}
.bs-info h2, .bs-handout h2 {{ font-size: 20px; margin: 14px 0 6px 0; }}
.bs-info ul {{ margin-left: 18px; }}
.bs-info li {{ margin-bottom: 4px; }}
.bs-plan .bs-slot {{ white-space: nowrap; font-weight: 700; }}
.bs-handout {{ max-width: 190mm; }}
.bs-handout h1 {{ font-size: 22px; margin: 6px 0; }}
.bs-handout-chart {{ width: 100%; height: auto; margin: 6px 0; }}
.bs-handout .bs-scorecard {{ font-size: 12px; }}
.bs-handout .bs-scorecard td, .bs-handout .bs-scorecard th {{ padding: 1px 6px; }}
.bs-handout-footer {{ font-size: 11px; color: #333; word-break: break-all; }}
.bs-upload-button {{ font-size: 16px; }}
@page {{ size: A4; margin: 10mm; }}
@media print {{
  .bs-app .bs-header, .bs-app .bs-controls, .bs-app .bs-panels, .bs-app .bs-message-notice, .bs-app .v-tabs-bar, .bs-app .v-slide-group,
  .bs-app .bs-no-print, .bs-app .bs-print, .bs-app .bs-ensemble-progress {{ display: none !important; }}  /* two classes: beat Vuetify's d-flex */
  .bs-app {{ max-width: none; padding: 0; font-size: 12px; }}
  .v-application--wrap {{ min-height: 0 !important; }}
  .bs-handout {{ max-width: none; }}
  .bs-handout .bs-scorecard {{ font-size: 9.5px; }}
  .bs-handout .bs-scorecard tr {{ break-inside: avoid; }}
  .bs-handout-chart {{ max-height: 105mm; object-fit: contain; }}
}}
"""


@solara.component
def App(state: Workshop):
    """The page's content for one session's state (tests render it with a state of their own)."""
    version = state.version.value
    solara.use_effect(lambda: state.drawn(version), [version])  # effects run once the redraw is done
    solara.Title(t(state.lang.value, "title"))
    solara.Style(CSS)
    lang = state.lang.value
    solara.use_thread(state.service, dependencies=[], intrusive_cancel=False)  # queued clicks, arriving ensemble runs
    with solara.Column(classes=["bs-app"], gap="10px"):
        SessionKeeper(code=state.settings_code(), stored="", on_stored=state.guarded(t(lang, "code"), state.restore))
        for part in (Header, Controls, Panels, Views):
            Guard(part, state, lang)


@solara.component
def Page():
    """The workshop app: one :class:`~bottrop_sim.app.state.Workshop` per browser session."""
    router = solara.use_router()

    def open_session() -> Workshop:
        state = Workshop()
        code = parse_qs(router.search or "").get("c", [""])[0]  # a reload, a bookmark, a restarted server: the address holds the settings
        if code:
            state.restore(code)
        with suppress(RuntimeError):  # no server context (a test renders the page on its own)
            kernel_context.get_current_context().on_close(state.close)  # a closed page's ensemble must not keep the workers
        return state

    state = solara.use_memo(open_session, [])
    App(state)
