"""Monthly partitions of the events and dispositions (PostgreSQL); plain tables on SQLite.

docs/scaling.md, step 3: the migrations move existing rows; every partition, present and
future, refuses UPDATE, DELETE and TRUNCATE; the maintenance job creates months ahead and
never drops one; a backdated write creates its month; retention is an explicit detach and
archive; idempotency keys stay unique across partitions.
"""

import datetime as dt
import subprocess
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from circularity import tasks
from circularity.choices import Route
from circularity.models import Disposition
from inventory import partitions
from inventory.choices import Category, Source, Status
from inventory.models import EventKey, LifecycleEvent
from tests.factories import AssetFactory, CircularCenterFactory, PartModelFactory, SiteFactory

pytestmark = pytest.mark.django_db

EVENTS = LifecycleEvent._meta.db_table
DISPOSITIONS = Disposition._meta.db_table
FUTURE = dt.datetime(2031, 1, 15, 12, tzinfo=dt.UTC)


def scalar(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def attached(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [table],
        )
        return {row[0] for row in cursor.fetchall()}


def insert_event(asset, *, recorded_at, external_id=None, occurred_at=None) -> int:
    """An event written as any client could (raw SQL), at a chosen ``recorded_at``."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {EVENTS} (asset_id, action, from_status, to_status, occurred_at, recorded_at, source, "
            "location, note, external_id) VALUES (%s, 'transition', 'deployed', 'deployed', %s, %s, 'api', '', '', %s) "
            "RETURNING id",
            [asset.pk, occurred_at or recorded_at, recorded_at, external_id],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def drive():
    site = SiteFactory(code="AMS05")
    center = CircularCenterFactory(code="CC-AMS", sites=[site])
    return AssetFactory(
        part_model=PartModelFactory(category=Category.SSD, data_bearing=False),
        site=site,
        center=center,
        status=Status.AT_CIRCULAR_CENTER,
    )


def disposition(asset, decided_at) -> Disposition:
    """A disposition row as a data load writes it (the model, not the service: no event)."""
    return Disposition.objects.create(
        asset=asset,
        tree_root=asset,
        center=asset.center,
        site=asset.site,
        category=asset.part_model.category,
        route=Route.RECYCLE,
        decided_at=decided_at,
        mass_kg=asset.part_model.mass_kg,
    )


# --- both databases ---------------------------------------------------------------------


def test_a_month_is_the_utc_month():
    """A partition holds a UTC month: 00:30 on 1 December at UTC+1 is still November."""
    assert partitions.month_of(dt.datetime(2023, 11, 30, 23, 59, 59, tzinfo=dt.UTC)) == dt.date(2023, 11, 1)
    cet = dt.timezone(dt.timedelta(hours=1))
    assert partitions.month_of(dt.datetime(2023, 12, 1, 0, 30, tzinfo=cet)) == dt.date(2023, 11, 1)
    assert partitions.add_months(dt.date(2023, 11, 1), 3) == dt.date(2024, 2, 1)


def test_an_idempotency_key_is_recorded_with_its_event_by_the_database(drive):
    event_id = insert_event(drive, recorded_at=timezone.now(), external_id="fleet-42")
    key = EventKey.objects.get(external_id="fleet-42")
    assert (key.event_id, key.event.external_id) == (event_id, "fleet-42")
    insert_event(drive, recorded_at=timezone.now())  # unkeyed events take no key
    assert EventKey.objects.count() == 1


def test_a_key_is_unique_across_months(drive):
    """One key, two events recorded in different months (two partitions on PostgreSQL): refused."""
    earlier = timezone.now() - dt.timedelta(days=62)
    partitions.ensure_partitions(LifecycleEvent, [earlier])  # a historic load creates its months
    insert_event(drive, recorded_at=earlier, external_id="fleet-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_event(drive, recorded_at=timezone.now(), external_id="fleet-1")


def test_sqlite_keeps_plain_tables(drive):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only: PostgreSQL partitions (the tests below)")
    disposition(drive, dt.datetime(1995, 3, 1, tzinfo=dt.UTC))
    assert partitions.existing_months(EVENTS) is None
    assert partitions.create_ahead() == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'circularity_disposition%'")
        assert [row[0] for row in cursor.fetchall()] == [DISPOSITIONS]


# --- PostgreSQL -------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(("table", "key"), [(EVENTS, "recorded_at"), (DISPOSITIONS, "decided_at")])
def test_the_history_is_partitioned_by_month_with_the_key_in_the_primary_key(table, key):
    assert scalar("SELECT pg_get_partkeydef(%s::regclass)", [table]) == f"RANGE ({key})"
    primary = scalar(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [table]
    )
    assert primary == f"PRIMARY KEY (id, {key})"
    this_month = partitions.month_of(timezone.now())
    for offset in range(partitions.AHEAD + 1):
        assert partitions.partition_name(table, partitions.add_months(this_month, offset)) in attached(table)


@pytest.mark.postgres
def test_a_foreign_key_to_a_partitioned_table_references_id_and_key():
    """The one foreign key into them (a lot's item names its disposition) references
    ``(id, decided_at)``; the application still writes the id alone (docs/scaling.md)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conparentid = 0 AND confrelid IN (%s::regclass, %s::regclass)",
            [EVENTS, DISPOSITIONS],
        )
        references = cursor.fetchall()
    assert references == [
        (
            "circularity_lotitem",
            "FOREIGN KEY (disposition_id, disposition_decided_at) REFERENCES circularity_disposition(id, decided_at) "
            "MATCH FULL DEFERRABLE INITIALLY DEFERRED",
        )
    ]


@pytest.mark.postgres
def test_a_lot_takes_its_dispositions_keys_and_a_missing_disposition_is_refused():
    """Through the custody services: dispositions decided in May 2023 go into a lot; each
    item carries its disposition's ``decided_at``; an item naming no disposition is refused."""
    from circularity.models import LotItem
    from tests.circularity.custody_support import certified_vendor, dispositioned, lot_of

    site = SiteFactory(code="AMS05")
    center = CircularCenterFactory(code="CC-AMS", sites=[site])
    vendor = certified_vendor()
    rows = dispositioned(center, vendor, [1, 2], dt.datetime(2023, 5, 4, tzinfo=dt.UTC))
    lot = lot_of(center, vendor, rows, gross=13)
    with connection.cursor() as cursor:
        cursor.execute("SELECT disposition_id, disposition_decided_at FROM circularity_lotitem ORDER BY 1")
        assert cursor.fetchall() == sorted((row.pk, row.decided_at) for row in rows)
    with pytest.raises(IntegrityError), transaction.atomic():
        LotItem.objects.create(lot=lot, disposition_id=max(row.pk for row in rows) + 1000)
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.postgres
def test_a_backdated_disposition_creates_its_month(drive):
    historic = dt.datetime(1995, 3, 10, tzinfo=dt.UTC)
    assert f"{DISPOSITIONS}_p199503" not in attached(DISPOSITIONS)
    row = disposition(drive, historic)
    assert f"{DISPOSITIONS}_p199503" in attached(DISPOSITIONS)
    assert scalar(f"SELECT tableoid::regclass::text FROM {DISPOSITIONS} WHERE id = %s", [row.pk]) == (
        f"{DISPOSITIONS}_p199503"
    )


@pytest.mark.postgres
def test_the_range_constraints_hold_on_the_partitions(drive):
    """inventory 0010 / circularity 0011: a moment before 1990 is refused, whatever the path.
    The disposition's month is created first (a backdated write), then its partition refuses it."""
    with pytest.raises(IntegrityError, match="disposition_decided_at_in_range"), transaction.atomic():
        disposition(drive, dt.datetime(1989, 12, 31, tzinfo=dt.UTC))
    with pytest.raises(IntegrityError, match="event_occurred_at_in_range"), transaction.atomic():
        insert_event(drive, recorded_at=timezone.now(), occurred_at=dt.datetime(1980, 1, 1, tzinfo=dt.UTC))


@pytest.mark.postgres
def test_a_row_for_a_month_without_partition_is_refused_not_hidden(drive):
    """No default partition: a raw insert far outside the months that exist fails loudly."""
    with pytest.raises(DatabaseError, match="no partition of relation"), transaction.atomic():
        insert_event(drive, recorded_at=dt.datetime(2090, 1, 1, tzinfo=dt.UTC))


@pytest.mark.postgres
def test_the_beat_job_creates_months_ahead_and_guards_them(drive, monkeypatch):
    before = attached(EVENTS) | attached(DISPOSITIONS)
    monkeypatch.setattr(timezone, "now", lambda: FUTURE)
    created = tasks.create_partitions()
    months = ["203101", "203102", "203103", "203104"]
    assert sorted(created) == sorted(f"{table}_p{m}" for table in (DISPOSITIONS, EVENTS) for m in months)
    assert tasks.create_partitions() == []  # safe to run twice
    assert before <= attached(EVENTS) | attached(DISPOSITIONS)  # never drops one

    # The new partitions refuse UPDATE, DELETE and TRUNCATE, addressed directly.
    event_id = insert_event(drive, recorded_at=dt.datetime(2031, 2, 3, tzinfo=dt.UTC))
    disposition(drive, dt.datetime(2031, 2, 3, tzinfo=dt.UTC))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks: TRUNCATE may run
    for table, column in ((EVENTS, "note"), (DISPOSITIONS, "certificate_id")):
        partition = f"{table}_p203102"
        for statement in (
            f"UPDATE {partition} SET {column} = 'rewritten'",
            f"DELETE FROM {partition}",
            # CASCADE: a lot's item references the dispositions, and would refuse a plain
            # TRUNCATE before the guard speaks.
            f"TRUNCATE {partition} CASCADE",
        ):
            refusal = f"{table} is append-only: .* refused"
            with pytest.raises(DatabaseError, match=refusal) as refused, transaction.atomic():
                connection.cursor().execute(statement)
            assert f"partition {partition}" in str(refused.value)
    assert LifecycleEvent.objects.filter(pk=event_id, note="").exists()


@pytest.mark.postgres
def test_the_command_creates_months_ahead_and_refuses_fewer_than_three(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: FUTURE)
    out = StringIO()
    call_command("create_partitions", "--ahead", "5", stdout=out)
    assert f"{EVENTS}_p203106" in out.getvalue()
    with pytest.raises(CommandError, match="at least 3"):
        call_command("create_partitions", "--ahead", "1")


@pytest.mark.postgres
def test_check_data_reports_a_missing_month_ahead_and_an_unguarded_partition():
    last = partitions.partition_name(EVENTS, partitions.add_months(partitions.month_of(timezone.now()), 3))
    first = partitions.partition_name(DISPOSITIONS, partitions.month_of(timezone.now()))
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {EVENTS} DETACH PARTITION {last}")
        cursor.execute(f"DROP TRIGGER {first}_no_truncate ON {first}")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("check_data", "--check", "partitions_ahead", "--check", "partition_unguarded", stdout=out)
    month = partitions.add_months(partitions.month_of(timezone.now()), 3)
    assert f"{EVENTS}: no partition for {month:%Y-%m}" in out.getvalue()
    assert f"{DISPOSITIONS}: partition {first} accepts TRUNCATE" in out.getvalue()


@pytest.mark.postgres
def test_check_data_finds_the_partitions_in_order():
    out = StringIO()
    call_command("check_data", "--check", "partitions_ahead", "--check", "partition_unguarded", stdout=out)
    assert "Clean: 2 invariant(s) hold." in out.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # pg_dump reads what is committed
def test_detach_partition_archives_a_past_month_and_keeps_the_table(drive, tmp_path):
    row = disposition(drive, dt.datetime(2019, 1, 20, tzinfo=dt.UTC))
    partition = f"{DISPOSITIONS}_p201901"
    try:
        out = StringIO()
        call_command(
            "detach_partition", "--month", "2019-01", "--archive", str(tmp_path), "--table", DISPOSITIONS, stdout=out
        )
        assert partition not in attached(DISPOSITIONS)
        assert not Disposition.objects.filter(pk=row.pk).exists()
        assert scalar(f"SELECT count(*) FROM {partition}") == 1  # detached, not dropped
        listing = subprocess.run(
            ["pg_restore", "--list", str(tmp_path / f"{partition}.dump")], capture_output=True, text=True, check=True
        ).stdout
        assert f"TABLE DATA public {partition}" in listing
        assert f"DROP TABLE {partition};" in out.getvalue()
        with pytest.raises(partitions.PartitionDetached, match="2019-01 was detached"):
            disposition(drive, dt.datetime(2019, 1, 21, tzinfo=dt.UTC))
        with pytest.raises(CommandError, match="no partition of that month is attached"):
            call_command("detach_partition", "--month", "2019-01", "--archive", str(tmp_path))
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {partition}")


@pytest.mark.postgres
@pytest.mark.parametrize("month", ["this", "next"])
def test_detach_partition_refuses_the_months_still_written(month, tmp_path):
    moment = timezone.now() if month == "this" else timezone.now() + dt.timedelta(days=32)
    with pytest.raises(CommandError, match="only past months detach"):
        call_command("detach_partition", "--month", f"{moment:%Y-%m}", "--archive", str(tmp_path))


@pytest.mark.postgres
def test_an_api_key_reused_after_its_month_is_still_a_conflict(drive):
    """The events' ``external_id`` index is per partition; the key table is global."""
    earlier = timezone.now() - dt.timedelta(days=400)
    partitions.ensure_partitions(LifecycleEvent, [earlier])
    insert_event(drive, recorded_at=earlier, external_id="old-key")
    assert scalar(f"SELECT count(*) FROM {EVENTS} WHERE external_id = 'old-key'") == 1
    with pytest.raises(IntegrityError, match="inventory_eventkey_pkey"), transaction.atomic():
        LifecycleEvent.objects.create(
            asset=drive,
            from_status=Status.DEPLOYED,
            to_status=Status.DEPLOYED,
            occurred_at=timezone.now(),
            source=Source.API,
            external_id="old-key",
        )
