"""A text field of the workshop app that keeps what is being typed through redraws and hands it over on Enter or on leaving it."""

# ruff: noqa: N802 - Solara components are named in CapWords

from __future__ import annotations

import time
from typing import Any

import solara
from solara import v


def cast_none() -> Any:
    """``None`` typed as anything (initial value of optional component state)."""
    return None


@solara.component
def Entry(
    value: str,
    on_value: Any,
    label: str = "",
    error: bool = False,
    classes: list[str] | None = None,
    style: dict[str, str] | None = None,
):
    """A text field that hands its text to ``on_value`` on Enter or when it loses focus.

    What is typed is kept as this component's draft until then. Solara's own
    ``InputText`` keeps it only in the browser: any redraw of the page around it
    (an ensemble member arriving, a clock tick) sends the last committed value
    back and wipes what is being typed. A new ``value`` from outside (a reset, a
    restored code, a language switch) replaces the draft. Enter and then
    leaving the field hand the text over once; leaving an untouched field hands
    nothing over.
    """
    draft, set_draft = solara.use_state(cast_none())
    handed = solara.use_ref((value, value))  # (value when text was last handed over, that text)

    def replace_draft():
        set_draft(None)
        handed.current = (value, value)

    solara.use_effect(replace_draft, [value])
    pending = solara.use_ref(0.0)  # when an Enter came before the text it was for (0: none)

    def drafted(text: str | None) -> None:
        set_draft(text)
        if pending.current and time.monotonic() - pending.current < PENDING_SECONDS:  # the Enter was for this text
            pending.current = 0.0
            shown, handler = commit.current
            if text is not None and handed.current != (shown, text):
                handed.current = (shown, text)
                handler(text)

    field = v.TextField(
        v_model=draft if draft is not None else value,
        on_v_model=drafted,
        label=label,
        error=error,
        hide_details="auto",
        class_=" ".join(classes or []),
        style_=";".join(f"{key}: {val}" for key, val in (style or {}).items()),
    )
    commit = solara.use_ref((value, on_value))
    commit.current = (value, on_value)

    def listen():
        widget = solara.get_widget(field)

        def committed(_widget, _event, _data):
            shown, handler = commit.current
            text = widget.v_model if widget.v_model is not None else ""
            if handed.current != (shown, text):  # Enter and then leaving the field hand it over once; an untouched field not at all
                handed.current = (shown, text)
                handler(text)
            else:  # the browser may send the key before the text typed just before it: hand that text over when it arrives
                pending.current = time.monotonic()

        for event in ENTRY_EVENTS:
            widget.on_event(event, committed)

        def stop():
            for event in ENTRY_EVENTS:
                widget.on_event(event, committed, remove=True)

        return stop

    solara.use_effect(listen, [])
    return field


ENTRY_EVENTS = ("focusout", "keyup.enter")
"""Browser events on which an :func:`Entry` hands over its text."""
PENDING_SECONDS = 2.0
"""How long after an Enter a text that arrives late is still the one the Enter was for."""
