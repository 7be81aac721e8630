"""Sectoral diversity of employment: Shannon entropy, Herfindahl index, related and unrelated variety.

All functions take employment shares (or counts: rows are normalised to shares)
with sectors along the last axis, so that one call handles a single month
(1-D) or a whole run (2-D, months × sectors). Entropies are in nats (natural
logarithm); sectors with a zero share contribute nothing (0 · ln 0 = 0).

Definitions (Frenken, Van Oort & Verburg 2007, "Related variety, unrelated
variety and regional economic growth", Regional Studies 41(5), 685-697), with
shares p_i of sectors i and group shares P_g = Σ_{i∈g} p_i:

* entropy H = Σ_i p_i ln(1/p_i); bounds 0 (one sector) ≤ H ≤ ln n (equal shares);
* Herfindahl index HHI = Σ_i p_i²; bounds 1/n (equal shares) ≤ HHI ≤ 1;
* unrelated variety UV = Σ_g P_g ln(1/P_g), the entropy between groups;
* related variety RV = Σ_g P_g H_g with H_g = Σ_{i∈g} (p_i/P_g) ln(P_g/p_i),
  the share-weighted entropy within groups.

By the decomposition theorem of entropy (Theil 1972), H = UV + RV exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike


def shares(employment: ArrayLike) -> np.ndarray:
    """Normalise employment along the last axis to shares 0..1 (NaN where the total is 0).

    Args:
        employment: persons (or shares) by sector, last axis = sectors; must be ≥ 0.

    Returns:
        Shares of the same shape, each row summing to 1.
    """
    values = np.asarray(employment, dtype=float)
    if np.any(values < 0):
        raise ValueError("employment by sector must be non-negative")
    totals = values.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, values / np.where(totals > 0, totals, 1.0), np.nan)


def _plogp(p: np.ndarray) -> np.ndarray:
    """Elementwise p · ln(1/p), with 0 · ln(1/0) = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0)


def shannon_entropy(employment: ArrayLike) -> np.ndarray | float:
    """Shannon entropy of employment shares, in nats.

    Args:
        employment: persons or shares by sector (last axis).

    Returns:
        H = Σ p_i ln(1/p_i): 0 for one sector, ln n for n equal sectors (a float for 1-D input).
    """
    p = shares(employment)
    result = _plogp(p).sum(axis=-1)
    result = np.where(np.isnan(p).any(axis=-1), np.nan, result)
    return float(result) if result.ndim == 0 else result


def herfindahl(employment: ArrayLike) -> np.ndarray | float:
    """Herfindahl(-Hirschman) index of employment shares, share 0..1.

    Args:
        employment: persons or shares by sector (last axis).

    Returns:
        HHI = Σ p_i²: 1/n for n equal sectors, 1 for one sector (a float for 1-D input).
    """
    p = shares(employment)
    result = (p**2).sum(axis=-1)
    return float(result) if result.ndim == 0 else result


def group_matrix(groups: Sequence[str]) -> tuple[tuple[str, ...], np.ndarray]:
    """Indicator matrix of sectors (rows) in variety groups (columns).

    Args:
        groups: the variety group of each sector, in sector order.

    Returns:
        The distinct groups in order of first appearance and a (sectors × groups) 0/1 matrix.
    """
    names = tuple(dict.fromkeys(groups))
    matrix = np.zeros((len(groups), len(names)))
    for i, group in enumerate(groups):
        matrix[i, names.index(group)] = 1.0
    return names, matrix


def variety(employment: ArrayLike, groups: Sequence[str]) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Related and unrelated variety (Frenken, Van Oort & Verburg 2007), in nats.

    Args:
        employment: persons or shares by sector (last axis).
        groups: the variety group of each sector (same order as the last axis),
            e.g. ``SectorTable.variety_groups``.

    Returns:
        (related variety RV, unrelated variety UV); RV + UV equals the Shannon
        entropy of the sector shares.
    """
    p = shares(employment)
    if p.shape[-1] != len(groups):
        raise ValueError(f"{p.shape[-1]} sectors but {len(groups)} variety groups")
    _, membership = group_matrix(groups)
    group_shares = p @ membership  # P_g
    unrelated = _plogp(group_shares).sum(axis=-1)
    # Σ_g P_g H_g = Σ_i p_i ln(P_g(i)/p_i) = H - UV, computed term by term (not as a difference).
    own_group_share = group_shares @ membership.T  # P_g(i) for each sector i
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(np.where(own_group_share > 0, own_group_share, 1.0)) - np.log(np.where(p > 0, p, 1.0))), 0.0)
    related = terms.sum(axis=-1)
    missing = np.isnan(p).any(axis=-1)
    related, unrelated = np.where(missing, np.nan, related), np.where(missing, np.nan, unrelated)
    if related.ndim == 0:
        return float(related), float(unrelated)
    return related, unrelated
