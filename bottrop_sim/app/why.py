"""The "Why?" view's arithmetic: the difference A − B split by mechanism, switching each one off in turn on the same seeds.

A mechanism is a governance switch of the scenario (firm adaptation: customer
search, diversification, the green transition; the alliance: information
sharing, brokerage, joint projects, staff pooling; the hybrid coordinator's
relief; the city's programmes: diversification grants, retraining vouchers,
start-up grants). For a mechanism ``m`` that acts in a panel, its effect there
is ``f(panel) − f(panel without m)`` per seed; its share of the difference A − B
is its effect in A minus its effect in B (zero where it does not act), paired by
seed over the ensemble's common seeds. What the switched-off mechanisms do not
explain (interactions, and the settings that are not switches, such as a
budget or the founding date) is the rest: ``(A − B) − Σ shares``.

Switching off a city programme gives its share of the programme budget back
(the budget falls by that share, the other programmes keep their money), so
"off" removes the programme and nothing else.

Nothing here imports Solara.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from bottrop_sim.scenario.fields import get_value, with_values
from bottrop_sim.scenario.governance import ALLIANCE_MODES, GOVERNANCE_MODES
from bottrop_sim.scenario.loading import scenario_from_dict
from bottrop_sim.scenario.schema import Scenario
from bottrop_sim.statistics import Interval, interval

from .ensemble import Ensemble


@dataclass(frozen=True)
class Mechanism:
    """A mechanism that can be switched off.

    Attributes:
        key: name of the variant (also the CSS and test handle).
        label: {"de": ..., "en": ...}.
        modes: governance settings in which it acts.
        off: the scenario's fields (path -> value) with the mechanism switched off, from the scenario's data.
        active: whether it is switched on in a scenario's data.
    """

    key: str
    label: Mapping[str, str]
    modes: tuple[str, ...]
    off: Callable[[dict[str, Any]], dict[str, Any]]
    active: Callable[[dict[str, Any]], bool]


def _switch(path: str, key: str, de: str, en: str, modes: tuple[str, ...]) -> Mechanism:
    return Mechanism(key, {"de": de, "en": en}, modes, off=lambda data: {path: False}, active=lambda data: bool(get_value(data, path)))


def _programme(share_path: str, key: str, de: str, en: str) -> Mechanism:
    shares = ("governance.city.diversification_grant_share", "governance.city.retraining_share", "governance.city.startup_grant_share")

    def off(data: dict[str, Any]) -> dict[str, Any]:
        share = float(get_value(data, share_path))
        rest = 1.0 - share
        values: dict[str, Any] = {"governance.city.budget_eur_year": float(get_value(data, "governance.city.budget_eur_year")) * rest}
        for path in shares:
            values[path] = 0.0 if path == share_path else float(get_value(data, path)) / rest
        return values

    def active(data: dict[str, Any]) -> bool:
        share = float(get_value(data, share_path))
        return 0.0 < share < 1.0 and float(get_value(data, "governance.city.budget_eur_year")) > 0

    return Mechanism(key, {"de": de, "en": en}, ("city_led",), off=off, active=active)


MECHANISMS: tuple[Mechanism, ...] = (
    _switch("governance.adaptation.customer_search", "customer_search", "Kundensuche der Betriebe", "Firms' customer search", GOVERNANCE_MODES),
    _switch(
        "governance.adaptation.diversification",
        "diversification",
        "Diversifizierung in verwandte Branchen",
        "Diversification into related sectors",
        GOVERNANCE_MODES,
    ),
    _switch(
        "governance.adaptation.green_transition", "green_transition", "Grüne Sanierung als eigene Tätigkeit", "Green retrofit as an activity", GOVERNANCE_MODES
    ),
    _switch(
        "governance.alliance.information_sharing", "information_sharing", "Allianz: Informationsaustausch", "Alliance: information sharing", ALLIANCE_MODES
    ),
    _switch("governance.alliance.brokerage", "brokerage", "Allianz: Lieferanten vermitteln", "Alliance: supplier brokerage", ALLIANCE_MODES),
    _switch("governance.alliance.projects", "projects", "Allianz: Reallabore", "Alliance: real-world labs", ALLIANCE_MODES),
    _switch("governance.alliance.staff_pooling", "staff_pooling", "Allianz: Personalpool", "Alliance: staff pooling", ALLIANCE_MODES),
    Mechanism(
        "coordinator_relief",
        {"de": "Hybrid: Entlastung durch den Koordinator", "en": "Hybrid: the coordinator's relief"},
        ("hybrid",),
        off=lambda data: {"governance.hybrid.cost_reduction_share": 0.0},
        active=lambda data: float(get_value(data, "governance.hybrid.cost_reduction_share")) > 0,
    ),
    _programme("governance.city.diversification_grant_share", "diversification_grants", "Stadt: Diversifizierungszuschüsse", "City: diversification grants"),
    _programme("governance.city.retraining_share", "retraining", "Stadt: Umschulungsgutscheine", "City: retraining vouchers"),
    _programme("governance.city.startup_grant_share", "startup_grants", "Stadt: Gründungszuschüsse", "City: start-up grants"),
)
"""Every mechanism the "Why?" view can switch off, in the order it lists them."""

MECHANISM_BY_KEY = {m.key: m for m in MECHANISMS}
REST = "rest"


def mechanisms_of(scenario: Scenario) -> list[Mechanism]:
    """The mechanisms that act in a scenario (its governance setting, switched on; none in the static behaviour mode)."""
    if scenario.behaviour != "adaptive":
        return []
    data = scenario.model_dump()
    return [m for m in MECHANISMS if scenario.governance.mode in m.modes and m.active(data)]


def without(scenario: Scenario, mechanism: Mechanism) -> Scenario:
    """The scenario with one mechanism switched off (validated like a scenario file)."""
    data = scenario.model_dump()
    return scenario_from_dict(with_values(data, mechanism.off(data)), source=f"<{scenario.name} without {mechanism.key}>")


def variants(panels: Mapping[str, Scenario]) -> dict[str, dict[str, Scenario]]:
    """Per mechanism acting in any panel: panel -> that panel's scenario without it (only panels where it acts)."""
    result: dict[str, dict[str, Scenario]] = {}
    for panel, scenario in panels.items():
        for mechanism in mechanisms_of(scenario):
            result.setdefault(mechanism.key, {})[panel] = without(scenario, mechanism)
    return {m.key: result[m.key] for m in MECHANISMS if m.key in result}


@dataclass(frozen=True)
class Share:
    """One mechanism's share of the difference A − B in one indicator, over common seeds."""

    key: str
    spread: Interval
    in_panels: tuple[str, ...]


def split(ensemble: Ensemble, keys: list[str], name: str) -> tuple[Interval, list[Share], Interval]:
    """The difference A − B of indicator ``name``, each mechanism's share of it, and the rest, paired by seed.

    Only replications for which every run needed has arrived are used, so the
    shares and the rest add up to the total seed by seed.

    Args:
        ensemble: the ensemble whose variants (one per key in ``keys``) were added with :func:`variants`.
        keys: mechanism keys, in the order to show them.
        name: an indicator of the scorecard.
    """
    a, b = ensemble.members("A"), ensemble.members("B")
    offs = {key: {panel: ensemble.members(panel, key) for panel in ("A", "B")} for key in keys}
    acting = {key: tuple(p for p in ("A", "B") if ensemble.expects(p, key)) for key in keys}
    complete = sorted(r for r in set(a) & set(b) if all(r in offs[key][p] for key in keys for p in acting[key]))
    total = np.array([a[r].scores.get(name, math.nan) - b[r].scores.get(name, math.nan) for r in complete], float)
    shares, explained = [], np.zeros(len(complete))
    for key in keys:
        effect = np.zeros(len(complete))
        for panel, sign in (("A", 1.0), ("B", -1.0)):
            if panel in acting[key]:
                full = a if panel == "A" else b
                effect += sign * np.array([full[r].scores.get(name, math.nan) - offs[key][panel][r].scores.get(name, math.nan) for r in complete], float)
        explained += effect
        shares.append(Share(key, interval(effect), acting[key]))
    return interval(total), shares, interval(total - explained)
