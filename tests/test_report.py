"""The HTML comparison report: self-contained, bilingual, well-formed, with the right marks."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bottrop_sim.report import render_report, write_report
from bottrop_sim.report.language import decimals_for, format_number, scale_for

SCENARIOS = ["none", "alliance", "city-led <office> & co", "hybrid"]
REPLICATIONS = 3
SEEDS = [101, 102, 103]
LABELS = {
    "employment_workplace": {
        "label_en": "Jobs in Bottrop",
        "label_de": "Arbeitsplätze in Bottrop",
        "unit": "persons",
        "group": "economic",
        "definition_en": "Mean workplace employment 2019-2035.",
        "definition_de": "Mittlere Beschäftigung am Arbeitsort 2019-2035.",
        "higher_is_better": True,
    },
    "unemployment_rate": {
        "label_en": "Unemployment rate",
        "label_de": "Arbeitslosenquote",
        "unit": "share 0..1",
        "group": "social",
        "definition_en": "Unemployed over labour force.",
        "definition_de": "Arbeitslose je Erwerbsperson.",
        "higher_is_better": False,
    },
    "co2_t": {
        "label_en": "CO₂ emissions",
        "label_de": "CO₂-Ausstoß",
        "unit": "t CO2 per year",
        "group": "ecological",
        "definition_en": "Emissions of all firms.",
        "definition_de": "Emissionen aller Unternehmen.",
        "higher_is_better": False,
    },
    "resistance": {
        "label_en": "Resistance",
        "label_de": "Widerstandsfähigkeit",
        "unit": "index",
        "group": "resilience",
        "definition_en": "Relative employment loss against the counterfactual.",
        "definition_de": "Relativer Beschäftigungsverlust gegenüber dem Kontrafakt.",
        "higher_is_better": True,
    },
    "recovery": {
        "label_en": "Recovery",
        "label_de": "Erholung",
        "unit": "index",
        "group": "resilience",
        "definition_en": "Relative growth after the trough.",
        "definition_de": "Relatives Wachstum nach dem Tiefpunkt.",
        "higher_is_better": True,
    },
}
# True values per indicator and scenario: alliance has clearly more jobs, city-led clearly higher unemployment.
TRUE = {
    "employment_workplace": [33_000.0, 34_234.5, 33_010.0, 33_500.0],
    "unemployment_rate": [0.072, 0.071, 0.095, 0.07],
    "co2_t": [1_250_000.0, 1_240_000.0, 1_260_000.0, 1_250_500.0],
    "resistance": [-0.12, -0.05, -0.10, -0.07],
    "recovery": [0.4, 0.7, 0.45, 0.6],
}


def _fixture_verdict(indicator: str, diff: float, spread: float) -> str:
    if not np.isfinite(diff) or abs(diff) <= spread:
        return ""
    direction = LABELS.get(indicator, {}).get("higher_is_better")
    if direction is None:
        return "differs"
    return "better" if (diff > 0) == direction else "worse"


def _inputs(scenarios: list[str]) -> dict:
    rng = np.random.default_rng(7)
    rows = []
    for position, scenario in enumerate(scenarios):
        for replication, seed in enumerate(SEEDS):
            for indicator, values in TRUE.items():
                rows.append(
                    {
                        "scenario": scenario,
                        "replication": replication,
                        "seed": seed,
                        "indicator": indicator,
                        "value": values[position] * (1 + rng.normal(0, 0.001)),
                    }
                )
    indicators = pd.DataFrame(rows)
    comparison_rows = []
    for position, scenario in enumerate(scenarios):
        for indicator, values in TRUE.items():
            mean = values[position]
            spread = abs(mean) * 0.002 + 1e-4
            diff = np.nan if position == 0 else values[position] - values[0]
            comparison_rows.append(
                {
                    "scenario": scenario,
                    "indicator": indicator,
                    "mean": mean,
                    "ci_low": mean - spread,
                    "ci_high": mean + spread,
                    "diff_mean": diff,
                    "diff_ci_low": diff - spread,
                    "diff_ci_high": diff + spread,
                    "n": REPLICATIONS,
                    # the verdict compare() gives (corrected for multiple comparisons); here: where the interval excludes 0
                    "verdict": _fixture_verdict(indicator, diff, spread),
                }
            )
    dates = [f"{year}-{month:02d}" for year in range(2015, 2020) for month in range(1, 13)]
    series_rows = []
    for position, scenario in enumerate(scenarios):
        for name, shift in ((scenario, 0.0), (scenario + " (counterfactual)", 500.0)):
            for step, date in enumerate(dates):
                for variable, level in (
                    ("employment_workplace", 33_000.0),
                    ("unemployment_rate", 0.07),
                    ("value_added_eur", 1.75e8),
                    ("firms", 2_300.0),
                    ("co2_t", 1e5),
                ):
                    mean = level * (1 + 0.01 * position - 0.0005 * step * (shift == 0))
                    series_rows.append({"scenario": name, "date": date, "variable": variable, "mean": mean, "low": mean * 0.98, "high": mean * 1.02})
    provenance = {
        "git_revision": "abc123",
        "created_utc": "2025-01-01T00:00:00+00:00",
        "scenarios": {name: {"governance": name, "seed": 100} for name in scenarios},
        "seeds": SEEDS,
        "versions": {"python": "3.12", "bottrop_sim": "0.1.0"},
    }
    return {
        "comparison": pd.DataFrame(comparison_rows),
        "indicators": indicators,
        "series": pd.DataFrame(series_rows),
        "provenance": provenance,
        "labels": LABELS,
    }


class _TagBalance(HTMLParser):
    """Checks that every non-void tag is closed in order, and collects src/href attributes."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.references: list[str] = []
        self.images = 0

    def handle_starttag(self, tag, attrs):
        self.references += [value or "" for key, value in attrs if key in ("src", "href")]
        self.images += tag == "img"
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()


def _parse(document: str) -> _TagBalance:
    parser = _TagBalance()
    parser.feed(document)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def inputs():
    return _inputs(SCENARIOS)


@pytest.fixture(scope="module")
def english(inputs) -> str:
    return render_report(**inputs, lang="en")


@pytest.fixture(scope="module")
def german(inputs) -> str:
    return render_report(**inputs, lang="de")


def test_write_report_writes_the_file(tmp_path, inputs):
    path = write_report(tmp_path / "out" / "report.html", **inputs, lang="en")
    assert path == tmp_path / "out" / "report.html"
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]  # no staging file left


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_scenario_and_indicator_label_appears_escaped(inputs, lang):
    document = render_report(**inputs, lang=lang)
    assert "city-led &lt;office&gt; &amp; co" in document
    assert "<office>" not in document
    for scenario in SCENARIOS[:2] + SCENARIOS[3:]:
        assert scenario in document
    for entry in LABELS.values():
        assert entry[f"label_{lang}"] in document
    other = "de" if lang == "en" else "en"
    assert LABELS["employment_workplace"][f"label_{other}"] not in document


@pytest.mark.parametrize("lang", ["en", "de"])
def test_self_contained_and_well_formed(inputs, lang):
    document = render_report(**inputs, lang=lang)
    assert "http://" not in document and "https://" not in document
    assert "@import" not in document and "url(" not in document
    parsed = _parse(document)
    assert parsed.errors == []
    assert parsed.stack == []
    assert all(reference.startswith("data:image/png;base64,") for reference in parsed.references)
    # one chart per series variable and one resilience chart, each a real PNG
    assert parsed.images == 5 + 1
    for encoded in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", document):
        assert base64.b64decode(encoded).startswith(b"\x89PNG")


def test_english_number_format(english):
    assert "34,235" in english  # alliance's mean jobs 34,234.5: thousands comma, half rounded up
    assert "+1,235" in english  # its difference against the reference
    assert "[32,934; 33,066]" in english  # the reference's interval
    assert "7.20%" in english  # a share shown as percentage
    assert "+2.30\u00a0pp" in english  # city-led unemployment difference in percentage points
    assert "<td>million t CO2 per year</td>" in english and ">1.25<" in english  # large values in millions
    assert "34.235" not in english and "7,20" not in english


def test_german_number_format(german):
    assert "34.235" in german  # thousands point
    assert "+1.235" in german
    assert "[32.934; 33.066]" in german
    assert "7,20\u00a0%" in german  # decimal comma
    assert "+2,30\u00a0Pp." in german
    assert "<td>Mio. t CO2 pro Jahr</td>" in german and ">1,25<" in german
    assert "<td>Personen</td>" in german  # unit words in German
    assert "34,235" not in german and "7.20" not in german
    assert "<html lang='de'>" in german
    for heading in (
        "Was verglichen wird",
        "Kennzahlenübersicht",
        "Entwicklung über die Zeit",
        "Resilienz",
        "Herkunft der Ergebnisse",
        "Wirtschaft",
        "Ökologie",
    ):
        assert heading in german


def test_differences_are_marked_by_direction(english):
    # alliance: more jobs (higher is better) -> better; city-led: more unemployment (lower is better) -> worse
    jobs_row = re.search(r"<tr><th scope='row'[^>]*>Jobs in Bottrop</th>(.*?)</tr>", english).group(1)
    cells = re.findall(r"<td class='num'>(.*?)</td>", jobs_row)
    assert "diff better" in cells[1] and "▲ better" in cells[1]
    assert "diff none" in cells[2]  # +10 jobs with an interval of ±66: no clear difference
    unemployment_row = re.search(r"<tr><th scope='row'[^>]*>Unemployment rate</th>(.*?)</tr>", english).group(1)
    cells = re.findall(r"<td class='num'>(.*?)</td>", unemployment_row)
    assert "diff worse" in cells[2] and "▲ worse" in cells[2]
    assert "Δ" not in cells[0]  # the reference has no difference


def test_explains_common_random_numbers_and_provenance(english, inputs):
    assert "common random numbers" in english
    assert "101, 102, 103" in english
    assert "Each scenario ran 3 replications." in english
    assert "<details>" in english and "abc123" in english


def test_without_shared_seeds_it_warns(inputs):
    changed = dict(inputs)
    indicators = inputs["indicators"].copy()
    indicators.loc[indicators["scenario"] == "hybrid", "seed"] += 1000
    changed["indicators"] = indicators
    document = render_report(**changed, lang="en")
    assert "did not use the same seeds" in document


def test_two_scenarios_without_resilience_or_labels():
    inputs = _inputs(SCENARIOS[:2])
    inputs["comparison"] = inputs["comparison"][~inputs["comparison"]["indicator"].isin(["resistance", "recovery"])]
    inputs["labels"] = {}
    document = render_report(**inputs, lang="de")
    assert "Für diesen Vergleich wurden keine Resilienzkennzahlen berechnet." in document
    assert "Arbeitsplätze in Bottrop" in document  # built-in series label used when labels do not name the variable
    assert _parse(document).errors == []


def test_odd_names_and_no_per_replication_table():
    inputs = _inputs(["budget $\\undefinedmacro$", "plain"])  # would break matplotlib's mathtext if not escaped
    inputs["indicators"] = inputs["indicators"].iloc[0:0]
    document = render_report(**inputs, lang="en")
    assert "budget $\\undefinedmacro$" in document
    assert "Each scenario ran 3 replications." in document  # taken from comparison's n
    assert "common random numbers" not in document and "did not use the same seeds" not in document
    assert _parse(document).errors == []


def test_rejects_bad_input(inputs):
    with pytest.raises(ValueError, match="lang"):
        render_report(**inputs, lang="fr")
    broken = dict(inputs, comparison=inputs["comparison"].drop(columns=["diff_ci_low"]))
    with pytest.raises(ValueError, match=r"comparison: missing column.*diff_ci_low"):
        render_report(**broken)


@pytest.mark.parametrize(
    ("unit", "lang", "shown", "factor"),
    [
        ("share 0..1", "en", "%", 100.0),
        ("share of counterfactual employment", "de", "% (Anteil an der kontrafaktischen Beschäftigung)", 100.0),
        ("index 0..1", "en", "index 0..1", 1.0),  # an index on 0..1 is not a percentage
        ("EUR per year", "de", "Mrd. EUR pro Jahr", 1e-9),
    ],
)
def test_units_and_scales(unit, lang, shown, factor):
    scale = scale_for(unit, 2.1e9 if "EUR" in unit else 0.5, lang)
    assert scale.label == shown
    assert scale.factor == pytest.approx(factor)


def test_small_differences_keep_significant_digits():
    assert format_number(0.0002, "en", decimals_for(0.0002), sign=True) == "+0.000200"
    assert decimals_for(34_234.5) == 0 and decimals_for(7.2) == 2 and decimals_for(0.12) == 3


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"), [(1234.5, "de", 1, "1.234,5"), (1234.5, "en", 1, "1,234.5"), (-0.04, "de", 1, "0,0"), (2.0, "en", 0, "2")]
)
def test_format_number(value, lang, decimals, expected):
    assert format_number(value, lang, decimals) == expected
    assert format_number(float("nan"), lang) == "–"


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium")
def test_opens_in_headless_chromium_without_network(tmp_path, inputs):
    path = write_report(tmp_path / "report.html", **inputs, lang="de")
    screenshot = tmp_path / "shot.png"
    subprocess.run(
        [
            shutil.which("chromium") or "/usr/bin/chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--proxy-server=127.0.0.1:9",  # any network request would fail
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1400,2000",
            f"--screenshot={screenshot}",
            path.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert screenshot.exists() and screenshot.stat().st_size > 10_000
