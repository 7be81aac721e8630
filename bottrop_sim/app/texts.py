"""Every word the workshop app shows, in German and English, and its number and month formats.

German comes first: the workshops are German-speaking. Labels of indicators come
from the monitoring registry (:data:`bottrop_sim.monitoring.REGISTRY`), units
and numbers go through the report's formatting rules
(:mod:`bottrop_sim.report.language`), so the app, the report and the scorecard
use the same words and number formats (1.234,5 in German, 1,234.5 in English).
"""

from __future__ import annotations

import re

from bottrop_sim.report.language import format_number

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"

TEXT: dict[str, dict[str, str]] = {
    "de": {
        "title": "Bottrop nach der Zeche",
        "subtitle": "Planspiel: zwei Arten der Koordination im Vergleich",
        "scenario": "Szenario",
        "language": "Sprache",
        "panel": "Variante {panel}",
        "governance": "Koordination",
        "levers": "Hebel",
        "levers_hide": "Hebel ausblenden",
        "play": "Start",
        "pause": "Pause",
        "step": "+{months}",
        "step_tip": "{months} weiter",
        "reset": "Zurücksetzen",
        "reset_apply": "Zurücksetzen und Änderungen übernehmen",
        "speed": "Tempo",
        "speed_option": "{months} je Bild",
        "seed": "Zufallsstartwert",
        "seed_help": "gleich in A und B: Unterschiede kommen aus den Einstellungen",
        "month": "Monat",
        "start": "Start",
        "press_play": "Noch keine Daten: „Start“ drücken oder schrittweise vorgehen.",
        "finished": "Ende des Zeitraums erreicht",
        "pending": "Geänderte Einstellungen gelten nach „Zurücksetzen“.",
        "pending_start": "Geänderte Einstellungen gelten ab dem Start.",
        "tab_series": "Zeitreihen",
        "tab_network": "Liefernetz",
        "tab_scorecard": "Kennzahlen",
        "tab_alliance": "Allianz",
        "tab_export": "Export",
        "employment": "Arbeitsplätze in Bottrop",
        "unemployment": "Arbeitslosenquote",
        "value_added": "Wertschöpfung",
        "firms": "Betriebe",
        "co2": "CO₂-Emissionen",
        "jobs_now": "Arbeitsplätze",
        "unemployment_now": "Arbeitslosenquote",
        "firms_now": "Betriebe",
        "members_now": "Allianzmitglieder",
        "year": "Jahr",
        "legend_panel": "{panel}: {governance}",
        "counterfactual_closure": "gestrichelt: derselbe Verlauf ohne Zechenschließung",
        "counterfactual_shocks": "gestrichelt: derselbe Verlauf ohne die Schocks",
        "no_counterfactual": "Dieses Szenario enthält keinen Schock: Es ist selbst der Vergleichsverlauf.",
        "network_note": "Jeder Punkt ist ein Betrieb (Fläche: Beschäftigte), nach Branchen gruppiert; Linien: die stärksten lokalen Lieferbeziehungen.",
        "exited": "ausgeschieden",
        "member": "Allianzmitglied",
        "mine": "Zeche",
        "indicator": "Kennzahl",
        "unit": "Einheit",
        "difference": "A − B",
        "better": "besser",
        "equal": "gleich",
        "provisional": "Vorläufig: Stand {date}. Kennzahlen beziehen sich auf die letzten 12 Monate bis dahin; die Endwerte gelten für {end}.",
        "final": "Stand {date}: Mittel der letzten 12 Monate (Flüsse: das letzte Jahr), Resilienz gegenüber dem Verlauf ohne Schocks.",
        "group_resilience": "Resilienz (gegenüber dem Verlauf ohne Schocks)",
        "group_indicators": "Wirtschaft, Ökologie, Soziales",
        "not_founded": "Noch nicht gegründet (Gründung {date}).",
        "no_alliance": "In dieser Einstellung gibt es keine Allianz.",
        "members": "Mitglieder",
        "trust": "Vertrauen in die Allianz",
        "projects_active": "Laufende Reallabore",
        "brokered_links": "Vermittelte Lieferbeziehungen",
        "pooled_staff": "Personal über den Pool (diesen Monat)",
        "project_row": "{participants} Betriebe, noch {months}",
        "no_projects": "Zurzeit kein laufendes Projekt.",
        "members_chart": "Mitglieder der Allianz",
        "trust_chart": "Vertrauen der Mitglieder",
        "export_intro": "Die Szenariodatei enthält alle Einstellungen der Variante; sie läuft unverändert mit „bottrop-sim run“ und in Parameterstudien.",
        "export_scenario": "Szenario {panel} (TOML)",
        "export_csv": "Zeitreihen (CSV)",
        "export_png_series": "Zeitreihen (PNG)",
        "export_png_network": "Liefernetz (PNG)",
        "export_png_alliance": "Allianz (PNG)",
        "export_png_scorecard": "Kennzahlen (PNG)",
        "png": "PNG",
        "number_expected": "Bitte eine Zahl eingeben.",
        "integer_expected": "Bitte eine ganze Zahl eingeben.",
        "month_expected": "Bitte einen Monat als JJJJ-MM eingeben, z. B. 2017-03.",
        "month_range": "Erlaubt: {low} bis {high}.",
        "founding_after_end": "Gründung {date} liegt nach dem Ende des Zeitraums ({end}): Die Allianz wirkt in diesem Lauf nicht.",
        "out_of_range": "Erlaubt: {low} bis {high} {unit}.",
        "not_applied": "Nicht übernommen: {reason}",
        "scenario_failed": "Das Szenario „{name}“ lässt sich nicht laden: {reason}",
        "no_scenarios": "Keine Szenariodateien gefunden ({folder}).",
        "problem": "Das hat nicht geklappt ({what}). Die Simulation behält die letzten gültigen Einstellungen.",
        "view_failed": "Diese Ansicht konnte nicht gezeichnet werden.",
        "retry": "Erneut versuchen",
        "dismiss": "Schließen",
        "months_one": "1 Monat",
        "months_many": "{n} Monate",
        "on": "an",
        "off": "aus",
        "ensemble_progress": "Streuung: {done} von {total} Startwerten",
        "ensemble_failed": "{n} Läufe der Streuung sind fehlgeschlagen (siehe Server-Protokoll).",
        "ensemble_waiting": "Die Streuung über die Startwerte wird berechnet; Bänder und Intervalle erscheinen, sobald Läufe fertig sind.",
        "upload": "Datei laden",
        "upload_done": "Geladen: {name}. Beide Varianten nutzen den Startwert der Sitzung ({seed}).",
        "upload_unreadable": "Die Datei „{name}“ ließ sich nicht lesen. Die Variante behält ihre Einstellungen.",
        "upload_too_large": "Die Datei „{name}“ ist zu groß für eine Szenariodatei. Die Variante behält ihre Einstellungen.",
        "upload_not_toml": "„{name}“ ist keine TOML-Datei ({reason}). Die Variante behält ihre Einstellungen.",
        "upload_extends": "„{name}“ baut auf „{parent}“ auf, das im Szenarioordner fehlt. Die Variante behält ihre Einstellungen.",
        "upload_invalid": "„{name}“ nicht übernommen: {field}: {allowed}. Die Variante behält ihre Einstellungen.",
        "code_invalid": "Dieser Code passt nicht (unvollständig, vertippt oder zu einem geänderten Szenario). Nichts wurde geändert.",
        "code": "Code dieser Einstellungen",
        "code_help": "Der Code stellt Szenario, Startwert, Sprache und beide Varianten wieder her; er steht auch in der Adresszeile (Lesezeichen, Neuladen).",
        "code_enter": "Code einfügen und Enter drücken",
        "tab_why": "Warum?",
        "tab_info": "Moderation",
        "tab_handout": "Handout",
        "band_note": "Linie: Median über {n} Startwerte, Fläche: 10–90 % der Läufe; gestrichelt umrandet: ohne Schocks",
        "live_note": "dünn: dieser Lauf (Startwert {seed})",
        "observed": "Arbeitsagentur: veröffentlichte Quote",
        "marker_closure": "Schließung",
        "marker_alliance": "Allianz {panel}",
        "marker_energy_price": "Energiepreise",
        "marker_demand_recession": "Rezession",
        "marker_key_employer_failure": "Großer Arbeitgeber fällt aus",
        "marker_supply_disruption": "Lieferausfall",
        "interval": "95-%-Intervall",
        "verdict": "Urteil",
        "verdict_clear": "klarer Unterschied: {panel} besser",
        "verdict_clear_plain": "klarer Unterschied",
        "verdict_unclear": "kein klarer Unterschied",
        "verdict_descriptive": "beschreibend, nicht bewertet",
        "verdict_waiting": "wartet auf Läufe",
        "verdict_undefined": "hier nicht bestimmt",
        "ensemble_scorecard": "Mittel über {n} Startwerte (dieselben in A und B), ganzer Zeitraum bis {end}. A − B mit 95-%-Intervall. „Klarer Unterschied“ heißt: nach der Holm-Korrektur für {m} gleichzeitig geprüfte Kennzahlen ist der Unterschied nicht durch Zufall zu erklären (Fehlerrate zusammen höchstens 5 %). Koordinationskennzahlen (Allianzbeteiligung, Vertrauen, öffentliche Mittel) beschreiben die Einstellung selbst und werden nicht bewertet.",
        "live_scorecard": "Dieser Lauf (Startwert {seed}), vorläufig bis {date}",
        "why_intro": "Woher kommt der Unterschied A − B? Jeder Mechanismus wird der Reihe nach abgeschaltet, auf denselben {n} Startwerten; sein Anteil ist seine Wirkung in A minus seine Wirkung in B. Der Rest: Zusammenspiel der Mechanismen und Einstellungen, die keine Schalter sind (Budget, Gründungsdatum, …).",
        "why_start": "Aufschlüsseln",
        "why_need_ensemble": "Die Aufschlüsselung braucht zuerst die Streuung über die Startwerte.",
        "why_progress": "Aufschlüsselung: {done} von {total} Läufen",
        "why_indicator": "Kennzahl",
        "why_total": "Unterschied A − B",
        "why_rest": "Rest (Zusammenspiel, andere Einstellungen)",
        "why_mechanism": "Mechanismus",
        "why_share": "Anteil an A − B",
        "why_acts": "wirkt in",
        "why_none": "In keiner Variante ist ein abschaltbarer Mechanismus eingeschaltet.",
        "why_seeds": "über {n} vollständige Startwerte",
        "handout_title": "Handout: {scenario}",
        "handout_settings": "Einstellungen",
        "handout_print": "Drucken / als PDF speichern",
        "handout_intro": "Eine bis zwei A4-Seiten mit Einstellungen, Zeitreihen mit Bändern und Kennzahlen. „Drucken“ öffnet den Druckdialog des Browsers (dort auch „Als PDF speichern“).",
        "handout_footer": "bottrop_sim {version}, Startwert {seed}, Szenario „{name}“, erstellt {date}. Wiederherstellen mit dem Code: {code}",
        "handout_value": "Wert",
        "exported_from": "{title} · {scenario} · Startwert {seed} · {date}",
    },
    "en": {
        "title": "Bottrop after the mine",
        "subtitle": "Workshop: two kinds of coordination side by side",
        "scenario": "Scenario",
        "language": "Language",
        "panel": "Setting {panel}",
        "governance": "Governance",
        "levers": "Levers",
        "levers_hide": "Hide levers",
        "play": "Play",
        "pause": "Pause",
        "step": "+{months}",
        "step_tip": "{months} forward",
        "reset": "Reset",
        "reset_apply": "Reset and apply changes",
        "speed": "Speed",
        "speed_option": "{months} per update",
        "seed": "Random seed",
        "seed_help": "the same in A and B: differences come from the settings",
        "month": "Month",
        "start": "Start",
        "press_play": "No data yet: press “Play” or go step by step.",
        "finished": "End of the horizon reached",
        "pending": "Changed settings take effect after “Reset”.",
        "pending_start": "Changed settings take effect when you start.",
        "tab_series": "Time series",
        "tab_network": "Supply network",
        "tab_scorecard": "Scorecard",
        "tab_alliance": "Alliance",
        "tab_export": "Export",
        "employment": "Jobs in Bottrop",
        "unemployment": "Unemployment rate",
        "value_added": "Value added",
        "firms": "Firms",
        "co2": "CO₂ emissions",
        "jobs_now": "Jobs",
        "unemployment_now": "Unemployment rate",
        "firms_now": "Firms",
        "members_now": "Alliance members",
        "year": "Year",
        "legend_panel": "{panel}: {governance}",
        "counterfactual_closure": "dashed: the same run without the mine closure",
        "counterfactual_shocks": "dashed: the same run without the shocks",
        "no_counterfactual": "This scenario has no shock: it is its own counterfactual.",
        "network_note": "Each dot is a firm (area: staff), grouped by sector; lines: the strongest local supply links.",
        "exited": "exited",
        "member": "alliance member",
        "mine": "mine",
        "indicator": "Indicator",
        "unit": "Unit",
        "difference": "A − B",
        "better": "better",
        "equal": "equal",
        "provisional": "Provisional: as of {date}. Indicators refer to the last 12 months up to then; the final values are for {end}.",
        "final": "As of {date}: mean of the last 12 months (flows: the last year), resilience against the run without shocks.",
        "group_resilience": "Resilience (against the run without shocks)",
        "group_indicators": "Economic, ecological, social",
        "not_founded": "Not founded yet (founding {date}).",
        "no_alliance": "There is no alliance in this setting.",
        "members": "Members",
        "trust": "Trust in the alliance",
        "projects_active": "Running real-world labs",
        "brokered_links": "Brokered supply links",
        "pooled_staff": "Staff moved through the pool (this month)",
        "project_row": "{participants} firms, {months} to go",
        "no_projects": "No project running at the moment.",
        "members_chart": "Alliance members",
        "trust_chart": "Members' trust",
        "export_intro": "The scenario file holds every setting of the panel; it runs unchanged with “bottrop-sim run” and in sweeps.",
        "export_scenario": "Scenario {panel} (TOML)",
        "export_csv": "Time series (CSV)",
        "export_png_series": "Time series (PNG)",
        "export_png_network": "Supply network (PNG)",
        "export_png_alliance": "Alliance (PNG)",
        "export_png_scorecard": "Scorecard (PNG)",
        "png": "PNG",
        "number_expected": "Please enter a number.",
        "integer_expected": "Please enter a whole number.",
        "month_expected": "Please enter a month as YYYY-MM, e.g. 2017-03.",
        "month_range": "Allowed: {low} to {high}.",
        "founding_after_end": "Founding in {date} is after the end of the horizon ({end}): the alliance does not act in this run.",
        "out_of_range": "Allowed: {low} to {high} {unit}.",
        "not_applied": "Not applied: {reason}",
        "scenario_failed": "The scenario “{name}” cannot be loaded: {reason}",
        "no_scenarios": "No scenario files found ({folder}).",
        "problem": "That did not work ({what}). The simulation keeps the last valid settings.",
        "view_failed": "This view could not be drawn.",
        "retry": "Try again",
        "dismiss": "Close",
        "months_one": "1 month",
        "months_many": "{n} months",
        "on": "on",
        "off": "off",
        "ensemble_progress": "Spread: {done} of {total} seeds",
        "ensemble_failed": "{n} runs of the spread failed (see the server log).",
        "ensemble_waiting": "The spread over seeds is being computed; bands and intervals appear as runs finish.",
        "upload": "Load file",
        "upload_done": "Loaded: {name}. Both panels use the session's seed ({seed}).",
        "upload_unreadable": "The file “{name}” could not be read. The panel keeps its settings.",
        "upload_too_large": "The file “{name}” is too large for a scenario file. The panel keeps its settings.",
        "upload_not_toml": "“{name}” is not a TOML file ({reason}). The panel keeps its settings.",
        "upload_extends": "“{name}” extends “{parent}”, which is not in the scenario folder. The panel keeps its settings.",
        "upload_invalid": "“{name}” not applied: {field}: {allowed}. The panel keeps its settings.",
        "code_invalid": "This code does not fit (incomplete, mistyped, or for a changed scenario). Nothing was changed.",
        "code": "Code of these settings",
        "code_help": "The code restores the scenario, seed, language and both panels; it is also in the address bar (bookmark, reload).",
        "code_enter": "Paste a code and press Enter",
        "tab_why": "Why?",
        "tab_info": "Facilitator",
        "tab_handout": "Handout",
        "band_note": "line: median over {n} seeds, area: 10–90 % of runs; dashed outline: without the shocks",
        "live_note": "thin: this run (seed {seed})",
        "observed": "Employment agency: published rate",
        "marker_closure": "closure",
        "marker_alliance": "alliance {panel}",
        "marker_energy_price": "energy prices",
        "marker_demand_recession": "recession",
        "marker_key_employer_failure": "key employer fails",
        "marker_supply_disruption": "supply disruption",
        "interval": "95 % interval",
        "verdict": "Verdict",
        "verdict_clear": "clear difference: {panel} better",
        "verdict_clear_plain": "clear difference",
        "verdict_unclear": "no clear difference",
        "verdict_descriptive": "descriptive, not rated",
        "verdict_waiting": "waiting for runs",
        "verdict_undefined": "not defined here",
        "ensemble_scorecard": "Mean over {n} seeds (the same in A and B), whole horizon to {end}. A − B with its 95 % interval. “Clear difference” means: after Holm's correction for {m} indicators tested at once, chance does not explain the difference (joint error rate at most 5 %). Governance indicators (alliance participation, trust, public money) describe the setting itself and are not rated.",
        "live_scorecard": "This run (seed {seed}), provisional to {date}",
        "why_intro": "Where does the difference A − B come from? Each mechanism is switched off in turn, on the same {n} seeds; its share is its effect in A minus its effect in B. The rest: mechanisms acting together, and settings that are not switches (budget, founding date, …).",
        "why_start": "Break it down",
        "why_need_ensemble": "The breakdown needs the spread over seeds first.",
        "why_progress": "Breakdown: {done} of {total} runs",
        "why_indicator": "Indicator",
        "why_total": "Difference A − B",
        "why_rest": "Rest (interactions, other settings)",
        "why_mechanism": "Mechanism",
        "why_share": "Share of A − B",
        "why_acts": "acts in",
        "why_none": "No mechanism that can be switched off is on in either panel.",
        "why_seeds": "over {n} complete seeds",
        "handout_title": "Handout: {scenario}",
        "handout_settings": "Settings",
        "handout_print": "Print / save as PDF",
        "handout_intro": "One or two A4 pages with the settings, the time series with bands and the scorecard. “Print” opens the browser's print dialog (with “Save as PDF”).",
        "handout_footer": "bottrop_sim {version}, seed {seed}, scenario “{name}”, made {date}. Restore with the code: {code}",
        "handout_value": "Value",
        "exported_from": "{title} · {scenario} · seed {seed} · {date}",
    },
}

GOVERNANCE: dict[str, dict[str, str]] = {
    "none": {"de": "keine Koordination", "en": "no coordination"},
    "city_led": {"de": "Stadt (Wirtschaftsförderung)", "en": "city-led (development office)"},
    "alliance": {"de": "Wirtschaftsallianz der Betriebe", "en": "business alliance of firms"},
    "hybrid": {"de": "hybrid (Allianz + städtischer Koordinator)", "en": "hybrid (alliance + city-funded coordinator)"},
}

TARGETING: dict[str, dict[str, str]] = {
    "mine_suppliers": {"de": "Zulieferer der Zeche", "en": "the mine's suppliers"},
    "largest_employers": {"de": "größte Arbeitgeber", "en": "largest employers"},
    "start_ups": {"de": "Gründungen", "en": "start-ups"},
    "sectors": {"de": "ausgewählte Branchen", "en": "selected sectors"},
}

LABS: dict[str, dict[str, str]] = {
    "city_logistics": {"de": "Stadtlogistik", "en": "City logistics"},
    "hybrid_retail": {"de": "Hybrider Handel", "en": "Hybrid retail"},
    "sustainable_business": {"de": "Nachhaltiges Wirtschaften", "en": "Sustainable business"},
    "digital_crafts": {"de": "Digitales Handwerk", "en": "Digital crafts"},
}

SECTORS: dict[str, dict[str, str]] = {
    "mining": {"de": "Steinkohlenbergbau", "en": "Hard-coal mining"},
    "mining_supply": {"de": "Bergbauzulieferer, Maschinenbau", "en": "Mining supply, engineering"},
    "manufacturing": {"de": "Sonstige Industrie", "en": "Other manufacturing"},
    "energy": {"de": "Energie", "en": "Energy"},
    "construction": {"de": "Baugewerbe", "en": "Construction"},
    "trade": {"de": "Handel", "en": "Trade"},
    "logistics": {"de": "Logistik", "en": "Logistics"},
    "business_services": {"de": "Unternehmensdienste", "en": "Business services"},
    "public_health_education": {"de": "Gesundheit, Bildung, Verwaltung", "en": "Health, education, public"},
    "hospitality_personal": {"de": "Gastgewerbe, pers. Dienste", "en": "Hospitality, personal services"},
    "green_retrofit": {"de": "Grüne Sanierung", "en": "Green retrofit"},
}
"""Short sector names for legends (the sector table's labels are longer and lack umlauts)."""

SCENARIOS: dict[str, dict[str, tuple[str, str]]] = {
    "closure_2018": {
        "de": ("Schließung 2018", "Die Schließung wie geschehen: Abbau von 3.267 Beschäftigten (2015) bis zur Schließung am 21.12.2018, Rückbau bis 2021."),
        "en": ("Closure 2018", "The closure as it happened: phase-down from 3,267 staff (2015) to the closure on 21 Dec 2018, clean-up until 2021."),
    },
    "closure_2018_alliance": {
        "de": ("Schließung 2018 mit Allianz", "Die Schließung wie geschehen, mit der Wirtschaftsallianz Bottrop (gegründet im März 2017, rund 60 Betriebe)."),
        "en": ("Closure 2018 with the alliance", "The closure as it happened, with the Wirtschaftsallianz Bottrop (founded March 2017, about 60 firms)."),
    },
    "closure_2018_alliance_pessimistic": {
        "de": (
            "Schließung 2018, Allianz ungünstig",
            "Die Allianz am ungünstigen Ende jeder plausiblen Spanne: teure, unzuverlässige vermittelte Lieferanten, Labore mit wenig Erfolg, viel Zeitaufwand.",
        ),
        "en": (
            "Closure 2018, alliance at its worst",
            "The alliance at the unfavourable end of every plausible range: dear, unreliable brokered suppliers, labs that rarely succeed, much staff time.",
        ),
    },
    "closure_2018_alliance_optimistic": {
        "de": (
            "Schließung 2018, Allianz günstig",
            "Die Allianz am günstigen Ende jeder plausiblen Spanne: verlässliche vermittelte Lieferanten zu Importpreisen, erfolgreiche Labore, wenig Zeitaufwand.",
        ),
        "en": (
            "Closure 2018, alliance at its best",
            "The alliance at the favourable end of every plausible range: reliable brokered suppliers at import prices, successful labs, little staff time.",
        ),
    },
    "closure_2018_city_led": {
        "de": ("Schließung 2018, Stadt steuert", "Die Schließung wie geschehen, mit einer städtischen Wirtschaftsförderung (1,5 Mio. EUR im Jahr)."),
        "en": ("Closure 2018, city-led", "The closure as it happened, with a city-led economic development office (EUR 1.5 million a year)."),
    },
    "closure_2018_hybrid": {
        "de": ("Schließung 2018, hybrid", "Die Schließung wie geschehen, mit der Allianz und einem von der Stadt bezahlten Koordinator."),
        "en": ("Closure 2018, hybrid", "The closure as it happened, with the alliance and a city-funded coordinator."),
    },
    "no_closure": {
        "de": ("Ohne Schließung", "Gegenszenario: Die Zeche behält ihre 3.267 Beschäftigten von 2015."),
        "en": ("No closure", "Counterfactual: the mine keeps its 2015 staff of 3,267."),
    },
    "compound_stress": {
        "de": ("Stresstest", "Die Schließung plus ein Energiepreisschock (wie 2022) und eine Rezession (wie 2020), beide ab 2019."),
        "en": ("Stress test", "The closure plus an energy price shock (2022-sized) and a recession (2020-sized), both from 2019."),
    },
    "history_2015_2023": {
        "de": ("Geschichte 2015–2023", "Die Schließung, die Pandemie-Rezession (2020–21) und der Energiepreisschock 2022, 2015 bis 2023."),
        "en": ("History 2015–2023", "The closure, the pandemic recession (2020–21) and the 2022 energy shock, 2015 to 2023."),
    },
    **{
        f"energy_shock_2022_{mode}": {
            "de": (
                f"Energiepreisschock 2022 ({GOVERNANCE[mode]['de']})",
                f"Bottrop nach der Zeche (2019–2030) im Energiepreisschock 2022; Koordination: {GOVERNANCE[mode]['de']}.",
            ),
            "en": (
                f"Energy shock 2022 ({GOVERNANCE[mode]['en']})",
                f"Bottrop after the mine (2019–2030) in the 2022 energy price shock; governance: {GOVERNANCE[mode]['en']}.",
            ),
        }
        for mode in GOVERNANCE
    },
}
"""Title and one-line description of each shipped scenario, keyed by scenario name."""

MONTHS = {
    "de": ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sep.", "Okt.", "Nov.", "Dez."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def t(lang: str, key: str, **values: object) -> str:
    """The text ``key`` in ``lang`` with its ``{placeholders}`` filled in (English if the key lacks a translation)."""
    template = TEXT.get(lang, TEXT["en"]).get(key) or TEXT["en"][key]
    return template.format(**values) if values else template


def word(table: dict[str, dict[str, str]], key: str, lang: str) -> str:
    """A named thing (governance setting, lab, sector) in ``lang``; the key itself if unknown."""
    return table.get(key, {}).get(lang, key)


def scenario_title(name: str, lang: str) -> str:
    """Short title of a shipped scenario (its name if it has none)."""
    return SCENARIOS.get(name, {}).get(lang, (name, ""))[0]


def scenario_description(name: str, lang: str, file_description: str = "") -> str:
    """One-line description of a scenario in ``lang``, falling back to the description in its file."""
    entry = SCENARIOS.get(name, {}).get(lang)
    return entry[1] if entry else file_description


def months_text(n: int, lang: str) -> str:
    """'1 Monat' / '6 Monate' (German), '1 month' / '6 months' (English)."""
    return t(lang, "months_one") if n == 1 else t(lang, "months_many", n=n)


def month_text(year_month: str, lang: str) -> str:
    """A month 'YYYY-MM' as readers write it: 'Dez. 2018' (German), 'Dec 2018' (English)."""
    year, month = year_month.split("-")
    return f"{MONTHS.get(lang, MONTHS['en'])[int(month) - 1]} {year}"


def number(value: float, lang: str, decimals: int = 0, *, sign: bool = False) -> str:
    """A number in the conventions of ``lang`` (see :func:`bottrop_sim.report.language.format_number`)."""
    return format_number(value, lang, decimals, sign=sign)


_DE_THOUSANDS = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d*)?")
_EN_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def parse_number(entry: str, lang: str) -> float | None:
    """Read a typed number the way people type it in ``lang``; None if it is not a number.

    German: ``1.500.000``, ``0,5``, ``2,75``; English: ``1,500,000``, ``0.5``. A
    separator that cannot be a thousands separator is read as the decimal one
    (``0.5`` in German mode is one half). Spaces, ``%`` and ``EUR`` are ignored.
    """
    text = entry.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("%", "").replace("EUR", "").replace("€", "").replace("−", "-")
    if not text:
        return None
    if lang == "de":
        text = text.replace(".", "").replace(",", ".") if _DE_THOUSANDS.fullmatch(text) or "," in text else text
    else:
        text = text.replace(",", "") if _EN_THOUSANDS.fullmatch(text) else text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None
