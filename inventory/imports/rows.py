"""Reading the CSV file into rows, with the problems a row shows on its own."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from tqdm import tqdm

from .. import moments
from ..choices import Status
from ..errors import MomentRefused
from ..models import Asset
from ..registration import REGISTRATION_STATUSES
from ..text import text_problem

COLUMNS = (
    "serial_number",
    "asset_tag",
    "manufacturer",
    "model_number",
    "site",
    "parent_serial_number",
    "status",
    "deployed_at",
)
REQUIRED_COLUMNS = ("serial_number", "manufacturer", "model_number", "site")
MAX_LENGTH = {name: Asset._meta.get_field(name).max_length for name in ("serial_number", "asset_tag")}


@dataclass(frozen=True)
class RowError:
    """One problem with one field of one line of the file (line 1 is the header)."""

    line: int
    field: str
    message: str

    def __str__(self):
        where = f"line {self.line}, " if self.line else ""  # line 0: the file as a whole
        return f"{where}{self.field}: {self.message}"


class ImportRefused(Exception):
    """The file has bad rows; nothing was imported. ``errors`` lists every problem, by line."""

    code = "import_refused"

    def __init__(self, errors: Iterable[RowError]):
        # By line, then in the order of the columns (problems of the whole row first).
        self.errors = sorted(errors, key=lambda e: (e.line, COLUMNS.index(e.field) if e.field in COLUMNS else -1))
        lines = {error.line for error in self.errors}
        super().__init__(
            f"{len(self.errors)} problem(s) on {len(lines)} line(s); nothing was imported. "
            + " ".join(f"{error}." for error in self.errors)
        )

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "detail": "The file has bad rows; nothing was imported.",
            "errors": [{"line": e.line, "field": e.field, "message": e.message} for e in self.errors],
        }


@dataclass
class Row:
    line: int
    serial_number: str
    asset_tag: str | None
    manufacturer: str
    model_number: str
    site_code: str
    parent_serial: str
    status: str  # blank: in_stock, or the parent's state
    deployed_at: datetime | None


def read_rows(stream: TextIO, *, progress: bool) -> tuple[list[Row], list[RowError]]:
    reader = csv.reader(stream)
    errors: list[RowError] = []
    try:
        header = next(reader, None)
        if header is None:
            raise ImportRefused([RowError(1, "header", "the file is empty")])
        columns = [column.strip().lower() for column in header]
        _check_header(columns)
        rows = []
        for line, values in tqdm(_records(reader), desc="Checking rows", unit=" rows", disable=bar_disabled(progress)):
            if len(values) != len(columns):
                errors.append(RowError(line, "row", f"has {len(values)} fields; the header has {len(columns)}"))
                continue
            rows.append(_parse(line, dict(zip(columns, (value.strip() for value in values), strict=True)), errors))
    except UnicodeDecodeError as error:
        # The text is decoded a buffer at a time, ahead of the line being read: no line to name.
        raise ImportRefused([RowError(0, "file", f"is not UTF-8 text ({error.reason}); save it as UTF-8 CSV")])
    except csv.Error as error:
        raise ImportRefused([RowError(reader.line_num, "file", f"is not valid CSV ({error})")])
    return rows, errors


def _records(reader) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank record with the line it starts on (a quoted field may span lines)."""
    start = reader.line_num + 1
    for values in reader:
        if any(value.strip() for value in values):
            yield start, values
        start = reader.line_num + 1


def _check_header(columns: list[str]) -> None:
    errors = [RowError(1, column, "missing required column") for column in REQUIRED_COLUMNS if column not in columns]
    for column, count in Counter(columns).items():
        if column not in COLUMNS:
            errors.append(RowError(1, column or "(blank)", f"unknown column; the columns are {', '.join(COLUMNS)}"))
        elif count > 1:
            errors.append(RowError(1, column, "appears more than once"))
    if errors:
        raise ImportRefused(errors)


def _parse(line: int, values: dict[str, str], errors: list[RowError]) -> Row:
    def error(column: str, message: str):
        errors.append(RowError(line, column, message))

    unstorable = set()
    for column, value in values.items():
        problem = text_problem(value)
        if problem:  # a cell PostgreSQL cannot hold: refused by its line and column, never looked up
            error(column, problem.rstrip("."))
            unstorable.add(column)
    for column in unstorable:
        values[column] = ""
    for column in REQUIRED_COLUMNS:
        if column not in unstorable and not values.get(column):
            error(column, "is required")
    for column, limit in MAX_LENGTH.items():
        if len(values.get(column, "")) > limit:
            error(column, f"is longer than {limit} characters")
    status = values.get("status", "").lower()
    if status and status not in REGISTRATION_STATUSES:
        reason = "not a state an asset is imported in" if status in Status.values else "not a state"
        error("status", f"{status!r} is {reason}; use in_stock or deployed")
        status = ""
    deployed_at = _parse_time(values.get("deployed_at", ""), lambda message: error("deployed_at", message))
    return Row(
        line=line,
        serial_number=values["serial_number"],
        asset_tag=values.get("asset_tag") or None,
        manufacturer=values["manufacturer"],
        model_number=values["model_number"],
        site_code=values["site"],
        parent_serial=values.get("parent_serial_number", ""),
        status=status,
        deployed_at=deployed_at,
    )


def _parse_time(text: str, error) -> datetime | None:
    """A moment by the one rule (``inventory.moments``): with its time zone, 1990 … now."""
    if not text:
        return None
    try:
        return moments.parse_moment(text, field="deployed_at")
    except MomentRefused as refused:
        error(refused.sentence.rstrip("."))
        return None


def bar_disabled(progress: bool) -> bool | None:
    # tqdm: None draws only on a terminal, True never draws.
    return None if progress else True
