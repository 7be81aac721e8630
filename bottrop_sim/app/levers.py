"""The levers a workshop can move: which scenario field each one sets, in which units it is shown, and how entries are checked.

A lever is a value, not code: the dotted path of a scenario field, the kind of
control, the governance settings in which it matters, and the slider range in
the units people read (percent, million EUR). The allowed range of a typed entry
comes from the scenario schema itself (:mod:`bottrop_sim.scenario.governance`),
so the app accepts exactly what ``bottrop-sim run`` accepts; a panel's settings
are validated as a whole by :func:`bottrop_sim.scenario.scenario_from_dict`,
the same function scenario files go through.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bottrop_sim.calendar import YEAR_MONTH_PATTERN, month_number
from bottrop_sim.errors import ScenarioError
from bottrop_sim.scenario.fields import describe, get_value, with_values
from bottrop_sim.scenario.governance import ALLIANCE_MODES, GOVERNANCE_MODES
from bottrop_sim.scenario.loading import scenario_from_dict
from bottrop_sim.scenario.schema import Scenario

from .texts import GOVERNANCE, TARGETING, month_text, number, parse_number, t, word

FIRST_MONTH, LAST_MONTH = "1950-01", "2100-12"
"""The calendar's limits (``bottrop_sim.calendar.YEAR_MONTH_PATTERN``), in words for messages."""

Kind = Literal["int", "float", "choice", "flag", "month"]


@dataclass(frozen=True)
class Lever:
    """One control of a panel.

    Attributes:
        path: dotted path of the scenario field, e.g. ``governance.alliance.founding_members``.
        kind: int or float (slider and typed entry), choice (select), flag (switch), month (YYYY-MM entry).
        label: {"de": ..., "en": ...}.
        unit: unit of the shown value, per language ("" for choices and flags).
        help: one-sentence explanation, per language.
        modes: governance settings in which the lever acts (it is hidden in the others).
        factor: shown value = field value x factor (100 for shares shown in %, 1e-6 for million EUR).
        slider: (low, high, step) of the slider in shown units; typed entries may leave it within the schema's range.
        decimals: decimals of the shown value.
        choices: allowed values of a choice (labels from ``choice_labels``).
        choice_labels: per value, {"de": ..., "en": ...}.
    """

    path: str
    kind: Kind
    label: Mapping[str, str]
    unit: Mapping[str, str]
    help: Mapping[str, str]
    modes: tuple[str, ...] = GOVERNANCE_MODES
    factor: float = 1.0
    slider: tuple[float, float, float] | None = None
    decimals: int = 0
    choices: tuple[str, ...] = ()
    choice_labels: Mapping[str, Mapping[str, str]] | None = None

    @property
    def role(self) -> str:
        """``lever`` or ``uncertainty``, as the scenario schema declares it for the field."""
        return describe(self.path).role

    def shown(self, value: Any) -> float:
        """The field value in the units the control shows."""
        return float(value) * self.factor

    def stored(self, shown: float) -> Any:
        """The field value of a shown value (rounded to an integer for integer fields).

        The division by the display factor is rounded to 12 significant digits, so that
        a typed 3,3 % is stored as 0.033 and 1,55 million EUR as 1550000.0 (not 1549999.9999999998).
        """
        value = float(f"{shown / self.factor:.12g}")
        return round(value) if self.kind == "int" else value

    def shown_decimals(self, value: Any) -> int:
        """Decimals needed to show ``value`` exactly: at least :attr:`decimals`, more if the value has them (at most 6).

        A typed 1,55 (million EUR) on a lever shown with one decimal stays 1,55 in the field.
        """
        shown = self.shown(value)
        for decimals in range(self.decimals, 7):
            if abs(round(shown, decimals) - shown) <= 1e-9 * max(1.0, abs(shown)):
                return decimals
        return 6

    def text(self, value: Any, lang: str) -> str:
        """The value as the entry field shows it, e.g. ``1,5`` (German) for 1,500,000 EUR in million EUR, ``1,55`` for 1,550,000 EUR."""
        if self.kind in ("int", "float"):
            return number(self.shown(value), lang, self.shown_decimals(value))
        return str(value)

    def slider_position(self, value: Any) -> float:
        """Where the slider's knob stands for ``value``: the nearest slider step within the slider's range.

        The slider gets a value that already lies on its step grid, so it never rounds a
        typed value itself and sends the rounded value back (typed 62 founding members
        would become 60 otherwise). The field keeps the exact value.
        """
        low, high, step = self.slider or (0.0, 1.0, 0.1)
        shown = min(max(self.shown(value), low), high)
        steps = round((shown - low) / step)
        digits = max(0, -math.floor(math.log10(step))) + 2 if step < 1 else 0
        return round(min(low + steps * step, high), digits)


def _lever(path: str, kind: Kind, de: tuple[str, str, str], en: tuple[str, str, str], **options: Any) -> Lever:
    return Lever(path, kind, label={"de": de[0], "en": en[0]}, unit={"de": de[1], "en": en[1]}, help={"de": de[2], "en": en[2]}, **options)


LEVERS: tuple[Lever, ...] = (
    _lever(
        "governance.mode",
        "choice",
        ("Koordination", "", "Wer steuert den Wandel: niemand, die Stadt, eine Allianz der Betriebe oder beide."),
        ("Governance", "", "Who steers the transition: nobody, the city, an alliance of firms, or both."),
        choices=tuple(GOVERNANCE),
        choice_labels=GOVERNANCE,
    ),
    _lever(
        "governance.adaptation.green_demand_growth_per_year",
        "float",
        (
            "Wachstum grüne Sanierung",
            "% pro Jahr",
            "Jährliches Wachstum der Nachfrage nach energetischer Sanierung (InnovationCity Ruhr: 3,3 % der Wohnungen im Jahr).",
        ),
        ("Growth of green retrofit", "% per year", "Yearly growth of demand for energy retrofits (InnovationCity Ruhr: 3.3 % of homes a year)."),
        factor=100.0,
        slider=(0.0, 20.0, 0.5),
        decimals=1,
    ),
    _lever(
        "governance.city.budget_eur_year",
        "float",
        (
            "Budget der Wirtschaftsförderung",
            "Mio. EUR pro Jahr",
            "Geld für Zuschüsse, Umschulungsgutscheine und Gründungszuschüsse, Verwaltung eingeschlossen.",
        ),
        ("Budget of the development office", "million EUR per year", "Money for grants, retraining vouchers and start-up grants, administration included."),
        modes=("city_led",),
        factor=1e-6,
        slider=(0.0, 10.0, 0.1),
        decimals=1,
    ),
    _lever(
        "governance.city.targeting",
        "choice",
        ("Zielgruppe der Stadt", "", "Welche Betriebe die Wirtschaftsförderung anspricht."),
        ("Whom the city targets", "", "Which firms the development office works with."),
        modes=("city_led",),
        choices=("mine_suppliers", "largest_employers", "start_ups"),
        choice_labels=TARGETING,
    ),
    _lever(
        "governance.city.information_lag_months",
        "int",
        ("Informationsverzug", "Monate", "Wie alt die Daten sind, mit denen die Stadt ihre Zielbetriebe auswählt."),
        ("Information lag", "months", "How old the data are with which the city picks the firms it targets."),
        modes=("city_led",),
        slider=(0, 24, 1),
    ),
    _lever(
        "governance.alliance.start",
        "month",
        ("Gründung der Allianz", "JJJJ-MM", "Monat, in dem sich die Allianz gründet (real: März 2017)."),
        ("Alliance founded", "YYYY-MM", "Month in which the alliance is founded (real: March 2017)."),
        modes=ALLIANCE_MODES,
    ),
    _lever(
        "governance.alliance.founding_members",
        "int",
        ("Gründungsmitglieder", "Betriebe", "Betriebe, die bei der Gründung dabei sind (real: rund 60)."),
        ("Founding members", "firms", "Firms on board at the founding (real: about 60)."),
        modes=ALLIANCE_MODES,
        slider=(0, 300, 5),
    ),
    _lever(
        "governance.alliance.initial_trust",
        "float",
        ("Vertrauen zu Beginn", "%", "Vertrauen der Betriebe in die Allianz bei der Gründung (0 %: keins, 100 %: volles)."),
        ("Initial trust", "%", "Firms' trust in the alliance at the founding (0 %: none, 100 %: full)."),
        modes=ALLIANCE_MODES,
        factor=100.0,
        slider=(0.0, 100.0, 5.0),
    ),
    _lever(
        "governance.alliance.membership_cost_eur_month",
        "float",
        ("Mitgliedsbeitrag", "EUR pro Monat", "Monatlicher Beitrag je Mitglied; dazu kommt Arbeitszeit für Treffen."),
        ("Membership fee", "EUR per month", "Monthly fee per member, plus staff time for the meetings."),
        modes=ALLIANCE_MODES,
        slider=(0.0, 500.0, 10.0),
    ),
    _lever(
        "governance.alliance.staff_pooling",
        "flag",
        ("Personalpool", "", "Mitglieder übernehmen überzähliges Personal anderer Mitglieder, bevor jemand entlassen wird."),
        ("Staff pooling", "", "Members take on other members' surplus staff before anyone is laid off."),
        modes=ALLIANCE_MODES,
    ),
    _lever(
        "governance.alliance.projects",
        "flag",
        ("Reallabore", "", "Gemeinsame Projekte: Stadtlogistik, hybrider Handel, nachhaltiges Wirtschaften, digitales Handwerk."),
        ("Real-world labs", "", "Joint projects: city logistics, hybrid retail, sustainable business, digital crafts."),
        modes=ALLIANCE_MODES,
    ),
    _lever(
        "governance.alliance.brokerage",
        "flag",
        ("Lieferanten vermitteln", "", "Die Treffen machen Einkaufsbedarf sichtbar und vermitteln lokale Lieferbeziehungen."),
        ("Broker local suppliers", "", "Meetings reveal what members buy and broker local supply links."),
        modes=ALLIANCE_MODES,
    ),
    _lever(
        "governance.hybrid.coordinator_cost_eur_year",
        "float",
        ("Kosten des Koordinators", "Tsd. EUR pro Jahr", "Die Stadt bezahlt eine Koordinationsstelle für die Allianz."),
        ("Coordinator cost", "thousand EUR per year", "The city pays a coordinator for the alliance."),
        modes=("hybrid",),
        factor=1e-3,
        slider=(0.0, 500.0, 10.0),
    ),
    _lever(
        "governance.hybrid.cost_reduction_share",
        "float",
        ("Entlastung der Mitglieder", "%", "Anteil der Geld- und Zeitkosten der Mitglieder, den der Koordinator übernimmt."),
        ("Relief for members", "%", "Share of the members' money and time costs the coordinator takes over."),
        modes=("hybrid",),
        factor=100.0,
        slider=(0.0, 100.0, 5.0),
    ),
)
"""The levers of a panel, in the order the app shows them."""

LEVER_BY_PATH = {lever.path: lever for lever in LEVERS}


def levers_for(mode: str) -> list[Lever]:
    """The levers that act in governance setting ``mode``."""
    return [lever for lever in LEVERS if mode in lever.modes]


def schema_range(path: str) -> tuple[float, float]:
    """(lowest, highest) value the schema allows for a numeric field (inclusive; ±inf without a limit)."""
    field = describe(path)
    return field.low, field.high


def lever_values(scenario: Scenario) -> dict[str, Any]:
    """Current value of every lever in a scenario."""
    data = scenario.model_dump()
    return {lever.path: get_value(data, lever.path) for lever in LEVERS}


def check_entry(lever: Lever, entry: str, lang: str) -> tuple[Any, str | None]:
    """Check a typed entry of a lever.

    Args:
        lever: the lever.
        entry: what was typed (in shown units, e.g. percent).
        lang: language of the entry and of the message.

    Returns:
        (field value, None) if the entry is valid, else (None, a message for the user naming the allowed range).
    """
    if lever.kind == "month":
        return check_month(entry, lang)
    shown = parse_number(entry, lang)
    if shown is None:
        return None, t(lang, "number_expected")
    low, high = schema_range(lever.path)
    value = lever.stored(shown)
    if lever.kind == "int" and abs(shown / lever.factor - round(shown / lever.factor)) > 1e-9:
        return None, t(lang, "integer_expected")
    if not low <= value <= high:
        low_text, high_text = (_bound(bound * lever.factor, lever.decimals, lang) for bound in (low, high))
        return None, t(lang, "out_of_range", low=low_text, high=high_text, unit=lever.unit[lang]).replace(" .", ".")
    return value, None


def check_month(entry: str, lang: str) -> tuple[str | None, str | None]:
    """Check a typed month: the form YYYY-MM, then the calendar's limits (1950-01 to 2100-12, as in scenario files)."""
    text = entry.strip()
    if not re.fullmatch(r"\d{4}-\d{2}", text) or not 1 <= int(text[5:]) <= 12:
        return None, t(lang, "month_expected")
    if not re.fullmatch(YEAR_MONTH_PATTERN, text):
        return None, t(lang, "month_range", low=FIRST_MONTH, high=LAST_MONTH)
    return text, None


def founding_notice(scenario: Scenario, lang: str) -> str | None:
    """A notice when the alliance is founded outside the scenario's horizon (it then never acts in the run)."""
    if scenario.governance.mode not in ALLIANCE_MODES:
        return None
    start = scenario.governance.alliance.start
    if month_number(start) > month_number(scenario.end):
        return t(lang, "founding_after_end", date=month_text(start, lang), end=month_text(scenario.end, lang))
    return None


def _bound(value: float, decimals: int, lang: str) -> str:
    """A range limit as text: whole numbers without decimals."""
    return number(value, lang, 0 if float(value).is_integer() else max(decimals, 1))


def panel_scenario(base: Scenario, values: Mapping[str, Any], source: str | Path) -> Scenario:
    """The base scenario with a panel's lever values, validated like a scenario file.

    Args:
        base: the scenario picked in the app.
        values: lever path -> field value.
        source: the base scenario's file (named in error messages).

    Raises:
        ScenarioError: the combination is not valid (e.g. an alliance founded after the horizon ends is fine,
            but a value outside the schema's range is not).
    """
    return scenario_from_dict(with_values(base.model_dump(), values), source=source)


def error_text(error: ScenarioError, lang: str) -> str:
    """A validation problem in words for the panel: which lever, what was given, what is allowed."""
    lever = LEVER_BY_PATH.get(error.field)
    name = lever.label[lang] if lever else error.field
    return t(lang, "not_applied", reason=f"{name}: {error.allowed}")


def upload_problem_text(problem: Any, lang: str) -> str:
    """Why an uploaded file was refused, in ``lang`` (see :class:`bottrop_sim.app.share.UploadProblem`)."""
    if problem.error is not None:
        lever = LEVER_BY_PATH.get(problem.error.field)
        name = lever.label[lang] if lever else problem.error.field
        return t(lang, problem.key, name=problem.values.get("name", ""), field=name, allowed=problem.error.allowed)
    return t(lang, problem.key, **problem.values)


def choice_items(lever: Lever, lang: str) -> list[dict[str, str]]:
    """Items of a select: shown text and stored value."""
    return [{"text": word(lever.choice_labels or {}, value, lang), "value": value} for value in lever.choices]
