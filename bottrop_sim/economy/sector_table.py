"""The sector table: regional input coefficients and sector characteristics.

A table has one row per sector. ``A[i, j]`` (as held here) is the EUR bought from
local sector ``i`` per EUR of output of sector ``j`` (the usual column convention
of input-output analysis); in the CSV file a row is the *buying* sector and its
``a_<supplier>`` columns give its purchases per EUR of its own output.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bottrop_sim.errors import ScenarioError, ScenarioErrors

REQUIRED_COLUMNS = ("sector", "final_demand_eur_month", "labour_per_output", "emission_per_output")

#: Optional columns with the default used when a custom table leaves them out
#: (stated assumptions, see docs/calibration.md).
OPTIONAL_COLUMNS: dict[str, float | str | None] = {
    "label_en": None,
    "label_de": None,
    "wz2008": "",
    "variety_group": None,  # defaults to the sector id (every sector its own group)
    "import_per_output": 0.3,
    "wage_eur_month": 3000.0,
    "export_share": 0.5,
    "household_consumption_share": 0.2,
    "mean_establishment_size": 15.0,
    "energy_cost_share": 0.03,
    "skill_low": 0.2,
    "skill_medium": 0.6,
    "skill_high": 0.2,
    "employment_2015": None,
}

SKILLS = ("low", "medium", "high")
_SECTOR_ID = r"^[a-z][a-z0-9_]{0,39}$"


@dataclass(frozen=True)
class SectorTable:
    """An input-output sector table (all arrays indexed by sector position).

    Attributes:
        sectors: sector ids.
        input_coefficients: ``A[i, j]``, EUR from local sector i per EUR output of j.
        final_demand: exogenous final demand, EUR per month.
        labour_per_output: persons per EUR of monthly output.
        emission_per_output: t CO2 per EUR of output.
        import_per_output: EUR of imported inputs per EUR of output.
        wage: gross wage, EUR per employee-month.
        export_share: share 0..1 of final demand coming from outside the region.
        household_share: share 0..1 of final demand that is local household spending.
        mean_establishment_size: employees per establishment.
        energy_cost_share: energy bought per EUR of output (what an energy price shock acts on).
        skill_shares: (sectors x 3) shares of low, medium, high skilled staff.
        variety_groups: group id per sector for related variety.
        labels_en, labels_de: human-readable labels.
        source: where the table came from (file path or "default").
    """

    sectors: tuple[str, ...]
    input_coefficients: np.ndarray
    final_demand: np.ndarray
    labour_per_output: np.ndarray
    emission_per_output: np.ndarray
    import_per_output: np.ndarray
    wage: np.ndarray
    export_share: np.ndarray
    household_share: np.ndarray
    mean_establishment_size: np.ndarray
    energy_cost_share: np.ndarray
    skill_shares: np.ndarray
    variety_groups: tuple[str, ...]
    labels_en: tuple[str, ...]
    labels_de: tuple[str, ...]
    source: str = "default"
    employment_2015: np.ndarray | None = field(default=None)

    @property
    def n(self) -> int:
        """Number of sectors."""
        return len(self.sectors)

    def index(self, sector: str) -> int:
        """Position of a sector id (KeyError if absent)."""
        try:
            return self.sectors.index(sector)
        except ValueError:
            raise KeyError(sector) from None

    def leontief_output(self, final_demand: np.ndarray | None = None) -> np.ndarray:
        """Sector outputs x = (I - A)^-1 f, EUR per month."""
        f = self.final_demand if final_demand is None else np.asarray(final_demand, float)
        return np.linalg.solve(np.eye(self.n) - self.input_coefficients, f)

    def value_added_share(self) -> np.ndarray:
        """Value added per EUR of output: 1 - local inputs - imported inputs."""
        return 1.0 - self.input_coefficients.sum(axis=0) - self.import_per_output


def derive_final_demand(input_coefficients: np.ndarray, employment: np.ndarray, labour_per_output: np.ndarray) -> np.ndarray:
    """Final demand that makes the Leontief solution employ ``employment``.

    Args:
        input_coefficients: A[i, j] as in :class:`SectorTable`.
        employment: persons per sector (the calibration target).
        labour_per_output: persons per EUR of monthly output.

    Returns:
        f = (I - A) x with x = employment / labour_per_output, EUR per month.
    """
    x = np.asarray(employment, float) / np.asarray(labour_per_output, float)
    return x - np.asarray(input_coefficients) @ x


def default_table_path() -> Path:
    """Path of the shipped Bottrop 2015 sector table."""
    return Path(str(resources.files("bottrop_sim.data").joinpath("sector_table.csv")))


def load_sector_table(path: str | Path | None = None) -> SectorTable:
    """Read and validate a sector table CSV.

    Args:
        path: CSV file; ``None`` loads the shipped default table.

    Raises:
        ScenarioError: naming the file, the row/column and what is allowed.
    """
    csv_path = default_table_path() if path is None else Path(path)
    if not csv_path.is_file():
        raise ScenarioError(csv_path, "economy.sector_table", str(csv_path), "an existing CSV file (path relative to the scenario file)")
    return _table_from_frame(_read_cells(csv_path), csv_path, "default" if path is None else str(csv_path))


def _read_cells(csv_path: Path) -> pd.DataFrame:
    """The table's cells as text, exactly as written (no type guessing, no silent realignment)."""
    try:
        with csv_path.open(newline="", encoding="utf-8-sig") as handle:
            rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ScenarioError(csv_path, "<file>", str(exc).strip(), "a comma-separated UTF-8 table with a header row") from None
    except OSError as exc:
        raise ScenarioError(csv_path, "<file>", exc.strerror or str(exc), "a readable CSV file") from None
    if not rows:
        raise ScenarioError(csv_path, "<file>", "", "a comma-separated table with a header row")
    header = [name.strip() for name in rows[0]]
    for number, row in enumerate(rows[1:], start=1):
        if len(row) != len(header):
            raise ScenarioError(csv_path, f"row {number}", row, f"{len(header)} cells, one per header column ({', '.join(header)})")
    return pd.DataFrame([[cell.strip() for cell in row] for row in rows[1:]], columns=header, dtype=object)


def _cell_value(text: str) -> float | str:
    """A cell as given, for error messages: its number if it reads as one, else its text."""
    try:
        return float(text)
    except ValueError:
        return text


def _table_from_frame(frame: pd.DataFrame, csv_path: Path, source: str) -> SectorTable:
    errors: list[ScenarioError] = []

    def bad(field_name: str, value: object, allowed: str) -> None:
        errors.append(ScenarioError(csv_path, field_name, value, allowed))

    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ScenarioError(
            csv_path,
            "columns",
            list(frame.columns),
            f"a header with the columns {', '.join(REQUIRED_COLUMNS)} and a_<sector> for each sector (missing: {', '.join(missing)})",
        )
    if frame.empty:
        raise ScenarioError(csv_path, "rows", 0, "at least one sector row")
    sectors = [str(s).strip() for s in frame["sector"]]
    for row, sector in enumerate(sectors):
        if not pd.Series([sector]).str.match(_SECTOR_ID).iloc[0]:
            bad(f"row {row + 1}.sector", sector, "a lower-case id of letters, digits and '_' starting with a letter")
    duplicates = sorted({s for s in sectors if sectors.count(s) > 1})
    if duplicates:
        bad("sector", duplicates, "each sector once")
    duplicate_columns = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if duplicate_columns:
        bad("columns", duplicate_columns, "each column once")
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS) | {f"a_{s}" for s in sectors}
    for column in dict.fromkeys(frame.columns):
        if column not in known:
            if column.startswith("a_"):
                bad(f"columns.{column}", column[2:], f"a supplier named in the sector column: {', '.join(dict.fromkeys(sectors))}")
            else:
                allowed = [*sorted(set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)), "a_<sector>"]
                bad(f"columns.{column}", column, ", ".join(allowed))
    if errors:
        raise ScenarioErrors(errors)

    def numeric(column: str, default: float | None, low: float, high: float, allowed: str) -> np.ndarray:
        if column not in frame.columns:
            return np.full(len(sectors), float(default if default is not None else np.nan))
        cells = [_cell_value(text) for text in frame[column]]
        values = np.array([cell if isinstance(cell, float) else np.nan for cell in cells], float)
        for row, value in enumerate(values):
            if not np.isfinite(value) or value < low or value > high:
                bad(f"{sectors[row]}.{column}", cells[row], allowed)
        return np.nan_to_num(values)

    n = len(sectors)
    coefficients = np.zeros((n, n))
    for i, supplier in enumerate(sectors):
        column = f"a_{supplier}"
        if column in frame.columns:
            coefficients[i, :] = numeric(column, 0.0, 0.0, 1.0, "a number between 0 and 1 (EUR per EUR of output)")
    final_demand = numeric("final_demand_eur_month", None, 0.0, 1e13, "a finite number >= 0 (EUR per month)")
    labour = numeric("labour_per_output", None, 1e-9, 1.0, "a number in [1e-9, 1] (persons per EUR of monthly output)")
    emission = numeric("emission_per_output", None, 0.0, 1.0, "a number in [0, 1] (t CO2 per EUR)")
    imports = numeric("import_per_output", OPTIONAL_COLUMNS["import_per_output"], 0.0, 1.0, "a number in [0, 1]")  # type: ignore[arg-type]
    wage = numeric("wage_eur_month", OPTIONAL_COLUMNS["wage_eur_month"], 0.0, 1e6, "a number in [0, 1e6] (EUR per month)")  # type: ignore[arg-type]
    export_share = numeric("export_share", OPTIONAL_COLUMNS["export_share"], 0.0, 1.0, "a share in [0, 1]")  # type: ignore[arg-type]
    household_share = numeric("household_consumption_share", OPTIONAL_COLUMNS["household_consumption_share"], 0.0, 1.0, "a share in [0, 1]")  # type: ignore[arg-type]
    size = numeric("mean_establishment_size", OPTIONAL_COLUMNS["mean_establishment_size"], 1.0, 1e6, "a number >= 1 (employees)")  # type: ignore[arg-type]
    energy = numeric("energy_cost_share", OPTIONAL_COLUMNS["energy_cost_share"], 0.0, 1.0, "a share in [0, 1] (EUR of energy per EUR of output)")  # type: ignore[arg-type]
    skills = np.column_stack([numeric(f"skill_{k}", OPTIONAL_COLUMNS[f"skill_{k}"], 0.0, 1.0, "a share in [0, 1]") for k in SKILLS])  # type: ignore[arg-type]
    employment = numeric("employment_2015", 0.0, 0.0, 1e7, "a number >= 0 (persons)") if "employment_2015" in frame.columns else None
    if errors:
        raise ScenarioErrors(errors)

    for j, sector in enumerate(sectors):
        local = coefficients[:, j].sum()
        if local + imports[j] >= 1.0:
            bad(
                f"{sector}.a_*", round(float(local + imports[j]), 6), "local input coefficients plus import_per_output below 1 (value added must stay positive)"
            )
        if export_share[j] + household_share[j] > 1.0 + 1e-9:
            bad(f"{sector}.export_share+household_consumption_share", round(float(export_share[j] + household_share[j]), 6), "a sum of at most 1")
        if abs(skills[j].sum() - 1.0) > 1e-6:
            bad(f"{sector}.skill_low+skill_medium+skill_high", round(float(skills[j].sum()), 6), "shares summing to 1")
    if errors:
        raise ScenarioErrors(errors)

    def text(column: str, fallback: list[str]) -> tuple[str, ...]:
        if column not in frame.columns:
            return tuple(fallback)
        return tuple(str(v) if str(v) else fallback[i] for i, v in enumerate(frame[column]))

    return SectorTable(
        sectors=tuple(sectors),
        input_coefficients=coefficients,
        final_demand=final_demand,
        labour_per_output=labour,
        emission_per_output=emission,
        import_per_output=imports,
        wage=wage,
        export_share=export_share,
        household_share=household_share,
        mean_establishment_size=size,
        energy_cost_share=energy,
        skill_shares=skills,
        variety_groups=text("variety_group", sectors),
        labels_en=text("label_en", sectors),
        labels_de=text("label_de", sectors),
        source=source,
        employment_2015=employment,
    )


@lru_cache(maxsize=32)
def _cached_table(path: str | None, stamp: float) -> SectorTable:
    return load_sector_table(path)


def sector_table_for(scenario: Any) -> SectorTable:
    """The sector table a scenario names in ``economy.sector_table`` (cached per file and modification time).

    Args:
        scenario: a validated scenario (anything with ``economy.sector_table``: a path or None for the shipped table).
    """
    path = scenario.economy.sector_table
    stamp = Path(path).stat().st_mtime if path else 0.0
    return _cached_table(path, stamp)
