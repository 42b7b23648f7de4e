"""Every CSV the product writes goes through ``write_csv``; every cell through ``csv_cell``.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula (and
some take a leading tab or carriage return the same way), so text written into a CSV —
a center code, a vendor, a serial number typed by anyone — could become
``=HYPERLINK(...)`` or a DDE command on an auditor's machine ("CSV injection", OWASP).
``csv_cell`` neutralises such text the way OWASP recommends: a leading apostrophe, which
spreadsheets show as text and do not print, and which stays readable in any other tool.

Values the product writes *as numbers* (``int``, ``float``, ``Decimal``) are left as they
are: a negative rate or reduction, ``-0.298``, is data, not user text, and a figures file
must stay machine-readable. A number that arrives as text is text, and is neutralised.
``True``/``False`` are ``true``/``false``; ``None`` is an empty cell (no value).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """The text of one cell: numbers as numbers, text that a spreadsheet would run neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def write_csv(columns: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """A CSV document (UTF-8 text, comma-separated, CRLF, a header row) of typed ``rows``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(column) for column in columns])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


__all__ = ["csv_cell", "write_csv"]
