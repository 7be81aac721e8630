"""Issue 14: a redraw of the page must not replace the fields a facilitator types into.

The browser shows one widget per field and sends what is typed there (the text,
then the Enter key) to that widget. If a redraw replaces the widget on the
server, the browser's messages go to a closed widget and are dropped: the typed
value never reaches the settings. This happened to the seed field whenever the
"changes apply ..." notice under the play controls appeared or went (a lever
change, a reset), because the controls' row was the component's root only while
nothing else was shown. These tests type into the widget the browser was
showing *before* the redraw, as a person does who started typing just then.
"""

from __future__ import annotations

import time

import pytest

solara = pytest.importorskip("solara")
ipyvuetify = pytest.importorskip("ipyvuetify")

from bottrop_sim.app.share import decode  # noqa: E402
from bottrop_sim.app.texts import TEXT  # noqa: E402

from .test_app_components import ENTRY, click, descendants, one, rendered_page, settle, texts, type_into, with_class  # noqa: E402

pytestmark = pytest.mark.timeout(300)

INPUTS = (ENTRY, ipyvuetify.Select, ipyvuetify.Slider, ipyvuetify.Switch)


@pytest.fixture
def page():
    """The page rendered without a browser, with its session state (single runs, no ensemble)."""
    yield from rendered_page()


def fields(root) -> dict[int, object]:
    """The page's input widgets (text fields, selects, sliders, switches) by identity."""
    return {id(widget): widget for widget in descendants(root) if isinstance(widget, INPUTS)}


def assert_same_fields(root, before: dict[int, object], what: str) -> None:
    after = fields(root)
    replaced = [getattr(widget, "class_", "") or type(widget).__name__ for key, widget in before.items() if key not in after]
    assert replaced == [], f"{what} replaced the fields {replaced}: what is typed into them in the browser is lost"
    assert all(widget.comm is not None for widget in before.values()), f"{what} closed a field still shown"


def test_a_seed_typed_into_the_field_shown_before_the_pending_notice_appears_reaches_the_settings_code(page):
    rc, state = page
    shown = one(rc, "bs-seed", ENTRY)  # the field the facilitator starts typing into
    one(rc, "bs-select-governance-mode-B", ipyvuetify.Select).v_model = "city_led"  # the browser test's pick
    assert TEXT["de"]["pending_start"] in texts(rc)  # the notice under the controls appeared
    assert shown.comm is not None, "the seed field was replaced by a new widget: the browser's text and Enter are dropped"
    type_into(shown, "4242")
    assert state.seed.value == 4242
    code = decode(state.settings_code())
    assert code.seed == 4242 and dict(code.levers["B"])["governance.mode"] == "city_led"


def test_no_field_is_replaced_when_notices_and_messages_come_and_go(page):
    rc, state = page
    one(rc, "bs-select-governance-mode-A", ipyvuetify.Select).v_model = "city_led"  # changes A's levers: before `before`
    click(rc, "bs-levers-toggle-A")
    click(rc, "bs-levers-toggle-B")
    click(rc, "bs-step")
    before = fields(rc)
    seed = one(rc, "bs-seed", ENTRY)
    (lever,) = [w for w in with_class(rc, "bs-lever-governance-city-budget-eur-year") if "bs-lever-A" in w.class_.split()]
    budget = one(lever, "bs-entry-number", ENTRY)
    targeting = one(rc, "bs-select-governance-city-targeting-A", ipyvuetify.Select)
    targeting.v_model = "sectors"  # refused as a combination: the message stands in the panel, above its levers
    assert any(text.startswith("Nicht übernommen:") for text in texts(one(rc, "bs-panel-A", ipyvuetify.Card)))
    assert_same_fields(rc, before, "a panel's problem message")
    targeting.v_model = "mine_suppliers"
    assert not any(text.startswith("Nicht übernommen:") for text in texts(one(rc, "bs-panel-A", ipyvuetify.Card)))
    assert_same_fields(rc, before, "a panel's problem message going")
    type_into(budget, "2,5")
    assert TEXT["de"]["pending"] in texts(rc)  # mid-run: the change waits for a reset
    assert_same_fields(rc, before, "the pending notice")
    state.problem.set("a problem")  # a failed action's message and its dismiss button under the controls
    assert_same_fields(rc, before, "a problem message")
    state.problem.set(None)
    assert_same_fields(rc, before, "dismissing a problem")
    click(rc, "bs-reset")  # the notice goes
    assert TEXT["de"]["pending"] not in texts(rc) and not state.dirty.value
    assert_same_fields(rc, before, "a reset")
    type_into(seed, "4242")
    assert_same_fields(rc, before, "a new seed (the notice appears again)")
    type_into(seed, "4243")
    assert decode(state.settings_code()).seed == 4243
    assert state.settings["A"].value["governance.city.budget_eur_year"] == 2_500_000.0


def test_a_seed_and_a_lever_set_while_a_reset_builds_the_runs_wait_for_the_next_start(page, monkeypatch):
    """Clicks are served while a reset builds the models (seconds on a busy machine): what is set meanwhile is not forgotten."""
    from bottrop_sim.app import state as state_module

    rc, state = page
    click(rc, "bs-step")
    meanwhile = [lambda: state.set_lever("B", "governance.mode", "city_led"), lambda: state.set_seed("4242")]

    class TypedDuringTheReset(state_module.PanelRun):
        def __init__(self, scenario, seed):
            super().__init__(scenario, seed)
            if meanwhile:  # the facilitator presses Enter while this run is being built
                meanwhile.pop()()

    monkeypatch.setattr(state_module, "PanelRun", TypedDuringTheReset)
    click(rc, "bs-reset")
    assert meanwhile == []
    assert [state.runs[panel].value.seed for panel in ("A", "B")] == [20181221, 20181221]  # built before the entries
    assert state.runs["B"].value.scenario.governance.mode == "alliance"
    assert state.dirty.value and TEXT["de"]["pending_start"] in texts(rc)  # the notice says they are still to come
    code = decode(state.settings_code())
    assert code.seed == 4242 and dict(code.levers["B"])["governance.mode"] == "city_led"
    click(rc, "bs-step")  # the start takes them
    assert [state.runs[panel].value.seed for panel in ("A", "B")] == [4242, 4242]
    assert state.runs["B"].value.scenario.governance.mode == "city_led"
    assert not state.dirty.value


def test_quick_reset_clicks_build_the_runs_once(page, monkeypatch):
    """Clicks that arrive while the first reset builds the runs do not start a second reset (which redraws everything again)."""
    from bottrop_sim.app import state as state_module

    rc, state = page
    click(rc, "bs-step")
    built: list[int] = []

    class SlowToBuild(state_module.PanelRun):
        def __init__(self, scenario, seed):
            super().__init__(scenario, seed)
            built.append(seed)
            time.sleep(0.3)  # a busy machine: the later clicks arrive while the runs are built

    monkeypatch.setattr(state_module, "PanelRun", SlowToBuild)
    button = one(rc, "bs-reset", ipyvuetify.Btn)
    button.click()
    while not built:  # the service thread has started the reset
        time.sleep(0.01)
    for _ in range(9):
        button.click()
    settle(state)
    assert len(built) == 2  # panels A and B, once
    assert state.months_done == 0 and not state.dirty.value
