"""The monitoring and evaluation instrument: one registry of indicators and how each is computed from a run.

The set follows the lean economic / ecological / social indicator set of the
real project's second phase (Rabadjieva & Siegel 2020, Bottrop2018plus) where
the model can say something, and adds sectoral diversity (Shannon, Herfindahl,
related and unrelated variety after Frenken, Van Oort & Verburg 2007), the
supply network's robustness and the resilience measures of Martin (2012) and
Martin et al. (2016), which need the run's counterfactual twin (see
:mod:`bottrop_sim.monitoring.resilience`). The table with all definitions is in
docs/monitoring.md.

How a run becomes one number per indicator (:func:`scorecard`):

* levels (stocks, shares, indices): mean over the last ``LAST_MONTHS`` (12)
  months of the horizon;
* yearly flows (value added, CO2): 12 × the mean monthly flow over the last 12
  months, i.e. the flow of the final year;
* horizon totals (start-ups, exits, public money spent): sum over all months;
* resilience measures: from the run and its twin, NaN without a twin or shock;
* public money per job saved: against a reference run (:func:`jobs_saved_cost`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from bottrop_sim.economy.sector_table import sector_table_for
from bottrop_sim.monitoring.diversity import herfindahl, shannon_entropy, variety
from bottrop_sim.monitoring.resilience import resilience_measures
from bottrop_sim.scenario.governance import ALLIANCE_MODES

if TYPE_CHECKING:
    from bottrop_sim.scenario.schema import Scenario

Group = Literal["economic", "ecological", "social", "resilience"]
GROUPS: tuple[str, ...] = ("economic", "ecological", "social", "resilience")
#: Months at the end of the horizon over which levels are averaged.
LAST_MONTHS = 12
#: Fewer jobs saved than this (persons) count as none: the cost per job is then undefined (NaN).
MIN_JOBS_SAVED = 1.0


@dataclass(frozen=True)
class Indicator:
    """One indicator of the monitoring instrument.

    Attributes:
        name: key in :data:`REGISTRY` and in a scorecard.
        label_en: short English label (for tables, plots, the app).
        label_de: short German label.
        unit: unit of the scorecard value, e.g. "persons", "EUR per year", "share 0..1".
        group: "economic", "ecological", "social" or "resilience" (the latter need a twin run).
        definition_en: how the value is computed from a run, in English.
        definition_de: the same in German.
        higher_is_better: True or False if a higher value is better for the region,
            None if the indicator is descriptive (no direction).
    """

    name: str
    label_en: str
    label_de: str
    unit: str
    group: Group
    definition_en: str
    definition_de: str
    higher_is_better: bool | None

    def __post_init__(self) -> None:
        if self.group not in GROUPS:
            raise ValueError(f"indicator {self.name!r}: group {self.group!r} is not one of {GROUPS}")


_L12 = "mean over the last 12 months of the horizon"
_L12_DE = "Mittel der letzten 12 Monate des Zeithorizonts"
_HORIZON_DE = "Summe über den gesamten Zeithorizont"
_TWIN = "against the counterfactual twin (same scenario without shocks, same seed)"
_TWIN_DE = "gegenüber dem kontrafaktischen Zwillingslauf (gleiches Szenario ohne Schocks, gleicher Seed)"

_INDICATORS = (
    Indicator("employment", "Employment (workplace)", "Beschäftigung (Arbeitsort)", "persons", "economic",
              f"Jobs in Bottrop: headcount of all active firms and the mine (column employment_workplace), {_L12}.",
              f"Arbeitsplätze in Bottrop: Beschäftigte aller aktiven Betriebe und des Bergwerks, {_L12_DE}.", True),
    Indicator("unemployment_rate", "Unemployment rate", "Arbeitslosenquote", "share 0..1", "social",
              f"Unemployed residents / resident labour force, {_L12}.",
              f"Arbeitslose Einwohner / Erwerbspersonen mit Wohnort Bottrop, {_L12_DE}.", False),
    Indicator("value_added", "Value added", "Bruttowertschöpfung", "EUR per year", "economic",
              "Gross value added of all firms and the mine (output − local purchases − imports): 12 × the mean monthly value added of the last 12 months.",
              "Bruttowertschöpfung aller Betriebe und des Bergwerks (Produktion − lokale Vorleistungen − Importe): 12 × mittlere Monatswertschöpfung der letzten 12 Monate.", True),
    Indicator("firms", "Number of firms", "Anzahl der Betriebe", "count", "economic",
              f"Active firms, the mine not counted, {_L12}.",
              f"Aktive Betriebe ohne das Bergwerk, {_L12_DE}.", True),
    Indicator("start_ups", "Start-ups", "Gründungen", "count over the horizon", "economic",
              "New firms entering the market, summed over the whole horizon.",
              f"Markteintritte neuer Betriebe, {_HORIZON_DE}.", True),
    Indicator("exits", "Exits", "Marktaustritte", "count over the horizon", "economic",
              "Firms leaving the market (illiquidity, key-employer failure), summed over the whole horizon.",
              f"Marktaustritte von Betrieben (Illiquidität, Ausfall eines Schlüsselarbeitgebers), {_HORIZON_DE}.", False),
    Indicator("shannon_entropy", "Sectoral diversity (Shannon)", "Branchenvielfalt (Shannon)", "nats (0..ln n)", "economic",
              f"Shannon entropy Σ p ln(1/p) of employment shares p by sector (the mine included), {_L12}; ln n for n equal sectors.",
              f"Shannon-Entropie Σ p ln(1/p) der Beschäftigtenanteile p der Branchen (mit Bergwerk), {_L12_DE}; ln n bei n gleich großen Branchen.", True),
    Indicator("hhi", "Concentration (Herfindahl)", "Konzentration (Herfindahl)", "index 1/n..1", "economic",
              f"Herfindahl index Σ p² of employment shares p by sector (the mine included), {_L12}; 1/n for n equal sectors, 1 for one sector.",
              f"Herfindahl-Index Σ p² der Beschäftigtenanteile p der Branchen (mit Bergwerk), {_L12_DE}; 1/n bei n gleich großen Branchen, 1 bei einer Branche.", False),
    Indicator("related_variety", "Related variety", "Verwandte Vielfalt", "nats", "economic",
              f"Employment-weighted entropy of sectors within their variety groups, Σ_g P_g H_g (Frenken et al. 2007), {_L12}.",
              f"Mit Beschäftigtenanteilen gewichtete Entropie der Branchen innerhalb ihrer Verwandtschaftsgruppen, Σ_g P_g H_g (Frenken et al. 2007), {_L12_DE}.", True),
    Indicator("unrelated_variety", "Unrelated variety", "Unverwandte Vielfalt", "nats", "economic",
              f"Entropy of employment shares between variety groups, Σ_g P_g ln(1/P_g) (Frenken et al. 2007), {_L12}; related + unrelated = Shannon entropy.",
              f"Entropie der Beschäftigtenanteile zwischen Verwandtschaftsgruppen, Σ_g P_g ln(1/P_g) (Frenken et al. 2007), {_L12_DE}; verwandte + unverwandte = Shannon-Entropie.", True),
    Indicator("local_sourcing_share", "Local sourcing share", "Anteil lokaler Beschaffung", "share 0..1", "economic",
              f"Intermediate inputs bought from firms in Bottrop / all intermediate inputs (local + imported), {_L12}.",
              f"Vorleistungen von Betrieben in Bottrop / alle Vorleistungen (lokal + importiert), {_L12_DE}.", True),
    Indicator("network_robustness", "Supply-network robustness", "Robustheit des Liefernetzes", "share 0..1", "economic",
              f"Output-weighted mean over buying firms of 1 − the largest local supplier's share of their local inputs (what survives the loss of the main supplier), {_L12}.",
              f"Produktionsgewichtetes Mittel über einkaufende Betriebe von 1 − Anteil des größten lokalen Lieferanten an ihren lokalen Vorleistungen, {_L12_DE}.", True),
    Indicator("co2", "CO2 emissions", "CO2-Emissionen", "t CO2 per year", "ecological",
              "Emissions of production (output × sector emission intensity): 12 × the mean monthly emissions of the last 12 months.",
              "Emissionen der Produktion (Produktion × Emissionsintensität der Branche): 12 × mittlere Monatsemissionen der letzten 12 Monate.", False),
    Indicator("green_jobs_share", "Green jobs share", "Anteil grüner Arbeitsplätze", "share 0..1", "ecological",
              f"Jobs in the green transition activity (energy retrofit) / workplace employment, {_L12}.",
              f"Arbeitsplätze in der grünen Transformation (energetische Sanierung) / Beschäftigung am Arbeitsort, {_L12_DE}.", True),
    Indicator("alliance_participation", "Alliance participation", "Beteiligung an der Allianz", "share 0..1", "social",
              f"Member firms of the Wirtschaftsallianz / active firms, {_L12}; 0 without an alliance.",
              f"Mitgliedsbetriebe der Wirtschaftsallianz / aktive Betriebe, {_L12_DE}; 0 ohne Allianz.", None),
    Indicator("alliance_trust", "Alliance trust", "Vertrauen in der Allianz", "index 0..1", "social",
              f"Mean trust of member firms (of all firms before anyone joined), {_L12}; NaN in settings without an alliance (none, city_led).",
              f"Mittleres Vertrauen der Mitgliedsbetriebe (aller Betriebe, solange niemand beigetreten ist), {_L12_DE}; NaN ohne Allianz (none, city_led).", None),
    Indicator("public_money_spent", "Public money spent", "Eingesetzte öffentliche Mittel", "EUR over the horizon", "economic",
              "Public money spent on governance, summed over the whole horizon: the city's programmes, administration and alliance coordinator, and the public project funding of the alliance's office (federal mine subsidies not included).",
              f"Öffentliche Mittel für die Steuerung, {_HORIZON_DE}: Programme, Verwaltung und Koordination der Stadt sowie die öffentliche Projektförderung der Geschäftsstelle der Allianz (Bundessubventionen des Bergbaus nicht enthalten).", None),
    Indicator("public_money_per_job_saved", "Public money per job saved", "Öffentliche Mittel je gesichertem Arbeitsplatz", "EUR per job", "economic",
              "Extra public money spent / extra workplace employment (mean of the last 12 months) against a reference run with the same seed, e.g. governance 'none'; NaN without a reference or if fewer than 1 job was saved.",
              "Zusätzlich eingesetzte öffentliche Mittel / zusätzliche Beschäftigung (Mittel der letzten 12 Monate) gegenüber einem Referenzlauf mit gleichem Seed, z. B. ohne Koordination; NaN ohne Referenz oder wenn weniger als 1 Arbeitsplatz gesichert wurde.", False),
    Indicator("resistance", "Resistance", "Widerstandsfähigkeit", "share of counterfactual employment", "resilience",
              f"Relative gap at the trough: (change of employment outside the mine since the pre-shock month − the twin's change) / the twin's employment outside the mine, at the month where it is lowest; {_TWIN} (Martin 2012; Martin et al. 2016). ≤ 0, 0 = no loss. The mine's own staff follow the closure path (the shock itself) and are left out.",
              f"Relative Lücke am Tiefpunkt: (Veränderung der Beschäftigung außerhalb des Bergwerks seit dem Monat vor dem Schock − Veränderung im Zwilling) / Beschäftigung des Zwillings außerhalb des Bergwerks, im Monat, in dem sie am niedrigsten ist; {_TWIN_DE} (Martin 2012; Martin et al. 2016). ≤ 0, 0 = kein Verlust. Die Belegschaft des Bergwerks folgt dem Stilllegungspfad (dem Schock selbst) und bleibt außen vor.", True),
    Indicator("recovery", "Recovery", "Erholung", "share of counterfactual employment", "resilience",
              f"How far the relative gap of employment outside the mine closes from the trough to the end of the horizon (its mean over the last 12 months − its value at the trough); {_TWIN} (Martin 2012; Martin et al. 2016). Positive = recovering, −resistance = fully recovered.",
              f"Wie weit sich die relative Lücke der Beschäftigung außerhalb des Bergwerks vom Tiefpunkt bis zum Ende des Zeithorizonts schließt (ihr Mittel der letzten 12 Monate − ihr Wert am Tiefpunkt); {_TWIN_DE} (Martin 2012; Martin et al. 2016). Positiv = Erholung, −Widerstandsfähigkeit = vollständige Erholung.", True),
    Indicator("resistance_workplace", "Resistance (mine included)", "Widerstandsfähigkeit (mit Bergwerk)", "share of counterfactual employment", "resilience",
              f"As resistance, on all workplace employment including the mine's own staff path; {_TWIN}. Dominated by the closure itself.",
              f"Wie Widerstandsfähigkeit, für die gesamte Beschäftigung am Arbeitsort einschließlich der Belegschaft des Bergwerks; {_TWIN_DE}. Von der Stilllegung selbst bestimmt.", True),
    Indicator("recovery_workplace", "Recovery (mine included)", "Erholung (mit Bergwerk)", "share of counterfactual employment", "resilience",
              f"As recovery, on all workplace employment including the mine's own staff path; {_TWIN}.",
              f"Wie Erholung, für die gesamte Beschäftigung am Arbeitsort einschließlich der Belegschaft des Bergwerks; {_TWIN_DE}.", True),
    Indicator("reorientation", "Re-orientation", "Neuausrichtung", "share 0..1", "resilience",
              f"Dissimilarity index ½ Σ |s − ŝ| between the sector shares of employment s of the run and ŝ of the twin (the mine's own staff excluded), {_L12} (Martin 2012; Martin et al. 2016). 0 = same structure; no direction.",
              f"Dissimilaritätsindex ½ Σ |s − ŝ| zwischen den Branchenanteilen der Beschäftigung s im Lauf und ŝ im Zwilling (ohne die Belegschaft des Bergwerks), {_L12_DE} (Martin 2012; Martin et al. 2016). 0 = gleiche Struktur; ohne Wertung.", None),
    Indicator("renewal", "Renewal", "Erneuerung", "per year (difference of growth rates)", "resilience",
              f"(Growth rate of employment outside the mine after the last shock month − before the first) − (the same for the twin); log growth per year by least squares; {_TWIN} (Martin 2012). Positive = a better growth path than the twin's.",
              f"(Wachstum der Beschäftigung außerhalb des Bergwerks nach dem letzten Schockmonat − vor dem ersten) − (dasselbe im Zwilling); logarithmisches Wachstum pro Jahr (kleinste Quadrate); {_TWIN_DE} (Martin 2012). Positiv = besserer Wachstumspfad als im Zwilling.", True),
)  # fmt: skip

#: Indicators a governance setting defines (shown, never judged better or worse: an alliance setting has members by construction).
GOVERNANCE_DEFINED = ("alliance_participation", "alliance_trust", "public_money_spent")

#: All indicators of the instrument, by name.
REGISTRY: dict[str, Indicator] = {indicator.name: indicator for indicator in _INDICATORS}

_LEVELS = {  # indicator -> column of indicator_series or the time series, averaged over the last months
    "employment": "employment_workplace",
    "unemployment_rate": "unemployment_rate",
    "firms": "firms",
    "shannon_entropy": "shannon_entropy",
    "hhi": "hhi",
    "related_variety": "related_variety",
    "unrelated_variety": "unrelated_variety",
    "local_sourcing_share": "local_sourcing_share",
    "network_robustness": "network_robustness",
    "green_jobs_share": "green_jobs_share",
    "alliance_participation": "alliance_participation",
}
_YEARLY_FLOWS = {"value_added": "value_added_eur", "co2": "co2_t"}
_HORIZON_TOTALS = {"start_ups": "firm_entries", "exits": "firm_exits", "public_money_spent": "public_money_eur"}


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """Ratio numerator / denominator, NaN where the denominator is 0."""
    return numerator.astype(float) / denominator.astype(float).where(denominator != 0)


def indicator_series(timeseries: pd.DataFrame, sectors: Sequence[str], variety_groups: Sequence[str]) -> pd.DataFrame:
    """Monthly derived indicators of a run.

    Args:
        timeseries: a run's time series (``SimulationResult.timeseries``), with
            columns ``employment_<sector>`` for every sector, ``employment_workplace``,
            ``green_jobs``, ``alliance_members`` and ``firms``.
        sectors: sector ids whose employment the diversity measures use.
        variety_groups: variety group of each sector (same order), e.g. ``SectorTable.variety_groups``.

    Returns:
        One row per month (same index as ``timeseries``) with ``date`` (if present),
        ``shannon_entropy`` (nats), ``hhi`` (index 1/n..1), ``related_variety`` and
        ``unrelated_variety`` (nats), ``green_jobs_share`` and ``alliance_participation`` (shares 0..1).
    """
    if len(sectors) != len(variety_groups):
        raise ValueError(f"{len(sectors)} sectors but {len(variety_groups)} variety groups")
    missing = [f"employment_{s}" for s in sectors if f"employment_{s}" not in timeseries.columns]
    if missing:
        raise KeyError(f"time series lacks the sector employment columns {missing}")
    by_sector = timeseries[[f"employment_{s}" for s in sectors]].to_numpy(dtype=float)
    related, unrelated = variety(by_sector, variety_groups)
    series = pd.DataFrame(index=timeseries.index)
    if "date" in timeseries.columns:
        series["date"] = timeseries["date"]
    series["shannon_entropy"] = shannon_entropy(by_sector)
    series["hhi"] = herfindahl(by_sector)
    series["related_variety"] = related
    series["unrelated_variety"] = unrelated
    series["green_jobs_share"] = _ratio(timeseries["green_jobs"], timeseries["employment_workplace"])
    series["alliance_participation"] = _ratio(timeseries["alliance_members"], timeseries["firms"])
    return series


def sectors_of(scenario: Scenario) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Sector ids and their variety groups as they appear in a run of the scenario.

    The table's sectors, plus the mine's sector (its own variety group) when the
    mine lies outside the table (its staff then appear only in ``mine_employment``).

    Args:
        scenario: the scenario that ran.

    Returns:
        (sectors, variety groups).
    """
    table = sector_table_for(scenario)
    sectors, groups = tuple(table.sectors), tuple(table.variety_groups)
    if scenario.mine.enabled and scenario.mine.sector not in sectors:
        sectors, groups = (*sectors, scenario.mine.sector), (*groups, scenario.mine.sector)
    return sectors, groups


def _with_mine_column(timeseries: pd.DataFrame, sectors: Sequence[str]) -> pd.DataFrame:
    """Add ``employment_<mine sector>`` from ``mine_employment`` where the table lacks the mine's sector."""
    absent = [s for s in sectors if f"employment_{s}" not in timeseries.columns]
    if not absent:
        return timeseries
    if len(absent) > 1 or "mine_employment" not in timeseries.columns:
        raise KeyError(f"time series lacks the sector employment columns {absent}")
    return timeseries.assign(**{f"employment_{absent[0]}": timeseries["mine_employment"]})


def jobs_saved_cost(run_scorecard: Mapping[str, float], reference_scorecard: Mapping[str, float]) -> float:
    """Public money per job saved, against a reference run with the same seed.

    Jobs saved = employment of the run − employment of the reference (both the
    mean over the last 12 months, persons); extra cost = public money spent by
    the run − by the reference (EUR over the horizon). Typical reference: the
    same scenario under governance "none" (which spends nothing).

    Undefined (NaN, never infinity) when fewer than ``MIN_JOBS_SAVED`` (1) jobs
    were saved, i.e. no jobs saved or jobs lost, or when an input is NaN. A value
    ≤ 0 means the jobs were saved at no extra public cost (or with savings).

    Args:
        run_scorecard: :func:`scorecard` of the run (keys ``employment``, ``public_money_spent``).
        reference_scorecard: :func:`scorecard` of the reference run.

    Returns:
        EUR per job saved, or NaN.
    """
    jobs = run_scorecard["employment"] - reference_scorecard["employment"]
    cost = run_scorecard["public_money_spent"] - reference_scorecard["public_money_spent"]
    if not (math.isfinite(jobs) and math.isfinite(cost)) or jobs < MIN_JOBS_SAVED:
        return math.nan
    return float(cost / jobs)


def _last_mean(values: pd.Series) -> float:
    tail = values.iloc[-LAST_MONTHS:].astype(float)
    return float(tail.mean()) if tail.notna().any() else math.nan


def scorecard(
    run: pd.DataFrame, twin: pd.DataFrame | None, scenario: Scenario, *, reference: Mapping[str, float] | None = None, recovery_months: int | None = None
) -> dict[str, float]:
    """One value per registry indicator for one run.

    Args:
        run: the run's time series (``SimulationResult.timeseries``).
        twin: the time series of its counterfactual twin (``scenario.without_shocks()``,
            same seed), or None: the resilience measures are then NaN.
        scenario: the scenario of the run (sector table, shock window, governance).
        reference: optional scorecard of a reference run (same seed, e.g. governance
            "none") for ``public_money_per_job_saved``; NaN without it.
        recovery_months: length of the recovery period (months); None: to the end of the horizon.

    Returns:
        ``{name: value}`` with exactly the keys of :data:`REGISTRY`, in its order,
        each in the indicator's unit (definitions in docs/monitoring.md).
    """
    if run.empty:
        raise ValueError("the run has no months")
    sectors, groups = sectors_of(scenario)
    run = _with_mine_column(run, sectors)
    twin = _with_mine_column(twin, sectors) if twin is not None else None
    table = pd.concat([run, indicator_series(run, sectors, groups).drop(columns="date", errors="ignore")], axis=1)
    values: dict[str, float] = {name: _last_mean(table[column]) for name, column in _LEVELS.items()}
    values |= {name: 12.0 * _last_mean(table[column]) for name, column in _YEARLY_FLOWS.items()}
    values |= {name: float(np.nansum(table[column].to_numpy(float))) for name, column in _HORIZON_TOTALS.items()}
    has_alliance = scenario.governance.mode in ALLIANCE_MODES
    values["alliance_trust"] = _last_mean(table["alliance_trust_mean"]) if has_alliance else math.nan
    values |= resilience_measures(run, twin, scenario, sectors, recovery_months)
    values["public_money_per_job_saved"] = jobs_saved_cost(values, reference) if reference is not None else math.nan
    return {name: values[name] for name in REGISTRY}
