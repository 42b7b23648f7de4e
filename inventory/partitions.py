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
any partition without it (``inventory.integrity.partition_checks``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import connections, models, router, transaction

from .append_only import protect_truncate_sql

AHEAD = 3  # months after the current one that always exist
NAME = re.compile(r"_p(\d{4})(\d{2})$")


class PartitionDetached(Exception):
    """A write into a month whose partition was detached (retention) and not dropped yet."""

    def __init__(self, table: str, month: dt.date):
        self.table = table
        self.month = month
        name = partition_name(table, month)
        super().__init__(
            f"{table}: the month {month:%Y-%m} was detached ({name} still exists, archived for retention). "
            f"Attach it again (ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM … TO …) "
            "or drop it once archived; then the month can be written again."
        )


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
    """Create the month's partition of ``table`` (if missing) with its TRUNCATE guard, analysed.

    A partition never analysed is assumed by the planner to hold ten pages of rows; the
    empty months ahead would make every plan over the table expect rows that are not
    there. Analysed, an empty partition is known to be empty (autovacuum analyses it again
    as its month fills)."""
    name = partition_name(table, month)
    return (
        f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {table} "
        f"FOR VALUES FROM ({_bound(month)}) TO ({_bound(add_months(month, 1))});"
        + protect_truncate_sql(name)
        + f"ANALYZE {name};"
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
            name = partition_name(table, month)
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
            if cursor.fetchone()[0]:
                raise PartitionDetached(table, month)
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


class DetachRefused(Exception):
    """A partition the product still writes to, or one that does not exist, cannot be detached."""

    def __init__(self, month: dt.date, reason: str):
        self.month = month
        self.reason = reason
        super().__init__(f"{month:%Y-%m}: {reason}")


@dataclass(frozen=True)
class Detached:
    partition: Partition
    rows: int
    archive: Path


def detach_partition(
    month: dt.date, archive_dir: Path, *, tables: Iterable[str] | None = None, now: dt.datetime | None = None
) -> list[Detached]:
    """Retention, done explicitly: detach the month's partition of each partitioned table (or of
    ``tables``) and archive it with ``pg_dump`` into ``archive_dir`` (one custom-format file per
    partition, restorable with ``pg_restore``). Never called by the product; refuses the current
    month and later ones (still written), and a file that exists. The detached table stays
    in the database until its operator drops it (``DROP TABLE``) once the archive is verified.

    Its rows leave the history: the metrics of that month come from its snapshots from then on
    (``MonthlySnapshot`` is not partitioned), and the idempotency keys of its events stay
    taken (``EventKey`` is not partitioned either).
    """
    from django.utils import timezone

    month = month_of(month)
    if month >= month_of(now or timezone.now()):
        raise DetachRefused(month, "the current month and later ones are still written; only past months detach")
    archive_dir = Path(archive_dir)
    archive_dir.mkdir(parents=True, exist_ok=True)
    chosen = [model._meta.db_table for model in partitioned_models()]
    if tables is not None:
        chosen = [table for table in chosen if table in set(tables)]
    targets = []
    for table in chosen:
        existing = existing_months(table) or set()
        if month in existing:
            partition = Partition(table, month)
            path = archive_dir / f"{partition.name}.dump"
            if path.exists():
                raise DetachRefused(month, f"{path} exists; an archive is never overwritten")
            targets.append((partition, path))
    if not targets:
        raise DetachRefused(month, "no partition of that month is attached")
    done = []
    for partition, path in targets:
        with transaction.atomic(), connections["default"].cursor() as cursor:
            cursor.execute(f"ALTER TABLE {partition.table} DETACH PARTITION {partition.name}")
            # Detaching removed the row guards cloned from the table; the table is retired.
            cursor.execute(f"DROP TRIGGER IF EXISTS {partition.name}_no_truncate ON {partition.name}")
            cursor.execute(f"SELECT count(*) FROM {partition.name}")
            rows = cursor.fetchone()[0]
        _dump(partition.name, path)
        done.append(Detached(partition, rows, path))
    return done


def _dump(table: str, path: Path) -> None:
    settings = connections["default"].settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = ["pg_dump", "--format=custom", f"--table={table}", f"--file={path}", "--dbname", settings["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            command += [option, str(settings[key])]
    subprocess.run(command, env=env, check=True, capture_output=True)
