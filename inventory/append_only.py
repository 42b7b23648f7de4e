"""Records auditors rely on are append-only: lifecycle events, dispositions, sanitization records.

Two guards, one rule:

* the ORM refuses ``save()`` of an existing row, ``delete()``, and queryset ``update()`` /
  ``delete()`` (``AppendOnlyModel``, ``AppendOnlyQuerySet``), on every database;
* on PostgreSQL, triggers refuse ``UPDATE``, ``DELETE`` and ``TRUNCATE`` from any client
  (raw SQL, ``psql``, another service), with SQLSTATE ``restrict_violation`` (23001).

``TRUNCATE`` is allowed only to a transaction that first runs ``ALLOW_TRUNCATE`` (sets
the ``assetlife.allow_truncate`` parameter for that transaction alone): the test suite's
flush between transactional tests does so (tests/conftest.py), nothing in the product does.
The triggers keep honest code honest; they are not a defence against the owner of the
tables, who can drop a trigger. To bind the application's own database role, give it
neither ownership of the tables nor the ``TRUNCATE`` privilege (docs/architecture.md).

A correction is a new record (an event, a disposition of the next custody cycle), never an
edit: the history is what was recorded, when it was recorded.
"""

from __future__ import annotations

from django.db import models

TRUNCATE_SETTING = "assetlife.allow_truncate"
ALLOW_TRUNCATE = f"SET LOCAL {TRUNCATE_SETTING} = 'on'"

CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION assetlife_append_only() RETURNS trigger AS $$
DECLARE
    -- A partition's refusal names its table (and the partition).
    root text := COALESCE(pg_partition_root(TG_RELID), TG_RELID)::regclass::text;
    part text := CASE WHEN root = TG_TABLE_NAME THEN '' ELSE ' (partition ' || TG_TABLE_NAME || ')' END;
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('{TRUNCATE_SETTING}', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused%', root, TG_OP, part
        USING ERRCODE = 'restrict_violation',
              HINT = 'Records auditors rely on are never edited or removed; record a correction instead.';
END;
$$ LANGUAGE plpgsql;
"""


def protect_sql(table: str) -> str:
    """The triggers that make ``table`` append-only (PostgreSQL)."""
    return f"""
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION assetlife_append_only();
""" + protect_truncate_sql(table)


def protect_truncate_sql(table: str) -> str:
    """The TRUNCATE guard alone: a partition's (its row guards are cloned from the
    partitioned table by PostgreSQL; a statement trigger is not, see ``inventory.partitions``)."""
    return f"""
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
CREATE TRIGGER {table}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION assetlife_append_only();
"""


def unprotect_sql(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
"""


class AppendOnlyError(Exception):
    """An attempt to edit or delete a record that is append-only."""


def _refuse(model: type[models.Model], what: str) -> AppendOnlyError:
    records = str(model._meta.verbose_name_plural).capitalize()
    return AppendOnlyError(f"{records} are append-only: they cannot be {what}.")


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk edits and deletes are refused before any SQL is sent."""

    def update(self, **kwargs):
        raise _refuse(self.model, "updated")

    def bulk_create(self, objs, *args, **kwargs):
        from .partitions import ensure_for

        objs = list(objs)
        ensure_for(self.model, objs, using=self.db)
        return super().bulk_create(objs, *args, **kwargs)

    def delete(self):
        raise _refuse(self.model, "deleted")


class AppendOnlyModel(models.Model):
    """A model whose rows are written once: ``save()`` inserts, nothing updates or deletes."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise _refuse(type(self), "updated")
        from .partitions import ensure_for

        ensure_for(type(self), [self], using=kwargs.get("using"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise _refuse(type(self), "deleted")
