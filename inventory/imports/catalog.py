"""CSV import of part models (the catalog): every row, or none.

=====================  ==========================================================
column                 value
=====================  ==========================================================
``manufacturer``       required; with ``model_number`` the part model's key
``model_number``       required
``category``           required for a new part model (``server``, ``battery``, …)
``mass_kg``            required for a new part model; its own mass, kg
``data_bearing``       ``true``/``false`` (also yes/no, 1/0); blank: the category's
``embodied_kgco2e``    kg CO2e of one new unit; blank: none (new) or unchanged
``hazardous``          ``true``/``false``; blank: the category's default
``focus_materials``    R2v3 focus materials separated by ``;`` (``battery;circuit_board``),
                       ``none`` for none; blank: the category's default
=====================  ==========================================================

A row whose manufacturer and model number exist already updates that part model: its
blank cells leave the stored values as they are (for an existing part model "blank" is
"unchanged", not "the category's default"). Dispositions already decided keep the mass
and the hazardous flag they were decided with. Every row is checked against the model's
own validators (``inventory.models``: the one home of each rule) before anything is
written; a bad file raises ``ImportRefused`` listing every problem by line.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from typing import TextIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from ..choices import Category, default_data_bearing, default_focus_materials, default_hazardous
from ..models import PartModel
from .rows import ImportRefused, RowError, _records

CATALOG_COLUMNS = (
    "manufacturer",
    "model_number",
    "category",
    "mass_kg",
    "data_bearing",
    "embodied_kgco2e",
    "hazardous",
    "focus_materials",
)
CATALOG_REQUIRED = ("manufacturer", "model_number")
TRUE, FALSE = frozenset({"true", "yes", "1"}), frozenset({"false", "no", "0"})
NO_MATERIALS = "none"
DEFAULTS = {"data_bearing": default_data_bearing, "hazardous": default_hazardous}


@dataclass(frozen=True)
class CatalogResult:
    created: int
    updated: int


def import_part_models(stream: TextIO) -> CatalogResult:
    """Create or update the part models of a CSV text stream: all rows or none (see above)."""
    records = _read(stream)
    errors: list[RowError] = []
    keys = [(values["manufacturer"], values["model_number"]) for _, values in records]
    for (manufacturer, number), count in Counter(keys).items():
        if count > 1 and manufacturer and number:
            lines = [line for (line, _), key in zip(records, keys, strict=True) if key == (manufacturer, number)]
            errors.append(RowError(lines[1], "model_number", f"{manufacturer} {number} is on line {lines[0]} too"))
    with transaction.atomic():
        existing = _existing(keys)
        new, changed = [], []
        for line, values in records:
            part_model = _part_model(line, values, existing, errors)
            if part_model is not None:
                (changed if part_model.pk else new).append(part_model)
        if errors:
            raise ImportRefused(errors)
        PartModel.objects.bulk_create(new)
        fields = [column for column in CATALOG_COLUMNS if column not in CATALOG_REQUIRED]
        PartModel.objects.bulk_update(changed, fields)
    return CatalogResult(created=len(new), updated=len(changed))


def _read(stream: TextIO) -> list[tuple[int, dict[str, str]]]:
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
        if header is None:
            raise ImportRefused([RowError(1, "header", "the file is empty")])
        columns = [column.strip().lower() for column in header]
        problems = [RowError(1, c, "missing required column") for c in CATALOG_REQUIRED if c not in columns]
        for column, count in Counter(columns).items():
            if column not in CATALOG_COLUMNS:
                problems.append(
                    RowError(1, column or "(blank)", f"unknown column; the columns are {', '.join(CATALOG_COLUMNS)}")
                )
            elif count > 1:
                problems.append(RowError(1, column, "appears more than once"))
        if problems:
            raise ImportRefused(problems)
        records, problems = [], []
        for line, values in _records(reader):
            if len(values) != len(columns):
                problems.append(RowError(line, "row", f"has {len(values)} fields; the header has {len(columns)}"))
                continue
            cells = dict.fromkeys(CATALOG_COLUMNS, "") | dict(zip(columns, (v.strip() for v in values), strict=True))
            records.append((line, cells))
    except UnicodeDecodeError as error:
        raise ImportRefused([RowError(0, "file", f"is not UTF-8 text ({error.reason}); save it as UTF-8 CSV")])
    except csv.Error as error:
        raise ImportRefused([RowError(reader.line_num, "file", f"is not valid CSV ({error})")])
    if problems:
        raise ImportRefused(problems)
    return records


def _existing(keys) -> dict[tuple[str, str], PartModel]:
    """The part models the file names, in one query, locked against a concurrent edit."""
    wanted = Q(pk__in=[])
    for manufacturer, number in set(keys):
        wanted |= Q(manufacturer=manufacturer, model_number=number)
    found = PartModel.objects.filter(wanted).order_by("pk").select_for_update()
    return {(pm.manufacturer, pm.model_number): pm for pm in found}


def _part_model(line: int, values: dict[str, str], existing: dict, errors: list[RowError]) -> PartModel | None:
    def error(column: str, message: str):
        errors.append(RowError(line, column, message))

    missing = [column for column in CATALOG_REQUIRED if not values[column]]
    for column in missing:
        error(column, "is required")
    if missing:
        return None
    part_model = existing.get((values["manufacturer"], values["model_number"]))
    is_new = part_model is None
    if is_new:
        for column in ("category", "mass_kg"):
            if not values[column]:
                error(column, "is required for a new part model")
        part_model = PartModel(manufacturer=values["manufacturer"], model_number=values["model_number"])
    for column in ("category", "mass_kg", "embodied_kgco2e"):
        if values[column]:
            setattr(part_model, column, values[column].lower() if column == "category" else values[column])
    category = part_model.category if part_model.category in Category.values else ""
    for column, default in DEFAULTS.items():
        text = values[column].lower()
        if text in TRUE | FALSE:
            setattr(part_model, column, text in TRUE)
        elif text:
            error(column, f"{values[column]!r} is not true or false")
        elif is_new:
            setattr(part_model, column, default(category))
    text = values["focus_materials"]
    if text.lower() == NO_MATERIALS:
        part_model.focus_materials = []
    elif text:
        part_model.focus_materials = [item.strip().lower() for item in text.split(";") if item.strip()]
    elif is_new:
        part_model.focus_materials = default_focus_materials(category)
    try:
        part_model.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as invalid:
        for column, messages in invalid.message_dict.items():
            if not (column in ("category", "mass_kg") and is_new and not values[column]):  # said above
                error(column, " ".join(message.rstrip(".") for message in messages))
        return None
    return part_model


__all__ = ["CATALOG_COLUMNS", "CatalogResult", "import_part_models"]
