"""A text field of the workshop app that keeps what is being typed through redraws and hands it over on Enter or on leaving it."""

# ruff: noqa: N802 - Solara components are named in CapWords

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara


def cast_none() -> Any:
    """``None`` typed as anything (initial value of optional component state)."""
    return None


@solara.component_vue("vue/entry.vue")
def EntryField(
    text: str,
    on_text: Callable[[str | None], None],
    label: str,
    error: bool,
    class_: str,
    style_: str,
    event_hand_over: Callable[[str], None],
):
    """The browser's side of :func:`Entry`: a Vuetify text field that sends its text with the Enter or leave message.

    Args:
        text: the text shown; what is typed comes back through ``on_text`` (synced, may arrive late).
        on_text: called with the text as the browser syncs it.
        label: the field's label.
        error: whether the field is marked as refused.
        class_: CSS classes of the field (tests and the page's styles find fields by them).
        style_: CSS style of the field.
        event_hand_over: called with the text the user saw on pressing Enter or leaving the field (Entry decides whether it is new).
    """


@solara.component
def Entry(
    value: str,
    on_value: Callable[[str], Any],
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

    The text handed over is the one the Enter or leave message carries, not the
    synced draft: the browser sends such messages at once but holds state syncs
    while one is unanswered, so the draft can arrive seconds after its Enter on
    a busy server (or show only the first keys typed).

    Args:
        value: the committed text shown when nothing is being typed.
        on_value: called with the text handed over.
        label: the field's label.
        error: whether the field is marked as refused (its message stands beside it).
        classes: CSS classes of the field.
        style: CSS style of the field, property to value.
    """
    draft, set_draft = solara.use_state(cast_none())
    handed = solara.use_ref((value, value))  # (value when text was last handed over, that text)

    def replace_draft():
        set_draft(None)
        handed.current = (value, value)

    solara.use_effect(replace_draft, [value])

    def hand_over(text: str | None) -> None:
        text = text or ""
        if handed.current != (value, text):  # the same text for the same value only once; the value itself not at all
            handed.current = (value, text)
            on_value(text)

    return EntryField(
        text=draft if draft is not None else value,
        on_text=set_draft,
        label=label,
        error=error,
        class_=" ".join(classes or []),
        style_=";".join(f"{key}: {val}" for key, val in (style or {}).items()),
        event_hand_over=hand_over,
    )
