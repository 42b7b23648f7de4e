"""Moments within 1990-01-01T00:00Z … 2101-01-01T00:00Z (issue 10 §2: nothing written can poison a read).

The model validators (``inventory.moments.validate_moment``) refuse such values in forms
and serializers; these check constraints refuse them from any path (raw SQL included).
Non-atomic: on PostgreSQL each constraint is added NOT VALID and then validated without
holding writers back; rows written before the rule existed leave it NOT VALID
(``inventory.migration_operations``; ``manage.py check_data`` lists them).
"""

import datetime

from django.db import migrations, models

import inventory.moments
from inventory.migration_operations import AddConstraintNotValid


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("inventory", "0009_asset_last_event_at")]

    operations = [
        migrations.AlterField(
            model_name="asset",
            name="decommissioned_at",
            field=models.DateTimeField(blank=True, null=True, validators=[inventory.moments.validate_moment]),
        ),
        migrations.AlterField(
            model_name="asset",
            name="deployed_at",
            field=models.DateTimeField(blank=True, null=True, validators=[inventory.moments.validate_moment]),
        ),
        migrations.AlterField(
            model_name="lifecycleevent",
            name="occurred_at",
            field=models.DateTimeField(
                help_text="When it happened in the data center.", validators=[inventory.moments.validate_moment]
            ),
        ),
        AddConstraintNotValid(
            model_name="asset",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("deployed_at__isnull", True),
                    models.Q(
                        ("deployed_at__gte", datetime.datetime(1990, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                        ("deployed_at__lt", datetime.datetime(2101, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    ),
                    _connector="OR",
                ),
                name="asset_deployed_at_in_range",
            ),
        ),
        AddConstraintNotValid(
            model_name="asset",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("decommissioned_at__isnull", True),
                    models.Q(
                        ("decommissioned_at__gte", datetime.datetime(1990, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                        ("decommissioned_at__lt", datetime.datetime(2101, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    ),
                    _connector="OR",
                ),
                name="asset_decommissioned_at_in_range",
            ),
        ),
        AddConstraintNotValid(
            model_name="asset",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("last_event_at__isnull", True),
                    models.Q(
                        ("last_event_at__gte", datetime.datetime(1990, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                        ("last_event_at__lt", datetime.datetime(2101, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    ),
                    _connector="OR",
                ),
                name="asset_last_event_at_in_range",
            ),
        ),
        AddConstraintNotValid(
            model_name="lifecycleevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("occurred_at__isnull", True),
                    models.Q(
                        ("occurred_at__gte", datetime.datetime(1990, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                        ("occurred_at__lt", datetime.datetime(2101, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    ),
                    _connector="OR",
                ),
                name="event_occurred_at_in_range",
            ),
        ),
    ]
