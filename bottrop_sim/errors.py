"""Errors that reach users: bad input is reported, never raised as a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class ScenarioError(ValueError):
    """Invalid user input (scenario file, sector table, command-line override).

    Attributes:
        file: the file that holds the bad value (or "<command line>").
        field: dotted path of the offending field, e.g. ``mine.staff``.
        value: the value that was given.
        allowed: what would have been accepted, in words.
    """

    def __init__(self, file: str | Path, field: str, value: Any, allowed: str) -> None:
        self.file = str(file)
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The one-line message shown to users."""
        shown = repr(self.value)
        if len(shown) > 200:
            shown = shown[:197] + "..."
        return f"{self.file}: field '{self.field}': got {shown}; allowed: {self.allowed}"

    def __str__(self) -> str:
        return self.message


class FieldError(ValueError):
    """Raised by schema validators to point at the exact sub-field and value at fault.

    Scenario loading turns it into a :class:`ScenarioError`: ``field`` is appended to
    the path of the model or field being validated, and ``value`` replaces the
    (often large) input that pydantic would report.

    Attributes:
        field: path relative to the validated model or field, e.g. ``enabled`` or
            ``[1].month``; empty for the validated item itself.
        value: the offending value.
        allowed: what would have been accepted, in words.
    """

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field + ': ' if field else ''}got {value!r}; allowed: {allowed}")


class ScenarioErrors(ScenarioError):  # noqa: N818 - a group of ScenarioError
    """Several problems in one file, reported together (the first one is the headline)."""

    def __init__(self, errors: list[ScenarioError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(first.file, first.field, first.value, first.allowed)

    @property
    def message(self) -> str:
        """One line per problem."""
        return "\n".join(error.message for error in self.errors)
