"""Beat entry: create the monthly partitions ahead every day at 03:10 (TIME_ZONE).

Three months are always ahead, so a beat that stops for weeks still leaves time to notice
(``check_data`` reports a missing month before it is needed).
"""

from django.conf import settings
from django.db import migrations

NAME = "Create monthly partitions ahead (daily)"


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="10", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )
    PeriodicTask.objects.get_or_create(
        name=NAME, defaults={"task": "circularity.tasks.create_partitions", "crontab": crontab, "queue": "default"}
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("circularity", "0018_partition_dispositions"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
