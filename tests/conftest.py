"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL says so."""

import datetime as dt

import pytest
from django.db import connection

SKIPPED_ON_SQLITE = {
    "replica": "needs PostgreSQL: a streaming replica is made of DATABASE_URL's cluster (.ci/run runs it)",
    "postgres": "needs PostgreSQL (set DATABASE_URL); .ci/run runs it",
}


def pytest_collection_modifyitems(config, items):
    """Skip tests marked ``postgres`` (or ``replica``) when the database is not PostgreSQL."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    for item in items:
        for marker, reason in SKIPPED_ON_SQLITE.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))
                break


@pytest.fixture(scope="session", autouse=True)
def _test_flush_may_truncate_append_only_tables():
    """Between transactional tests Django empties the database with one ``TRUNCATE``, which the
    append-only tables refuse (inventory/append_only.py). The flush, and only the flush, runs
    in a transaction that first sets ``assetlife.allow_truncate``: it is prepended to the
    statements of PostgreSQL's ``sql_flush`` (executed inside one ``atomic`` block, so the
    ``SET LOCAL`` ends with it). Tests, the product and ``manage.py flush`` are refused."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    from inventory.append_only import ALLOW_TRUNCATE

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [ALLOW_TRUNCATE, *statements] if statements else statements

    sql_flush.__wrapped__ = original  # what every other client gets (tests/inventory/test_append_only.py)
    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def when():
    """A fixed, timezone-aware moment to hang events on: 2022-03-15 12:00 UTC."""
    return dt.datetime(2022, 3, 15, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _outbox_in_tmp(settings, tmp_path):
    """Emails of a test never land in the developer's var/outbox."""
    settings.EMAIL_OUTBOX_DIR = tmp_path / "outbox"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(scope="session", autouse=True)
def _evidence_in_tmp(tmp_path_factory):
    """Evidence files of the tests (module-scoped demo fleets included) never land in the
    developer's var/evidence."""
    from django.conf import settings
    from django.test import override_settings

    from assetlife.storage import evidence_storage_config

    root = tmp_path_factory.mktemp("evidence")
    with override_settings(STORAGES={**settings.STORAGES, "evidence": evidence_storage_config("", root)}):
        yield
