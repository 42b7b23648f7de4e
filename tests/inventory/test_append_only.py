"""Records auditors rely on cannot vanish: events, dispositions and sanitization records refuse
UPDATE, DELETE and TRUNCATE (PostgreSQL triggers), and the ORM refuses edits on any database.

The test suite's own flush between transactional tests is the one TRUNCATE allowed
(tests/conftest.py); the last tests here pin that it is allowed to nothing else.
"""

import datetime as dt

import pytest
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction

from circularity import dispositions
from circularity.choices import Route
from circularity.models import Disposition, SanitizationRecord
from inventory import lifecycle
from inventory.append_only import ALLOW_TRUNCATE, AppendOnlyError
from inventory.choices import Category, Source, Status
from inventory.models import LifecycleEvent
from tests.factories import AssetFactory, CircularCenterFactory, PartModelFactory, SiteFactory

pytestmark = pytest.mark.django_db

# table: (model, a text column to rewrite)
TABLES = {
    "inventory_lifecycleevent": (LifecycleEvent, "note"),
    "circularity_disposition": (Disposition, "certificate_id"),
    "circularity_sanitizationrecord": (SanitizationRecord, "certificate_id"),
}


@pytest.fixture
def records(when):
    """One row in each append-only table, written by the services."""
    site = SiteFactory(code="AMS05")
    center = CircularCenterFactory(code="CC-AMS", sites=[site])
    drive = AssetFactory(
        part_model=PartModelFactory(category=Category.SSD, data_bearing=True),
        site=site,
        center=center,
        status=Status.AT_CIRCULAR_CENTER,
    )
    dispositions.record_sanitization(
        asset=drive,
        method="purge",
        performed_at=when,
        performed_by="Tech A",
        verified=True,
        certificate_id="CERT-1",
    )
    dispositions.record_disposition(
        asset=drive, center=center, route=Route.RECYCLE, decided_at=when + dt.timedelta(hours=1), source=Source.ADMIN
    )
    assert all(model.objects.exists() for model, _ in TABLES.values())
    return {table: model.objects.values_list("pk", flat=True).first() for table, (model, _) in TABLES.items()}


def counts() -> dict[str, int]:
    return {table: model.objects.count() for table, (model, _) in TABLES.items()}


def execute(sql: str, params=None) -> None:
    """Run ``sql`` as another client would: the foreign-key checks this test's own inserts
    left deferred are settled first (PostgreSQL refuses to TRUNCATE a table with pending ones)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql, params)


@pytest.mark.postgres
@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET {column} = 'rewritten' WHERE id = %s",
        "DELETE FROM {table} WHERE id = %s",
        "TRUNCATE {table}",
        "TRUNCATE {table} CASCADE",
    ],
    ids=["update", "delete", "truncate", "truncate-cascade"],
)
def test_the_database_refuses_to_rewrite_or_remove_a_record(records, table, statement):
    model, column = TABLES[table]
    before = counts()
    sql = statement.format(table=table, column=column)
    # A plain TRUNCATE of a table that others refer to (lots to dispositions, evidence to
    # sanitizations) is refused by the foreign key before the trigger is asked.
    refusal = f"{table} is append-only"
    if statement == "TRUNCATE {table}":
        refusal += "|cannot truncate a table referenced in a foreign key constraint"
    with pytest.raises(DatabaseError, match=refusal), transaction.atomic():
        execute(sql, [records[table]] if "%s" in sql else None)
    assert counts() == before
    assert model.objects.filter(**{column: "rewritten"}).count() == 0


@pytest.mark.postgres
def test_truncating_the_assets_cannot_take_the_history_with_them(records):
    before = counts()
    with pytest.raises(DatabaseError, match="is append-only: TRUNCATE refused"), transaction.atomic():
        execute("TRUNCATE inventory_asset CASCADE")
    assert counts() == before


@pytest.mark.parametrize("model", [Disposition, SanitizationRecord])
def test_the_orm_refuses_to_edit_or_delete_a_disposition_or_a_sanitization(records, model):
    record = model.objects.first()
    with pytest.raises(AppendOnlyError, match="are append-only: they cannot be updated"):
        record.save()
    with pytest.raises(AppendOnlyError, match="are append-only: they cannot be deleted"):
        record.delete()
    with pytest.raises(AppendOnlyError, match="are append-only: they cannot be updated"):
        model.objects.filter(pk=record.pk).update(certificate_id="rewritten")
    with pytest.raises(AppendOnlyError, match="are append-only: they cannot be deleted"):
        model.objects.all().delete()
    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # real transactions, not savepoints in the test's one
def test_the_truncate_permission_covers_truncate_only_and_one_transaction(records):
    """``assetlife.allow_truncate`` is what the test flush sets; it never allows an edit."""
    before = counts()
    with transaction.atomic():
        execute(ALLOW_TRUNCATE)
        for table, (_, column) in TABLES.items():
            with pytest.raises(DatabaseError, match="append-only: UPDATE refused"), transaction.atomic():
                execute(f"UPDATE {table} SET {column} = 'x'")
            with pytest.raises(DatabaseError, match="append-only: DELETE refused"), transaction.atomic():
                execute(f"DELETE FROM {table}")
    # The permission ended with its transaction.
    with pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"), transaction.atomic():
        execute("TRUNCATE inventory_lifecycleevent")
    assert counts() == before


@pytest.mark.postgres
def test_the_test_flush_may_empty_the_database(records):
    """What pytest-django runs after each transactional test (here inside the test's own
    transaction, so it is rolled back with it): it must pass the triggers."""
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    statements = connection.ops.sql_flush(no_style(), tables, allow_cascade=True)
    assert statements[0] == ALLOW_TRUNCATE
    execute("SELECT 1")  # settle this test's deferred foreign-key checks first
    connection.ops.execute_sql_flush(statements)
    assert counts() == dict.fromkeys(TABLES, 0)


def test_lifecycle_events_keep_their_own_error_name(when):
    from inventory.models import ImmutableEventError

    asset = AssetFactory(status=Status.DEPLOYED)
    (event,) = lifecycle.transition(asset, to=Status.DECOMMISSIONED, occurred_at=when, source=Source.API)
    with pytest.raises(ImmutableEventError, match="Lifecycle events are append-only"):
        LifecycleEvent.objects.get(pk=event.pk).delete()


@pytest.mark.postgres
def test_manage_py_flush_cannot_wipe_the_history(records, monkeypatch):
    """Outside the test suite's own flush, ``manage.py flush`` is refused on PostgreSQL."""
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db.backends.postgresql.operations import DatabaseOperations

    monkeypatch.setattr(DatabaseOperations, "sql_flush", DatabaseOperations.sql_flush.__wrapped__)
    before = counts()
    execute("SELECT 1")  # settle this test's deferred foreign-key checks first
    with pytest.raises(CommandError, match="couldn't be flushed") as refused:
        call_command("flush", interactive=False, verbosity=0)
    assert "is append-only: TRUNCATE refused" in str(refused.value.__cause__)
    assert refused.value.__cause__.__cause__.sqlstate == "23001"  # restrict_violation
    assert counts() == before
