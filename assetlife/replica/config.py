"""The replica's alias, and whether one is configured (``DATABASE_REPLICA_URL``)."""

from django.conf import settings

REPLICA = "replica"


def has_replica() -> bool:
    return REPLICA in settings.DATABASES
