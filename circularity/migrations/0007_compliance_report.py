"""The compliance report models, their staff permissions, and the monthly beat entry.

The beat entry runs on day 1 of each month at 06:00 in TIME_ZONE; with no arguments the
task reports the month before. Staff can change the schedule in the admin.
"""

from django.conf import settings
from django.db import migrations, models

from assetlife.roles import sync_groups

NAME = "Send the monthly compliance report"
TASK = "circularity.tasks.send_compliance_report"


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="6", day_of_week="*", day_of_month="1", month_of_year="*", timezone=settings.TIME_ZONE
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "crontab": crontab,
            "queue": "email",
            "description": "Builds and sends the compliance report of the month before to the active recipients.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("circularity", "0006_snapshot_schedule"),
        ("inventory", "0002_event_append_only_trigger"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="ComplianceReport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("period", models.DateField(help_text="The month reported: its first day.", unique=True)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("building", "Building"),
                            ("sending", "Sending"),
                            ("sent", "Sent"),
                            ("failed", "Failed"),
                            ("unconfirmed", "Unconfirmed (a person must check and re-send)"),
                        ],
                        default="pending",
                        max_length=12,
                    ),
                ),
                (
                    "figures",
                    models.JSONField(blank=True, default=dict, help_text="The figures the report was built from."),
                ),
                ("subject", models.CharField(blank=True, max_length=200)),
                (
                    "html",
                    models.TextField(blank=True, help_text="The HTML body; the chart is referenced as cid:rate-chart."),
                ),
                ("text", models.TextField(blank=True, help_text="The plain-text alternative.")),
                ("csv", models.TextField(blank=True, help_text="figures-YYYY-MM.csv")),
                ("pdf", models.BinaryField(blank=True, default=b"", help_text="compliance-YYYY-MM.pdf")),
                (
                    "chart_png",
                    models.BinaryField(blank=True, default=b"", help_text="The chart, sent inline by Content-ID."),
                ),
                (
                    "recipients",
                    models.JSONField(blank=True, default=list, help_text="The addresses the last send went to."),
                ),
                (
                    "deliveries",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Every send: when, to whom, and whether by the job or a person.",
                    ),
                ),
                ("generated_at", models.DateTimeField(blank=True, null=True)),
                ("sent_at", models.DateTimeField(blank=True, help_text="When it was last sent.", null=True)),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("last_error", models.TextField(blank=True, help_text="The error of the last failed attempt.")),
                (
                    "claim_token",
                    models.CharField(blank=True, help_text="The attempt that holds the report.", max_length=32),
                ),
                (
                    "claimed_by",
                    models.CharField(
                        blank=True, help_text="Who made that attempt: the job or a person.", max_length=200
                    ),
                ),
                ("claimed_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "ordering": ["-period"],
            },
        ),
        migrations.CreateModel(
            name="ReportRecipient",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200)),
                ("email", models.EmailField(max_length=254, unique=True)),
                ("active", models.BooleanField(default=True, help_text="Only active recipients are sent the report.")),
            ],
            options={
                "ordering": ["name", "email"],
            },
        ),
        migrations.AddIndex(
            model_name="disposition",
            index=models.Index(fields=["recorded_at"], name="disposition_recorded_idx"),
        ),
        migrations.AddConstraint(
            model_name="compliancereport",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["pending", "building", "sending", "sent", "failed", "unconfirmed"])),
                name="report_state_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="compliancereport",
            constraint=models.CheckConstraint(condition=models.Q(("period__day", 1)), name="report_period_first_day"),
        ),
        migrations.AddConstraint(
            model_name="compliancereport",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("state", "sent"), _negated=True), ("sent_at__isnull", False), _connector="OR"
                ),
                name="report_sent_has_sent_at",
            ),
        ),
        migrations.RunPython(sync_groups, migrations.RunPython.noop),
        migrations.RunPython(add_schedule, remove_schedule),
    ]
