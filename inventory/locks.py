"""Row locks on assets, taken in one fixed order.

Every lock on assets goes through ``lock_assets`` so that two transactions touching
overlapping sets always lock in primary-key order and cannot deadlock on each other.
On SQLite ``select_for_update`` is a no-op; there, an IMMEDIATE transaction already
holds the database's single write lock.
"""

from django.db.models import QuerySet


def lock_assets(queryset: QuerySet, *, values: tuple[str, ...] | None = None) -> list:
    """Lock the rows of ``queryset`` in primary-key order; return models, or tuples of ``values``."""
    locked = queryset.order_by("pk").select_for_update(of=("self",))
    return list(locked.values_list(*values) if values else locked)
