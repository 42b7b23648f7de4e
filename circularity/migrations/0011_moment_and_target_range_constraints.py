"""Moments within 1990-01-01T00:00Z … 2101-01-01T00:00Z; targets' fiscal years FY2000 … FY2100
and their values fractions (issue 10 §2: nothing written can poison a read).

The model validators (``inventory.moments``, ``circularity.models.validate_*``) refuse
such values in forms and serializers; these check constraints refuse them from any path.
Non-atomic: on PostgreSQL each constraint is added NOT VALID and then validated without
holding writers back; rows written before the rules existed leave it NOT VALID
(``inventory.migration_operations``; ``manage.py check_data`` lists them).
"""

import datetime

from django.db import migrations, models

import circularity.models
import inventory.moments
from inventory.migration_operations import AddConstraintNotValid


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("circularity", "0010_records_append_only"),
        ("inventory", "0010_moment_range_constraints"),
    ]

    operations = [
        migrations.AlterField(
            model_name="disposition",
            name="decided_at",
            field=models.DateTimeField(validators=[inventory.moments.validate_moment]),
        ),
        migrations.AlterField(
            model_name="packagingrecord",
            name="received_on",
            field=models.DateField(validators=[inventory.moments.validate_day]),
        ),
        migrations.AlterField(
            model_name="sanitizationrecord",
            name="performed_at",
            field=models.DateTimeField(validators=[inventory.moments.validate_moment]),
        ),
        migrations.AlterField(
            model_name="shipment",
            name="received_at",
            field=models.DateTimeField(blank=True, null=True, validators=[inventory.moments.validate_moment]),
        ),
        migrations.AlterField(
            model_name="shipment",
            name="shipped_at",
            field=models.DateTimeField(validators=[inventory.moments.validate_moment]),
        ),
        migrations.AlterField(
            model_name="target",
            name="baseline_fiscal_year",
            field=models.PositiveSmallIntegerField(validators=[circularity.models.validate_target_year]),
        ),
        migrations.AlterField(
            model_name="target",
            name="baseline_value",
            field=models.DecimalField(
                blank=True,
                decimal_places=6,
                help_text="A fraction; blank: the metric's value in the baseline fiscal year.",
                max_digits=10,
                null=True,
                validators=[circularity.models.validate_fraction],
            ),
        ),
        migrations.AlterField(
            model_name="target",
            name="target_fiscal_year",
            field=models.PositiveSmallIntegerField(validators=[circularity.models.validate_target_year]),
        ),
        migrations.AlterField(
            model_name="target",
            name="target_value",
            field=models.DecimalField(
                decimal_places=6,
                help_text="A fraction: 0.90 is 90 %.",
                max_digits=10,
                validators=[circularity.models.validate_fraction],
            ),
        ),
        AddConstraintNotValid(
            model_name="disposition",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("decided_at__isnull", True),
                    models.Q(
                        ("decided_at__gte", datetime.datetime(1990, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                        ("decided_at__lt", datetime.datetime(2101, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    ),
                    _connector="OR",
                ),
                name="disposition_decided_at_in_range",
            ),
        ),
        AddConstraintNotValid(
            model_name="packagingrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("received_on__isnull", True),
                    models.Q(
                        ("received_on__gte", datetime.date(1990, 1, 1)), ("received_on__lt", datetime.date(2101, 1, 1))
                    ),
                    _connector="OR",
                ),
                name="packaging_received_on_in_range",
            ),
        ),
        AddConstraintNotValid(
            model_name="sanitizationrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("performed_at__isnull", True),
                    models.Q(
                        ("performed_at__gte", datetime.datetime(1990, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                        ("performed_at__lt", datetime.datetime(2101, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    ),
                    _connector="OR",
                ),
                name="sanitization_performed_at_in_range",
            ),
        ),
        AddConstraintNotValid(
            model_name="shipment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("shipped_at__isnull", True),
                    models.Q(
                        ("shipped_at__gte", datetime.datetime(1990, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                        ("shipped_at__lt", datetime.datetime(2101, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    ),
                    _connector="OR",
                ),
                name="shipment_shipped_at_in_range",
            ),
        ),
        AddConstraintNotValid(
            model_name="shipment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("received_at__isnull", True),
                    models.Q(
                        ("received_at__gte", datetime.datetime(1990, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                        ("received_at__lt", datetime.datetime(2101, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    ),
                    _connector="OR",
                ),
                name="shipment_received_at_in_range",
            ),
        ),
        AddConstraintNotValid(
            model_name="target",
            constraint=models.CheckConstraint(
                condition=models.Q(("target_fiscal_year__gte", 2000), ("target_fiscal_year__lte", 2100)),
                name="target_fiscal_year_in_range",
            ),
        ),
        AddConstraintNotValid(
            model_name="target",
            constraint=models.CheckConstraint(
                condition=models.Q(("baseline_fiscal_year__gte", 2000), ("baseline_fiscal_year__lte", 2100)),
                name="target_baseline_fiscal_year_in_range",
            ),
        ),
        AddConstraintNotValid(
            model_name="target",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("target_value__isnull", True),
                    models.Q(("target_value__gte", 0), ("target_value__lte", 1)),
                    _connector="OR",
                ),
                name="target_value_is_fraction",
            ),
        ),
        AddConstraintNotValid(
            model_name="target",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("baseline_value__isnull", True),
                    models.Q(("baseline_value__gte", 0), ("baseline_value__lte", 1)),
                    _connector="OR",
                ),
                name="target_baseline_value_is_fraction",
            ),
        ),
    ]
