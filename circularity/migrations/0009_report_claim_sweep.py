"""The report's claim records its Celery task; the beat entry that sweeps dead claims.

``claim_task_id`` lets a task that the broker hands back after its worker died see that
the claim on the row is its own, dead one. The sweep runs every five minutes on the
``default`` queue, so a stuck or dead ``email`` worker does not stop it. Staff can change
the schedule in the admin.
"""

from django.conf import settings
from django.db import migrations, models

NAME = "Sweep compliance report claims"
TASK = "circularity.tasks.sweep_compliance_reports"


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="*/5", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "crontab": crontab,
            "queue": "default",
            "description": "Settles compliance reports whose attempt died (sending -> unconfirmed, "
            "building -> failed and retried) and emails the report's admins.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("circularity", "0008_asset_at_center"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="compliancereport",
            name="claim_task_id",
            field=models.CharField(
                blank=True,
                help_text="The Celery task that holds the claim (blank for a command run in the foreground): the same task found holding it again was redelivered after its worker died.",
                max_length=64,
            ),
        ),
        migrations.RunPython(add_schedule, remove_schedule),
    ]
