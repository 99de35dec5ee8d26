"""Write the nightly library report as CSV for the support and finance teams.

One row per photo with its metadata and duplicate status. The file is opened in Excel by
non-engineers, so it is written with a UTF-8 BOM, ISO dates, and cells that could be read as
formulas are escaped (CSV injection, OWASP).
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Iterable, Optional

from .duplicates import DuplicateGroup
from .exif_extractor import PhotoMetadata

REPORT_COLUMNS = [
    "path",
    "taken_at",
    "camera",
    "width",
    "height",
    "latitude",
    "longitude",
    "duplicate_of",
]

# Characters that make Excel / LibreOffice treat a cell as a formula.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def write_report(
    out_path: Path,
    photos: Iterable[PhotoMetadata],
    duplicate_groups: Iterable[DuplicateGroup] = (),
) -> int:
    """Write one CSV row per photo to ``out_path``; returns the number of rows written.

    The file is written to a temporary name and renamed at the end, so a crash never leaves
    a half-written report where the downstream import job would pick it up.
    """
    duplicate_of = _duplicate_index(duplicate_groups)
    tmp_path = out_path.with_suffix(out_path.suffix + ".partial")
    rows = 0
    with open(tmp_path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.DictWriter(fh, fieldnames=REPORT_COLUMNS, quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        for meta in photos:
            writer.writerow(_row(meta, duplicate_of.get(meta.path)))
            rows += 1
    tmp_path.replace(out_path)
    return rows


def _duplicate_index(groups: Iterable[DuplicateGroup]) -> dict[str, str]:
    index: dict[str, str] = {}
    for group in groups:
        for dup in group.duplicates:
            index[str(dup)] = str(group.keep)
    return index


def _row(meta: PhotoMetadata, duplicate_of: Optional[str]) -> dict[str, str]:
    camera = " ".join(p for p in (meta.camera_make, meta.camera_model) if p)
    return {
        "path": _safe_cell(meta.path),
        "taken_at": _format_datetime(meta.taken_at),
        "camera": _safe_cell(camera),
        "width": _format_number(meta.width),
        "height": _format_number(meta.height),
        "latitude": _format_number(meta.latitude),
        "longitude": _format_number(meta.longitude),
        "duplicate_of": _safe_cell(duplicate_of or ""),
    }


def _safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas by prefixing a single quote."""
    if value and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def _format_datetime(value: Optional[datetime]) -> str:
    return value.isoformat(sep=" ", timespec="seconds") if value else ""


def _format_number(value: Optional[float]) -> str:
    return "" if value is None else str(value)
