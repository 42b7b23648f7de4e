"""Free-text vendor names of past dispositions become ``Vendor`` rows, so no history is lost.

Each distinct name becomes one vendor, marked ``migrated_from_text`` and holding no
certification (so it is uncertified: the downstream gate refuses it for new dispositions
until someone records its certifications). Its routes are those it took in the past
(never reuse). Every disposition that named it links to it (``vendor_ref``).

Dispositions are append-only: on PostgreSQL a trigger refuses every UPDATE. This
migration lifts the trigger, links the rows, and puts the trigger back, all in the
migration's one transaction: ``DROP TRIGGER`` holds an ACCESS EXCLUSIVE lock on the table
until the commit, so no other session can write (or edit) a disposition while the guard is
down, and a failure rolls the trigger back with the rest. The ORM guard
(``AppendOnlyQuerySet``) is not in the way: a migration's historical models use a plain
manager. The free text itself is kept until 0014 drops the column, after this has run.
"""

import re

from django.db import migrations

from inventory.append_only import protect_sql, unprotect_sql

TABLE = "circularity_disposition"
CODE_LENGTH = 32


def vendor_code(name: str, taken: set[str]) -> str:
    """An upper-case code from a name ("Eco Recycling B.V." -> "ECO-RECYCLING-B-V"), unique."""
    base = re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")[:CODE_LENGTH] or "VENDOR"
    code, n = base, 1
    while code in taken:
        n += 1
        suffix = f"-{n}"
        code = base[: CODE_LENGTH - len(suffix)] + suffix
    taken.add(code)
    return code


def _guard(schema_editor, *, down: bool) -> None:
    if schema_editor.connection.vendor == "postgresql":
        if not down:
            # The FK checks of the rows just linked run now, not at the commit: PostgreSQL
            # refuses DDL on a table with pending trigger events.
            schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE", params=None)
        schema_editor.execute(unprotect_sql(TABLE) if down else protect_sql(TABLE), params=None)


def forwards(apps, schema_editor):
    Disposition = apps.get_model("circularity", "Disposition")
    Vendor = apps.get_model("circularity", "Vendor")
    names = Disposition.objects.exclude(vendor="").values_list("vendor", "route").distinct().order_by("vendor", "route")
    routes: dict[str, list[str]] = {}
    for name, route in names:
        taken = routes.setdefault(name, [])
        if route != "reuse" and route not in taken:
            taken.append(route)
    if not routes:
        return
    taken_codes = set(Vendor.objects.values_list("code", flat=True))
    _guard(schema_editor, down=True)
    for name, vendor_routes in routes.items():
        vendor = Vendor.objects.create(
            code=vendor_code(name, taken_codes),
            name=name.strip()[:200] or name,
            routes=vendor_routes,
            migrated_from_text=True,
        )
        Disposition.objects.filter(vendor=name).update(vendor_ref=vendor)
    _guard(schema_editor, down=False)


def backwards(apps, schema_editor):
    Disposition = apps.get_model("circularity", "Disposition")
    Vendor = apps.get_model("circularity", "Vendor")
    _guard(schema_editor, down=True)
    for vendor in Vendor.objects.all():
        Disposition.objects.filter(vendor_ref=vendor).update(vendor=vendor.name, vendor_ref=None)
    Vendor.objects.filter(migrated_from_text=True, certifications__isnull=True, lots__isnull=True).delete()
    _guard(schema_editor, down=False)


class Migration(migrations.Migration):
    dependencies = [("circularity", "0012_vendors_lots_evidence")]

    operations = [migrations.RunPython(forwards, backwards)]
