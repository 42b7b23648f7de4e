"""Monthly partitions of the append-only history (PostgreSQL; docs/scaling.md, step 3).

A model opts in with ``monthly_partitions = "<its partition key>"`` (the events by
``recorded_at``, the dispositions by ``decided_at``); its table is then a PostgreSQL
range-partitioned table with one partition per calendar month (UTC), named
``<table>_pYYYYMM``. On SQLite the tables stay plain and every function here does nothing.

Decisions (docs/scaling.md):

* **No default partition.** A row for a month without a partition is refused by
  PostgreSQL ("no partition of relation … found for row"). A default partition would
  take such rows silently, and would then stop the month's partition from ever being
  created (PostgreSQL refuses a new partition whose rows sit in the default one).
* **Ahead:** ``create_ahead()`` (the beat job ``circularity.tasks.create_partitions`` and
  ``manage.py create_partitions``) keeps the current month and ``AHEAD`` months after it,
  so the server's clock (``recorded_at``) never meets a missing month.
* **Behind, on demand:** a write whose key is given by its author (a disposition decided
  in 1995, a historic data load) calls ``ensure_partitions()`` first: the months it needs
  are created in the writing transaction (one catalog query when they exist).
* **Never dropped.** Nothing here drops a partition; retention is the explicit
  ``manage.py detach_partition --month YYYY-MM --archive PATH``.

Every partition carries the append-only guards: row triggers defined on the partitioned
table are cloned by PostgreSQL onto each partition, present and future; the ``TRUNCATE``
statement trigger is not (a partition truncated directly does not fire its parent's), so
``create_partition_sql`` adds it to every partition it creates, and ``check_data`` lists
any partition without it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import connections, models, router, transaction

from .append_only import protect_truncate_sql

AHEAD = 3  # months after the current one that always exist
NAME = re.compile(r"_p(\d{4})(\d{2})$")


@dataclass(frozen=True)
class Partition:
    table: str
    month: dt.date

    @property
    def name(self) -> str:
        return partition_name(self.table, self.month)


def partitioned_models() -> list[type[models.Model]]:
    """The models whose tables are partitioned by month, in a stable order."""
    found = [model for model in apps.get_models() if getattr(model, "monthly_partitions", None)]
    return sorted(found, key=lambda model: model._meta.db_table)


def month_of(moment: dt.datetime | dt.date) -> dt.date:
    """The first day of the (UTC) month of ``moment``."""
    if isinstance(moment, dt.datetime):
        moment = moment.astimezone(dt.UTC) if moment.tzinfo else moment
    return dt.date(moment.year, moment.month, 1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_p{month.year:04d}{month.month:02d}"


def _bound(month: dt.date) -> str:
    return f"'{month.isoformat()} 00:00:00+00'"


def create_partition_sql(table: str, month: dt.date) -> str:
    """Create the month's partition of ``table`` (if missing) with its TRUNCATE guard."""
    name = partition_name(table, month)
    return (
        f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {table} "
        f"FOR VALUES FROM ({_bound(month)}) TO ({_bound(add_months(month, 1))});" + protect_truncate_sql(name)
    )


def existing_months(table: str, *, using: str = "default") -> set[dt.date] | None:
    """The months that have a partition attached to ``table``; ``None`` when the table is not
    partitioned (SQLite, or before the migration). One catalog query."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relkind = 'p', ARRAY(SELECT p.relname::text FROM pg_inherits i JOIN pg_class p "
            "ON p.oid = i.inhrelid WHERE i.inhparent = c.oid) FROM pg_class c WHERE c.oid = to_regclass(%s)",
            [table],
        )
        row = cursor.fetchone()
    if not row or not row[0]:
        return None
    months = set()
    for name in row[1]:
        match = NAME.search(name)
        if match:
            months.add(dt.date(int(match[1]), int(match[2]), 1))
    return months


def ensure_partitions(model: type[models.Model], moments: Iterable, *, using: str | None = None) -> list[Partition]:
    """Create the partitions of ``model`` the given partition-key values need; return those created.

    Called before a write whose key its author chose (a disposition's ``decided_at``, a
    historic load). Does nothing on SQLite or for a model that is not partitioned.
    """
    using = using or router.db_for_write(model)
    connection = connections[using]
    key = getattr(model, "monthly_partitions", None)
    if connection.vendor != "postgresql" or not key:
        return []
    months = {month_of(moment) for moment in moments if moment is not None}
    if not months:
        return []
    table = model._meta.db_table
    existing = existing_months(table, using=using)
    if existing is None:
        return []
    missing = sorted(months - existing)
    if not missing:
        return []
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for month in missing:
            cursor.execute(create_partition_sql(table, month))
    return [Partition(table, month) for month in missing]


def ensure_for(model: type[models.Model], objs: Iterable[models.Model], *, using: str | None = None) -> None:
    """Before saving ``objs``: create the months their partition keys need, when the author
    chose the key (``decided_at``). A key the server stamps (``auto_now_add``: the events'
    ``recorded_at``) is the current month, which ``create_ahead`` keeps: no query per write."""
    key = getattr(model, "monthly_partitions", None)
    if not key or getattr(model._meta.get_field(key), "auto_now_add", False):
        return
    ensure_partitions(model, [getattr(obj, key) for obj in objs], using=using)


def create_ahead(*, now: dt.datetime | None = None, ahead: int = AHEAD, using: str = "default") -> list[Partition]:
    """Create every partitioned table's partitions from the current month to ``ahead`` months
    after it; return those created (none when they all exist). Never drops one."""
    from django.utils import timezone

    current = month_of(now or timezone.now())
    months = [add_months(current, offset) for offset in range(ahead + 1)]
    created = []
    for model in partitioned_models():
        created += ensure_partitions(model, months, using=using)
    return created


def missing_ahead(*, now: dt.datetime | None = None, ahead: int = AHEAD, using: str = "default") -> list[Partition]:
    """The partitions ``create_ahead`` would create: what ``check_data`` reports."""
    from django.utils import timezone

    current = month_of(now or timezone.now())
    wanted = {add_months(current, offset) for offset in range(ahead + 1)}
    missing = []
    for model in partitioned_models():
        table = model._meta.db_table
        existing = existing_months(table, using=using)
        if existing is not None:
            missing += [Partition(table, month) for month in sorted(wanted - existing)]
    return missing


def unguarded_partitions(*, using: str = "default") -> list[str]:
    """Partitions of the partitioned tables that lack the TRUNCATE guard (``check_data``)."""
    unguarded = []
    for model in partitioned_models():
        table = model._meta.db_table
        if existing_months(table, using=using) is None:
            continue
        with connections[using].cursor() as cursor:
            cursor.execute(
                """
                SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = to_regclass(%s)
                  AND NOT EXISTS (
                      SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = c.relname || '_no_truncate'
                  )
                ORDER BY c.relname
                """,
                [table],
            )
            unguarded += [row[0] for row in cursor.fetchall()]
    return unguarded
