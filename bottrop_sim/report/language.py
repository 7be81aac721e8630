"""Words and number formats of the report, in German and English.

Everything the reader sees that is not data (headings, table headers, axis
titles, explanations) comes from :data:`TEXT`; every number goes through
:func:`format_number`, which writes German numbers with a decimal comma and a
thousands point (1.234,5) and English ones with a decimal point and a thousands
comma (1,234.5). No process-wide ``locale`` setting is touched.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

LANGUAGES = ("de", "en")

GROUP_ORDER = ("economic", "ecological", "social", "resilience")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Scenario comparison",
        "subtitle": "Bottrop after the closure of the Prosper-Haniel coal mine",
        "what_heading": "What is compared",
        "what_scenarios": "This report compares {count} scenarios. The first, {reference}, is the reference: every difference is measured against it.",
        "what_replications": "Each scenario ran {replications} replications.",
        "what_crn": "Replication number i used the same random seed in every scenario (common random numbers), so that differences come from the scenario, not from chance.",
        "what_no_crn": "Caution: the scenarios did not use the same seeds replication by replication, so differences also contain chance variation.",
        "what_seeds": "Seeds",
        "what_intervals": "Intervals are 95 % confidence intervals over the replications. Δ is the difference against the reference, paired over common seeds, with its 95 % interval. It is marked better or worse only where it is clear after correcting for the many comparisons at once (Holm's method, family-wise error rate 5 %); alliance participation and trust and public money spent are set by the governance setting itself and are never marked.",
        "scorecard_heading": "Scorecard",
        "indicator": "Indicator",
        "unit": "Unit",
        "reference": "reference",
        "difference": "Δ vs {reference}",
        "better": "better",
        "worse": "worse",
        "differs": "different",
        "no_clear_difference": "no clear difference",
        "legend_heading": "How to read the marks",
        "glossary_heading": "Definitions of the indicators",
        "series_heading": "Development over time",
        "series_intro": "Mean over the replications, with the 95 % band shaded. Dashed lines: the same scenario without the shocks (counterfactual twin).",
        "counterfactual": "without shocks",
        "year": "Year",
        "resilience_heading": "Resilience",
        "resilience_intro": "Resilience relative to the counterfactual run without the shocks (Martin 2012; Martin et al. 2016): resistance (how deep the fall), recovery (how far back), re-orientation (how the structure changed) and renewal (whether growth resumed). Dots: means; bars: 95 % intervals; small grey dots: single replications; dotted line: zero.",
        "resilience_none": "No resilience indicators were computed for this comparison.",
        "scenario": "Scenario",
        "provenance_heading": "Provenance",
        "provenance_intro": "Parameters, seeds, package versions, git revision and time of the runs behind this report.",
        "provenance_show": "Show the full record",
        "no_data": "No data.",
        "chart_alt": "Chart: {label}",
        "million": "million",
        "billion": "billion",
        "percent_points": "pp",
        "other": "Other indicators",
        "economic": "Economic",
        "ecological": "Ecological",
        "social": "Social",
        "resilience": "Resilience",
    },
    "de": {
        "title": "Szenarienvergleich",
        "subtitle": "Bottrop nach der Schließung des Bergwerks Prosper-Haniel",
        "what_heading": "Was verglichen wird",
        "what_scenarios": "Dieser Bericht vergleicht {count} Szenarien. Das erste, {reference}, ist die Referenz: Alle Unterschiede sind auf dieses Szenario bezogen.",
        "what_replications": "Jedes Szenario wurde {replications}-mal wiederholt (Replikationen).",
        "what_crn": "Replikation Nummer i nutzte in jedem Szenario denselben Zufallsstartwert (gemeinsame Zufallszahlen), damit Unterschiede vom Szenario kommen und nicht vom Zufall.",
        "what_no_crn": "Achtung: Die Szenarien nutzten nicht Replikation für Replikation dieselben Startwerte; Unterschiede enthalten daher auch Zufallsschwankungen.",
        "what_seeds": "Startwerte",
        "what_intervals": "Intervalle sind 95-%-Konfidenzintervalle über die Replikationen. Δ ist der Unterschied zur Referenz, gepaart über gemeinsame Seeds, mit seinem 95-%-Intervall. Er wird nur dann als besser oder schlechter markiert, wenn er auch nach der Korrektur für die vielen gleichzeitigen Vergleiche deutlich ist (Holm-Verfahren, familienweise Fehlerrate 5 %); Beteiligung und Vertrauen in der Allianz und eingesetzte öffentliche Mittel legt die Governance selbst fest, sie werden nie markiert.",
        "scorecard_heading": "Kennzahlenübersicht",
        "indicator": "Kennzahl",
        "unit": "Einheit",
        "reference": "Referenz",
        "difference": "Δ zu {reference}",
        "better": "besser",
        "worse": "schlechter",
        "differs": "verschieden",
        "no_clear_difference": "kein klarer Unterschied",
        "legend_heading": "Lesehilfe zu den Markierungen",
        "glossary_heading": "Definitionen der Kennzahlen",
        "series_heading": "Entwicklung über die Zeit",
        "series_intro": "Mittelwert über die Replikationen, schattiert das 95-%-Band. Gestrichelt: dasselbe Szenario ohne die Schocks (kontrafaktischer Zwilling).",
        "counterfactual": "ohne Schocks",
        "year": "Jahr",
        "resilience_heading": "Resilienz",
        "resilience_intro": "Resilienz im Vergleich zum kontrafaktischen Lauf ohne die Schocks (Martin 2012; Martin et al. 2016): Widerstandsfähigkeit (wie tief der Einbruch), Erholung (wie weit zurück), Neuausrichtung (wie sich die Struktur änderte) und Erneuerung (ob das Wachstum zurückkehrte). Punkte: Mittelwerte; Balken: 95-%-Intervalle; kleine graue Punkte: einzelne Replikationen; gepunktete Linie: null.",
        "resilience_none": "Für diesen Vergleich wurden keine Resilienzkennzahlen berechnet.",
        "scenario": "Szenario",
        "provenance_heading": "Herkunft der Ergebnisse",
        "provenance_intro": "Parameter, Startwerte, Paketversionen, Git-Revision und Zeitpunkt der Läufe, auf denen dieser Bericht beruht.",
        "provenance_show": "Vollständigen Datensatz zeigen",
        "no_data": "Keine Daten.",
        "chart_alt": "Diagramm: {label}",
        "million": "Mio.",
        "billion": "Mrd.",
        "percent_points": "Pp.",
        "other": "Weitere Kennzahlen",
        "economic": "Wirtschaft",
        "ecological": "Ökologie",
        "social": "Soziales",
        "resilience": "Resilienz",
    },
}

SERIES_LABELS: dict[str, dict[str, str]] = {
    "employment_workplace": {"label_en": "Jobs in Bottrop", "label_de": "Arbeitsplätze in Bottrop", "unit_en": "persons", "unit_de": "Personen"},
    "unemployment_rate": {"label_en": "Unemployment rate", "label_de": "Arbeitslosenquote", "unit_en": "share 0..1", "unit_de": "share 0..1"},
    "value_added_eur": {"label_en": "Value added", "label_de": "Wertschöpfung", "unit_en": "EUR per month", "unit_de": "EUR pro Monat"},
    "firms": {"label_en": "Active firms", "label_de": "Aktive Unternehmen", "unit_en": "count", "unit_de": "Anzahl"},
    "co2_t": {"label_en": "CO₂ emissions", "label_de": "CO₂-Emissionen", "unit_en": "t CO₂ per month", "unit_de": "t CO₂ pro Monat"},
    "mine_employment": {"label_en": "Mine staff", "label_de": "Beschäftigte des Bergwerks", "unit_en": "persons", "unit_de": "Personen"},
    "local_sourcing_share": {"label_en": "Local sourcing share", "label_de": "Anteil lokaler Einkäufe", "unit_en": "share 0..1", "unit_de": "share 0..1"},
}
"""Fallback labels of time-series variables that the indicator labels do not name."""

SHARE_WORDS = ("share", "anteil", "fraction")
PLAIN_SHARE = re.compile(r"(share|anteil|fraction)( 0\.\.1)?")

UNIT_WORDS_DE = {  # longer phrases first: they are replaced before their words
    "share of counterfactual employment": "Anteil an der kontrafaktischen Beschäftigung",
    "difference of growth rates": "Differenz der Wachstumsraten",
    "over the horizon": "über den Zeithorizont",
    "per month": "pro Monat",
    "per year": "pro Jahr",
    "per job": "je Arbeitsplatz",
    "persons": "Personen",
    "person": "Person",
    "count": "Anzahl",
    "firms": "Unternehmen",
    "index": "Index",
    "months": "Monate",
    "years": "Jahre",
}
"""German for the English words that indicator units commonly use (units come in one language from the labels)."""


def text(lang: str, key: str, **values: str) -> str:
    """A piece of report text in ``lang``, with ``{placeholders}`` filled in.

    Args:
        lang: "de" or "en".
        key: the key in :data:`TEXT`.
        **values: values of the placeholders (already formatted).
    """
    template = TEXT[lang][key]
    return template.format(**values) if values else template


def unit_text(unit: str, lang: str) -> str:
    """A unit in the report's language: common English unit words become German for ``lang="de"``."""
    if lang != "de":
        return unit
    for english, german in UNIT_WORDS_DE.items():
        unit = re.sub(rf"\b{re.escape(english)}\b", german, unit)
    return unit


def is_share(unit: str) -> bool:
    """Whether a unit is a share (0..1, "share of ..."), which the report shows as a percentage.

    An index on 0..1 (e.g. "index 0..1") is not a share and stays as it is.
    """
    lowered = unit.lower()
    return any(word in lowered for word in SHARE_WORDS) and "%" not in lowered


def format_number(value: float, lang: str, decimals: int = 1, *, sign: bool = False) -> str:
    """A number in the conventions of ``lang``.

    Args:
        value: the number; NaN and None give an en dash.
        lang: "de" (1.234,5) or "en" (1,234.5).
        decimals: digits after the decimal separator.
        sign: write a plus sign before positive numbers (for differences).

    Halves round away from zero (34,234.5 -> 34,235), as readers expect, not to even.

    Returns:
        The formatted number, with an ASCII minus for negative numbers.
    """
    if value is None or not math.isfinite(float(value)):
        return "–"
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0,0"
    written = f"{rounded:{'+' if sign else ''},.{decimals}f}"
    if lang == "de":
        written = written.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return written


def decimals_for(magnitude: float) -> int:
    """Digits after the decimal separator that give numbers of this size about three significant digits (at most 6)."""
    magnitude = abs(magnitude)
    if not math.isfinite(magnitude) or magnitude == 0 or magnitude >= 100:
        return 0
    return min(6, max(0, 2 - math.floor(math.log10(magnitude))))


@dataclass(frozen=True)
class Scale:
    """How a quantity is shown: a factor applied to the values, the unit written beside them.

    Attributes:
        factor: multiply values by this before formatting.
        unit: the unit of the shown values (e.g. "Mio. EUR", "%").
        difference_unit: the unit of shown differences ("Pp." for percentages).
        inline: write the unit beside every number (percentages) rather than only in the unit column.
        note: what the percentage is of, when not a plain share (e.g. "share of counterfactual employment").
    """

    factor: float
    unit: str
    difference_unit: str
    inline: bool = False
    note: str = ""

    @property
    def label(self) -> str:
        """The unit as a table column or an axis shows it, e.g. "%" or "% (share of counterfactual employment)"."""
        return f"{self.unit} ({self.note})" if self.note else self.unit


def scale_for(unit: str, magnitude: float, lang: str) -> Scale:
    """Choose how to show values of one quantity.

    Shares 0..1 become percentages; values of a million or more are shown in
    millions or billions, with the unit saying so.

    Args:
        unit: the quantity's unit as the labels give it.
        magnitude: the largest absolute value to show (e.g. of the scenario means).
        lang: "de" or "en".
    """
    if is_share(unit):
        plain = PLAIN_SHARE.fullmatch(unit.strip().lower()) is not None
        return Scale(100.0, "%", text(lang, "percent_points"), inline=True, note="" if plain else unit_text(unit, lang))
    magnitude = abs(magnitude) if math.isfinite(magnitude) else 0.0
    for threshold, word in ((1e9, "billion"), (1e6, "million")):
        if magnitude >= threshold:
            shown = f"{text(lang, word)} {unit_text(unit, lang)}".strip()
            return Scale(1.0 / threshold, shown, shown)
    return Scale(1.0, unit_text(unit, lang), unit_text(unit, lang))
