"""Words that explain: one line per scorecard term, and the facilitator's page (a 90-minute session, the levers, the model's limits).

Each explanation is one sentence in German and in English, for people who are
not modellers. The precise definitions (how each number is computed) stay in
the monitoring registry (:data:`bottrop_sim.monitoring.REGISTRY`) and in
``docs/monitoring.md``; these lines say what the number means for Bottrop.
"""

from __future__ import annotations

EXPLAIN: dict[str, dict[str, str]] = {
    "resistance": {
        "de": "Wie tief der Einbruch der Arbeitsplätze am Tiefpunkt gegenüber dem Verlauf ohne Schock ist (näher an 0: widerstandsfähiger).",
        "en": "How deep the fall in jobs is at the trough against the run without the shock (closer to 0: more resistant).",
    },
    "recovery": {
        "de": "Wie viel des Rückstands gegenüber dem Verlauf ohne Schock bis zum Ende wieder aufgeholt ist.",
        "en": "How much of the gap to the run without the shock is closed by the end.",
    },
    "reorientation": {
        "de": "Wie stark sich die Branchenmischung der Arbeitsplätze gegenüber dem Verlauf ohne Schock verschoben hat (weder gut noch schlecht).",
        "en": "How far the sector mix of jobs has shifted against the run without the shock (neither good nor bad).",
    },
    "renewal": {
        "de": "Ob die Beschäftigung nach dem Schock schneller wächst als vorher, verglichen mit dem Verlauf ohne Schock.",
        "en": "Whether employment grows faster after the shock than before, compared with the run without the shock.",
    },
    "employment": {
        "de": "Arbeitsplätze in Bottrop im letzten Jahr des Zeitraums (Betriebe und Zeche).",
        "en": "Jobs in Bottrop in the last year of the horizon (firms and the mine).",
    },
    "unemployment_rate": {
        "de": "Anteil der arbeitslosen Bottroperinnen und Bottroper an den Erwerbspersonen im letzten Jahr.",
        "en": "Share of Bottrop's labour force without a job in the last year.",
    },
    "value_added": {
        "de": "Was die Betriebe im letzten Jahr erwirtschaftet haben, nach Abzug ihrer Vorleistungen.",
        "en": "What firms produced in the last year, net of what they bought in.",
    },
    "firms": {"de": "Aktive Betriebe im letzten Jahr (ohne die Zeche).", "en": "Active firms in the last year (the mine not counted)."},
    "co2": {"de": "CO₂-Ausstoß der Produktion im letzten Jahr (weniger ist besser).", "en": "CO₂ emitted by production in the last year (less is better)."},
    "green_jobs_share": {
        "de": "Anteil der Arbeitsplätze in der grünen Sanierung (InnovationCity-Tätigkeit).",
        "en": "Share of jobs in green retrofit (the InnovationCity activity).",
    },
    "local_sourcing_share": {
        "de": "Anteil der Vorleistungen, den Betriebe bei Bottroper Betrieben kaufen.",
        "en": "Share of inputs that firms buy from firms in Bottrop.",
    },
    "network_robustness": {
        "de": "Wie gut Betriebe den Ausfall ihres wichtigsten lokalen Lieferanten verkraften würden.",
        "en": "How well firms would cope with losing their main local supplier.",
    },
    "shannon_entropy": {
        "de": "Vielfalt der Branchen: höher, wenn sich die Arbeitsplätze auf viele Branchen verteilen.",
        "en": "Sector diversity: higher when jobs are spread over many sectors.",
    },
    "start_ups": {"de": "Neugründungen über den ganzen Zeitraum.", "en": "New firms over the whole horizon."},
    "exits": {"de": "Betriebe, die über den ganzen Zeitraum aufgegeben haben.", "en": "Firms that closed over the whole horizon."},
    "alliance_participation": {
        "de": "Anteil der Betriebe, die Mitglied der Allianz sind: beschreibt die Einstellung, ist kein Ziel an sich.",
        "en": "Share of firms that are alliance members: describes the setting, not a goal in itself.",
    },
    "alliance_trust": {
        "de": "Mittleres Vertrauen der Mitglieder in die Allianz (0 bis 1): beschreibend, nicht bewertet.",
        "en": "Members' mean trust in the alliance (0 to 1): descriptive, not rated.",
    },
    "public_money_spent": {
        "de": "Öffentliches Geld für Programme, Verwaltung, Koordinator und die Geschäftsstelle der Allianz über den ganzen Zeitraum: ein Aufwand, kein Ergebnis.",
        "en": "Public money for programmes, administration, the coordinator and the alliance's office over the whole horizon: an input, not an outcome.",
    },
    "difference": {
        "de": "A − B: Wert von A minus Wert von B, gepaart über dieselben Startwerte.",
        "en": "A − B: the value of A minus that of B, paired over the same seeds.",
    },
    "interval": {
        "de": "95-%-Intervall: Bereich, in dem der wahre mittlere Unterschied mit 95 % Sicherheit liegt (Student-t über die Startwerte).",
        "en": "95 % interval: the range that holds the true mean difference with 95 % confidence (Student's t over the seeds).",
    },
    "verdict": {
        "de": "Klarer Unterschied nur, wenn er nach der Holm-Korrektur für alle gleichzeitig geprüften Kennzahlen bestehen bleibt.",
        "en": "A clear difference only if it survives Holm's correction for all indicators tested at once.",
    },
}
"""One line per scorecard term (indicators and columns), in German and English."""


def explain(term: str, lang: str) -> str:
    """The one-line explanation of a scorecard term ("" if there is none)."""
    return EXPLAIN.get(term, {}).get(lang, "")


SESSION_PLAN: dict[str, list[tuple[str, str]]] = {
    "de": [
        (
            "0–10 Min.",
            "Ankommen. Frage des Tages an die Wand: Wer soll den Wandel nach der Zeche steuern – niemand, die Stadt, die Betriebe selbst oder beide?",
        ),
        (
            "10–20 Min.",
            "Szenario „Schließung 2018“ mit A = keine Koordination und B = Allianz abspielen. Nur Zeitreihen zeigen: Was geschieht mit Arbeitsplätzen und Arbeitslosigkeit?",
        ),
        (
            "20–35 Min.",
            "Kennzahlen: Ist B wirklich besser? Bänder und Intervalle lesen, „klarer Unterschied“ erklären. Mit „Geschichte 2015–2023“ zeigen, wie nah das Modell an den veröffentlichten Quoten liegt.",
        ),
        (
            "35–55 Min.",
            "Gruppen wählen je einen Hebel (Gründungsmitglieder, Vertrauen, Beitrag, Budget der Stadt) und sagen vorher, was passiert; dann laufen lassen und vergleichen.",
        ),
        ("55–70 Min.", "„Warum?“: Welcher Mechanismus trägt den Unterschied – Personalpool, Vermittlung, Reallabore? Was davon gibt es in Bottrop wirklich?"),
        ("70–85 Min.", "Stresstest (Energiepreise, Rezession): Hält der Befund? Was würde die Allianz anders machen?"),
        ("85–90 Min.", "Handout drucken oder als PDF speichern; Code der Einstellungen notieren. Offene Fragen sammeln."),
    ],
    "en": [
        (
            "0–10 min",
            "Arrival. Question of the day on the wall: who should steer the transition after the mine – nobody, the city, the firms themselves, or both?",
        ),
        ("10–20 min", "Play “Closure 2018” with A = no coordination and B = alliance. Time series only: what happens to jobs and unemployment?"),
        (
            "20–35 min",
            "Scorecard: is B really better? Read bands and intervals, explain “clear difference”. Use “History 2015–2023” to show how close the model comes to the published rates.",
        ),
        ("35–55 min", "Groups each pick a lever (founding members, trust, fee, the city's budget) and predict what will happen; then run it and compare."),
        ("55–70 min", "“Why?”: which mechanism carries the difference – staff pooling, brokerage, real-world labs? Which of them exist in Bottrop?"),
        ("70–85 min", "Stress test (energy prices, recession): does the finding hold? What would the alliance do differently?"),
        ("85–90 min", "Print the handout or save it as PDF; note the settings code. Collect open questions."),
    ],
}
"""A 90-minute workshop: time slot and what happens."""

LIMITS: dict[str, list[str]] = {
    "de": [
        "Das Modell sagt nicht voraus, was in Bottrop geschehen wird: Es vergleicht Einstellungen unter denselben Annahmen.",
        "Zahlen gelten für ein vereinfachtes Bottrop: rund zehn Branchen, Betriebe mit Beschäftigten, Pendeln und Wegzug nur grob.",
        "Ob eine Allianz in Wirklichkeit Vertrauen gewinnt, hängt an Personen und Geschichte; im Modell ist Vertrauen eine Zahl mit angenommenen Regeln.",
        "Kleine Unterschiede ohne „klaren Unterschied“ sind Rauschen der Startwerte, keine Erkenntnis.",
        "Bund, Land, RAG-Stiftung und Strukturhilfen kommen nur als feste Annahmen vor; ihre Politik ist kein Hebel.",
        "Wirkungen jenseits 2035, Lebensqualität, Stadtbild und Kultur misst das Modell nicht.",
    ],
    "en": [
        "The model does not forecast what will happen in Bottrop: it compares settings under the same assumptions.",
        "Numbers are for a simplified Bottrop: about ten sectors, firms with employees, commuting and out-migration only roughly.",
        "Whether a real alliance wins trust depends on people and history; in the model trust is a number with assumed rules.",
        "Small differences without a “clear difference” are noise of the seeds, not a finding.",
        "Federal and state policy, the RAG foundation and structural aid are fixed assumptions; their policy is not a lever.",
        "Effects after 2035, quality of life, townscape and culture are not measured.",
    ],
}
"""What the model cannot say, for the facilitator to read out."""
