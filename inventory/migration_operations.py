"""Migration operations that must succeed on an existing database.

``AddConstraintNotValid`` adds a check constraint to a table that may already hold rows
breaking it (history written before the rule existed: events are append-only and are
never rewritten). On PostgreSQL the constraint is added ``NOT VALID`` — every row
written from now on is checked — and then validated over the existing rows; if some
break it, it stays ``NOT VALID`` and the migration says so: ``manage.py check_data``
lists the rows (docs/architecture.md, "Decisions"). On SQLite (``make run``, tests)
Django rebuilds the table with the constraint; a development database holding such rows
is refused with the same pointer.
"""

from __future__ import annotations

import sys

from django.db import IntegrityError, migrations, transaction


class AddConstraintNotValid(migrations.AddConstraint):
    """``AddConstraint`` for a ``CheckConstraint``; on PostgreSQL ``NOT VALID`` first, then validated."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor != "postgresql":
            try:
                with transaction.atomic(using=schema_editor.connection.alias):
                    super().database_forwards(app_label, schema_editor, from_state, to_state)
            except IntegrityError as error:
                raise IntegrityError(
                    f"Rows of {model._meta.db_table} break {self.constraint.name} ({error}). "
                    "Run `manage.py check_data` to list them; on a development database, recreate it."
                ) from error
            return
        table = schema_editor.quote_name(model._meta.db_table)
        name = schema_editor.quote_name(self.constraint.name)
        check = self.constraint._get_check_sql(model, schema_editor)
        schema_editor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({check}) NOT VALID")
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}")
        except IntegrityError:
            sys.stderr.write(
                f"\n  {model._meta.db_table}: existing rows break {self.constraint.name}; it checks new rows "
                "only (NOT VALID). Run `manage.py check_data` to list them.\n"
            )

    def describe(self):
        return f"Create constraint {self.constraint.name} on model {self.model_name} (NOT VALID first on PostgreSQL)"
