"""CSV import of assets: every row, or none.

The file has a header row naming its columns (any order):

=======================  ========  ==================================================
column                   required  value
=======================  ========  ==================================================
``serial_number``        yes       unique in the file and in the database
``asset_tag``                      unique when given
``manufacturer``         yes       with ``model_number``: an existing part model
``model_number``         yes
``site``                 yes       code of an existing site, e.g. ``AMS05``
``parent_serial_number``           the asset it is installed in: a row of the file
                                   (earlier or later) or an asset in the database
``status``                         ``in_stock`` (default) or ``deployed``
``deployed_at``                    ISO 8601 date and time with its time zone
=======================  ========  ==================================================

``import_assets`` reads the whole file and checks every row against the file and the
database before writing anything. If any row is bad it raises ``ImportRefused`` with
every problem, each naming its line and column (``line 7, site: no site with code
'XYZ01'``), and writes nothing. Otherwise it creates every asset, parents before their
components, in one transaction.

Decisions (see docs/import.md):

* A component shares its parent's state and site (the lifecycle moves them together), so
  a row with a parent must be at the parent's site; a blank ``status`` takes the
  parent's, and a different explicit one is an error.
* Each asset gets one registration event (``inventory.registration``): source
  ``import``, ``from_status`` = ``to_status`` = its status, note ``Imported from <file>,
  line <n>``, ``occurred_at`` its ``deployed_at`` when the row has one (its history
  starts then, SPEC section 2 "Time"), otherwise the time of the import.
* A ``deployed_at`` follows the one rule of a moment (``inventory.moments``): ISO 8601
  with its time zone (``Z`` or an offset within ±14:00), from 1990-01-01T00:00Z to five
  minutes after now. A value without a time zone, or a date alone, is an error of its
  line: a spreadsheet's "2021-03-04" does not say when, nor where. A blank one stays blank
  (unknown).
* Unknown columns are an error, so a misspelt optional column is not silently ignored.
* An import for a user with an access scope (``scope``) reads as if nothing outside it
  existed: a site or parent outside the scope is unknown ("no site with code ..."), and a
  serial number or asset tag held outside it is "not available". Such a row is refused
  with its line number, like any bad row, and nothing is written.
"""

from __future__ import annotations

from typing import TextIO

from django.db import IntegrityError, transaction

from ..choices import Source
from ..scopes import Scope
from .plan import ImportResult, Plan
from .rows import COLUMNS, REQUIRED_COLUMNS, ImportRefused, RowError, read_rows


def import_assets(
    stream: TextIO,
    *,
    name: str = "",
    source: str = Source.IMPORT,
    actor=None,
    scope: Scope | None = None,
    progress: bool = False,
) -> ImportResult:
    """Import the assets of a CSV text stream: all rows or none (see the module docstring).

    ``name`` (the file name) goes into each event's note. ``scope`` is the importing
    user's access scope (``None``: unlimited). ``progress`` shows tqdm progress bars on a
    terminal. Raises ``ImportRefused`` listing every bad row.
    """
    rows, errors = read_rows(stream, progress=progress)
    try:
        with transaction.atomic():
            plan = Plan(rows, errors, scope=scope)
            if plan.errors:
                raise ImportRefused(plan.errors)
            return plan.write(name=name, source=source, actor=actor, progress=progress)
    except IntegrityError as error:
        # Another writer created one of these serial numbers or tags after the checks ran.
        raise ImportRefused([RowError(0, "file", f"the database changed during the import ({error}); run it again")])


__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "ImportRefused", "ImportResult", "RowError", "import_assets"]
