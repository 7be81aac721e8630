"""The workshop app without a browser: the page's components rendered with ``solara.render``.

What must hold (issue #6): step, reset, and a changed lever changing the next run;
both panels move in lockstep from the same seed; invalid entries give a message
next to the control. The pieces under the page: tests/test_app_pieces.py.
"""

from __future__ import annotations

import time

import pandas as pd
import pytest

solara = pytest.importorskip("solara")
ipyvuetify = pytest.importorskip("ipyvuetify")

from ipywidgets import Widget  # noqa: E402

from bottrop_sim.app.components import Guard  # noqa: E402
from bottrop_sim.app.levers import LEVERS  # noqa: E402
from bottrop_sim.app.main import App  # noqa: E402
from bottrop_sim.app.state import PANELS, Workshop  # noqa: E402
from bottrop_sim.app.texts import TEXT, month_text  # noqa: E402
from bottrop_sim.app.views import TABS  # noqa: E402

from .conftest import SCENARIOS as SCENARIO_FOLDER  # noqa: E402

pytestmark = pytest.mark.timeout(300)

# --------------------------------------------------------------------------- helpers


def descendants(root: Widget):
    """``root`` and every widget inside it (children and other widget-valued traits)."""
    stack, seen = [root], set()
    while stack:
        widget = stack.pop()
        if id(widget) in seen:
            continue
        seen.add(id(widget))
        yield widget
        for name in widget.keys:
            value = getattr(widget, name, None)
            items = value if isinstance(value, list | tuple) else [value]
            stack.extend(item for item in items if isinstance(item, Widget))


def with_class(root: Widget, css: str, kind=Widget) -> list:
    """Widgets of type ``kind`` under ``root`` whose CSS classes include ``css``."""
    return [w for w in descendants(root) if isinstance(w, kind) and css in (getattr(w, "class_", None) or "").split()]


def one(root: Widget, css: str, kind=Widget):
    found = with_class(root, css, kind)
    assert len(found) == 1, f"expected one {kind.__name__} with class {css}, got {len(found)}"
    return found[0]


def texts(root: Widget) -> list[str]:
    """All text shown under ``root`` (the string children of its widgets)."""
    return [child for w in descendants(root) for child in (getattr(w, "children", None) or []) if isinstance(child, str)]


ENTRY = ipyvuetify.VuetifyTemplate
"""The widget of an ``Entry``'s field (the Vue template ``bottrop_sim/app/vue/entry.vue``)."""


def sync(field, text: str) -> None:
    """The browser's state update of an Entry's field: the text typed so far."""
    field.set_state({"text": text})


def hand_over(field, text: str) -> None:
    """The browser's Enter or leave message of an Entry's field, carrying the text shown when the key was pressed."""
    field._handle_custom_msg({"event": "hand_over", "data": text}, [])


def type_into(field, text: str) -> None:
    """Type into an Entry's field and press Enter (the text's update, then the Enter message with it)."""
    sync(field, text)
    hand_over(field, text)


def rendered_page():
    """The page rendered without a browser, with its session state (single runs: the ensemble has tests of its own); closed after use."""
    state = Workshop(SCENARIO_FOLDER, ensemble_size=0)
    box, rc = solara.render(App(state), handle_error=False)
    STATES[id(box)] = state
    yield box, state
    STATES.pop(id(box), None)
    state.playing.set(False)
    rc.close()


@pytest.fixture
def app():
    """The page rendered without a browser, with its session state."""
    yield from rendered_page()


def date_text(root) -> str:
    return one(root, "bs-date", ipyvuetify.Html).children[0]


STATES: dict[int, Workshop] = {}


def settle(state: Workshop, timeout: float = 120.0) -> None:
    """Wait until the session's service thread has done the queued clicks and the page has drawn them."""
    deadline = time.time() + timeout
    time.sleep(0.05)
    while state.busy or state._drawn_version < state.version.value:
        assert time.time() < deadline, "queued clicks not done in time"
        time.sleep(0.02)


def click(root, css: str) -> None:
    one(root, css, ipyvuetify.Btn).click()
    if css in ("bs-step", "bs-reset") and id(root) in STATES:  # these two are queued and done by the service thread
        settle(STATES[id(root)])


# --------------------------------------------------------------------------- the page


def test_opens_on_the_default_closure_scenario_ready_to_play(app):
    rc, state = app
    assert state.scenario_name.value == "closure_2018"
    assert one(rc, "bs-select-scenario", ipyvuetify.Select).v_model == "closure_2018"
    assert one(rc, "bs-select-governance-mode-A", ipyvuetify.Select).v_model == "none"
    assert one(rc, "bs-select-governance-mode-B", ipyvuetify.Select).v_model == "alliance"
    assert date_text(rc) == "Start: Jan. 2015"
    assert not one(rc, "bs-play", ipyvuetify.Btn).disabled
    assert state.runs["A"].value.seed == state.runs["B"].value.seed == 20181221


def test_step_advances_both_panels_in_lockstep(app):
    rc, state = app
    before = {p: state.runs[p].value.snapshot.now["employment"] for p in PANELS}
    click(rc, "bs-step")
    assert date_text(rc) == "Juni 2015"
    assert [state.runs[p].value.months_done for p in PANELS] == [6, 6]
    click(rc, "bs-step")
    assert date_text(rc) == "Dez. 2015"
    snapshots = state.snapshots()
    assert [len(s.timeseries) for s in snapshots.values()] == [12, 12]
    assert all(s.timeseries["date"].iloc[-1] == "2015-12" for s in snapshots.values())
    after = {p: snapshots[p].now["employment"] for p in PANELS}
    assert after != before  # the mine sheds staff from 2015 on
    figures = texts(one(rc, "bs-panel-A", ipyvuetify.Card))
    assert f"{after['A']:,.0f}".replace(",", ".") in figures  # German thousands point


def test_reset_goes_back_to_the_start_and_replays_identically(app):
    rc, state = app
    click(rc, "bs-step")
    first = {p: state.runs[p].value.snapshot.timeseries.copy() for p in PANELS}
    click(rc, "bs-step")
    click(rc, "bs-reset")
    assert date_text(rc) == "Start: Jan. 2015"
    assert [state.runs[p].value.months_done for p in PANELS] == [0, 0]
    click(rc, "bs-step")
    for panel in PANELS:
        pd.testing.assert_frame_equal(state.runs[panel].value.snapshot.timeseries, first[panel])


def test_a_changed_lever_changes_the_next_run(app):
    rc, state = app
    state.interval.set(12)
    for _ in range(4):  # to 2018-12: the alliance (founded 2017-03) is running
        click(rc, "bs-step")
    before = {p: state.runs[p].value.snapshot.timeseries.copy() for p in PANELS}
    assert before["B"]["alliance_members"].iloc[-1] > 0

    click(rc, "bs-levers-toggle-B")
    lever = one(rc, "bs-lever-governance-alliance-founding-members")
    assert "bs-lever-B" in lever.class_.split()
    type_into(one(lever, "bs-entry-number", ENTRY), "150")
    assert state.settings["B"].value["governance.alliance.founding_members"] == 150
    assert state.dirty.value
    assert TEXT["de"]["pending"] in texts(rc)  # mid-run: the change waits for a reset
    assert state.runs["B"].value.months_done == 48  # the running run is untouched

    click(rc, "bs-reset")
    for _ in range(4):
        click(rc, "bs-step")
    after = {p: state.runs[p].value.snapshot.timeseries for p in PANELS}
    pd.testing.assert_frame_equal(after["A"], before["A"])  # A's settings did not change
    assert after["B"]["alliance_members"].iloc[-1] != before["B"]["alliance_members"].iloc[-1]
    assert state.runs["B"].value.scenario.governance.alliance.founding_members == 150


def test_a_changed_governance_before_the_start_applies_when_stepping(app):
    rc, state = app
    one(rc, "bs-select-governance-mode-A", ipyvuetify.Select).v_model = "city_led"
    assert state.dirty.value and TEXT["de"]["pending_start"] in texts(rc)
    click(rc, "bs-step")
    assert state.runs["A"].value.scenario.governance.mode == "city_led"
    assert state.runs["B"].value.scenario.governance.mode == "alliance"
    assert not state.dirty.value


@pytest.mark.parametrize(
    ("entry", "message"),
    [("viele", "Bitte eine Zahl eingeben."), ("99999", "Erlaubt: 0 bis 5.000 Betriebe."), ("12,5", "Bitte eine ganze Zahl eingeben.")],
)
def test_invalid_entries_show_a_message_next_to_the_control(app, entry, message):
    rc, state = app
    click(rc, "bs-levers-toggle-B")
    lever = one(rc, "bs-lever-governance-alliance-founding-members")
    field = one(lever, "bs-entry-number", ENTRY)
    type_into(field, entry)
    lever = one(rc, "bs-lever-governance-alliance-founding-members")
    assert message in texts(lever)
    assert one(lever, "bs-entry-number", ENTRY).error
    assert state.settings["B"].value["governance.alliance.founding_members"] == 60  # unchanged
    assert not state.dirty.value


def test_invalid_month_and_seed_entries_are_refused_with_a_message(app):
    rc, state = app
    click(rc, "bs-levers-toggle-B")
    lever = one(rc, "bs-lever-governance-alliance-start")
    type_into(one(lever, "bs-entry", ENTRY), "März 2017")
    assert TEXT["de"]["month_expected"] in texts(one(rc, "bs-lever-governance-alliance-start"))
    type_into(one(rc, "bs-seed", ENTRY), "-3")
    assert any(text.startswith("Erlaubt: 0 bis") for text in texts(rc))
    assert state.seed.value == 20181221


def rendered_entry(shown, redraws=None):
    """An ``Entry`` alone (redrawn whenever ``redraws`` ticks), what it handed over, and its render context."""
    from bottrop_sim.app.entry import Entry

    handed: list[str] = []

    @solara.component
    def Around():  # noqa: N802 - a Solara component
        if redraws is not None:
            redraws.value  # noqa: B018 - redraw on every tick
        Entry(value=shown.value, on_value=handed.append, classes=["bs-test-entry"])

    box, rc = solara.render(Around(), handle_error=False)
    return box, handed, rc


def test_typing_survives_redraws_of_the_page_around_the_entry():
    """A redraw while someone types (an ensemble member arriving) keeps what is typed; Enter hands it over once."""
    redraws = solara.reactive(0)
    shown = solara.reactive("2099-12")
    box, handed, rc = rendered_entry(shown, redraws)
    try:
        field = one(box, "bs-test-entry", ENTRY)
        assert field.text == "2099-12"
        sync(field, "2017-03")  # typed in the browser, not yet Enter
        for _ in range(3):
            redraws.value += 1
        assert one(box, "bs-test-entry", ENTRY) is field
        assert field.text == "2017-03"  # Solara's InputText sends "2099-12" back here
        assert handed == []
        hand_over(field, "2017-03")  # Enter
        hand_over(field, "2017-03")  # leaving the field
        assert handed == ["2017-03"]  # once, not again on leaving the field
        shown.value = "2020-01"  # a new value from outside (reset, restored code) replaces the draft
        assert field.text == "2020-01"
        hand_over(field, "2020-01")
        assert handed == ["2017-03"]  # leaving an unchanged field hands nothing over
        sync(field, "2017-03")
        hand_over(field, "2017-03")  # the old text again, for the new value: handed over
        assert handed == ["2017-03", "2017-03"]
    finally:
        rc.close()


def test_an_enter_that_arrives_before_its_text_hands_over_the_text_it_carries():
    """The browser sends Enter at once but holds the text's update while an earlier one is unanswered (seconds on a busy server)."""
    shown = solara.reactive("20181221")
    box, handed, rc = rendered_entry(shown)
    try:
        field = one(box, "bs-test-entry", ENTRY)
        sync(field, "4")  # the first key's update went out; the rest wait
        hand_over(field, "4242")  # the Enter, with the text shown when it was pressed
        assert handed == ["4242"]  # at once: no clock, however late the text's update comes
        assert field.text == "4"
        sync(field, "4242")  # the held update, much later
        assert handed == ["4242"]  # not handed over again
        assert field.text == "4242"
        hand_over(field, "4242")  # leaving the field
        assert handed == ["4242"]
        sync(field, "42425")  # typing on without Enter hands nothing over
        assert handed == ["4242"]
        assert field.text == "42425"
    finally:
        rc.close()


def test_an_enter_before_any_update_of_its_text_hands_the_text_over():
    """The seed typed and entered at once: the Enter is the first message the server gets."""
    shown = solara.reactive("20181221")
    box, handed, rc = rendered_entry(shown)
    try:
        field = one(box, "bs-test-entry", ENTRY)
        hand_over(field, "4242")
        assert handed == ["4242"] and field.text == "20181221"
        shown.value = "4242"  # the model took it and the field shows it
        sync(field, "4242")  # the late update
        hand_over(field, "4242")
        assert handed == ["4242"]
    finally:
        rc.close()


def test_language_switch_changes_labels_and_number_formats(app):
    rc, state = app
    click(rc, "bs-step")
    one(rc, "bs-language", ipyvuetify.BtnToggle).v_model = 1  # the second button: EN (the browser test clicks it)
    assert state.lang.value == "en"
    shown = texts(rc)
    assert "Play" in shown and "Reset" in shown and "Supply network" in shown
    assert date_text(rc) == "Jun 2015"
    employment = state.runs["A"].value.snapshot.now["employment"]
    assert f"{employment:,.0f}" in texts(one(rc, "bs-panel-A", ipyvuetify.Card))  # English thousands comma
    assert one(rc, "bs-select-governance-mode-B", ipyvuetify.Select).items[2]["text"] == "business alliance of firms"


def test_every_tab_renders_without_a_problem_message(app):
    rc, state = app
    state.interval.set(12)
    for _ in range(5):
        click(rc, "bs-step")
    tabs = one(rc, "bs-tab-series", ipyvuetify.Tab)
    bar = next(w for w in descendants(rc) if isinstance(w, ipyvuetify.Tabs) and tabs in w.children)
    for index, key in enumerate(TABS):
        name = key.removeprefix("tab_")
        bar.v_model = index  # what clicking the tab does in the browser
        assert state.tab.value == index
        content = texts(rc)
        assert TEXT["de"]["view_failed"] not in content, name
        if name in ("series", "network", "alliance"):
            assert with_class(rc, f"bs-chart-{name}"), name
        if name == "export":
            assert "Szenario A (TOML)" in content and "Zeitreihen (CSV)" in content
        if name == "info":
            info = [w.unsafe_innerHTML for w in descendants(rc) if "90 Minuten" in str(getattr(w, "unsafe_innerHTML", ""))]
            assert info and "nicht sagen" in info[0] and all(lever.label["de"] in info[0] for lever in LEVERS)
        if name == "handout":
            handout = [w.unsafe_innerHTML for w in descendants(rc) if "<h1>Handout" in str(getattr(w, "unsafe_innerHTML", ""))]
            assert handout and "data:image/png;base64," in handout[0] and "20181221" in handout[0] and "bs-settings" in handout[0]
    state.tab.set(TABS.index("tab_scorecard"))
    table = [w for w in descendants(rc) if "bs-scorecard" in str(getattr(w, "unsafe_innerHTML", ""))]
    assert table and "Widerstandsfähigkeit" in table[0].unsafe_innerHTML


def test_play_runs_to_the_end_in_a_worker_thread(app):
    rc, state = app
    state.interval.set(12)
    click(rc, "bs-play")
    deadline = time.time() + 120
    while not state.finished and time.time() < deadline:
        time.sleep(0.2)
    assert state.finished
    deadline = time.time() + 10
    while state.playing.value and time.time() < deadline:
        time.sleep(0.05)
    assert not state.playing.value
    assert [state.runs[p].value.months_done for p in PANELS] == [252, 252]
    deadline = time.time() + 10  # the page is redrawn after the loop let go of the runs
    while not one(rc, "bs-play", ipyvuetify.Btn).disabled and time.time() < deadline:
        time.sleep(0.05)
    assert date_text(rc) == "Dez. 2035"
    assert one(rc, "bs-play", ipyvuetify.Btn).disabled


def test_after_a_pause_the_page_shows_the_month_the_runs_are_at(app):
    """The play loop computes the next update while the page draws the last one; a pause shows what it computed."""
    rc, state = app
    state.interval.set(3)
    click(rc, "bs-play")
    deadline = time.time() + 120
    while state.months_done < 9 and time.time() < deadline:
        time.sleep(0.05)
    click(rc, "bs-play")  # pause
    deadline = time.time() + 30
    while (state.playing.value or state.snapshots()["A"].months_done != state.runs["A"].value.months_done) and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # the loop has let go: nothing moves any more
    done = state.runs["A"].value.months_done
    assert 9 <= done < 252 and done % 3 == 0
    assert [state.snapshots()[p].months_done for p in PANELS] == [done, done]
    assert [state.runs[p].value.months_done for p in PANELS] == [done, done]
    deadline = time.time() + 10
    while date_text(rc) != month_text(state.snapshots()["A"].date, "de") and time.time() < deadline:
        time.sleep(0.05)
    assert date_text(rc) == month_text(state.snapshots()["A"].date, "de")


def test_a_failing_action_becomes_a_message_not_a_traceback(app):
    rc, state = app

    def broken():
        raise RuntimeError("boom")

    state.guarded("Test", broken)()
    assert state.problem.value == TEXT["de"]["problem"].format(what="Test")
    assert state.problem.value in texts(rc)


def test_a_failing_view_shows_a_message_instead_of_a_traceback():
    @solara.component
    def Broken(state):  # noqa: N802 - a Solara component
        raise RuntimeError("boom")

    box, rc = solara.render(Guard(Broken, None, "en"), handle_error=False)
    try:
        assert TEXT["en"]["view_failed"] in texts(box)
        assert not any("boom" in text or "Traceback" in text for text in texts(box))
    finally:
        rc.close()


def test_an_invalid_combination_is_reported_in_the_panel_and_not_applied(app):
    rc, state = app
    before = state.applied["A"].value
    state.set_lever("A", "governance.mode", "city_led")
    state.set_lever("A", "governance.city.targeting", "sectors")  # needs target sectors, which the app does not offer
    problem = state.panel_problem["A"].value
    assert problem is not None and problem.field == "governance.city.target_sectors"
    assert state.applied["A"].value.governance.city.targeting == before.governance.city.targeting
    assert any(text.startswith("Nicht übernommen:") for text in texts(one(rc, "bs-panel-A", ipyvuetify.Card)))
