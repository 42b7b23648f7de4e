"""``MonthlySnapshot`` refresh: closed months' sums kept in a table, per grouping.

Long format: one row per month, grouping, route, hazardous and onsite present, from one
grouped scan of the months' dispositions.

A disposition marks its month stale (``mark_stale``); the refresh job recomputes stale
closed months only (``refresh_stale``), or every month that has dispositions
(``rebuild_all``, after a bulk load). A refresh replaces a month's rows in one
transaction and clears the stale mark only if no disposition marked the month again
meanwhile, so a crashed or concurrent refresh is safe to re-run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import Disposition, MonthlySnapshot, SnapshotMonth
from .periods import current_month, month_of


def mark_stale(moments: Iterable[dt.date | dt.datetime]) -> None:
    """Mark the months containing ``moments`` for refresh (two queries)."""
    now = timezone.now()
    months = sorted({month_of(moment) for moment in moments})
    SnapshotMonth.objects.bulk_create([SnapshotMonth(month=month) for month in months], ignore_conflicts=True)
    SnapshotMonth.objects.filter(month__in=months).update(stale=True, marked_at=now, version=F("version") + 1)


def refresh(months: Iterable[dt.date]) -> list[dt.date]:
    """Recompute the snapshots of the given closed months (open months are skipped).

    One grouped scan of those months' dispositions feeds every grouping; returns the
    months refreshed. A month marked again while this ran (its ``version`` moved on)
    stays stale for the next run.
    """
    from .metrics import sums_by_every_grouping

    months = sorted({month_of(m) for m in months if month_of(m) < current_month()})
    if not months:
        return []
    SnapshotMonth.objects.bulk_create([SnapshotMonth(month=month) for month in months], ignore_conflicts=True)
    versions = dict(SnapshotMonth.objects.filter(month__in=months).values_list("month", "version"))
    computed_at = timezone.now()
    rows = [
        MonthlySnapshot(
            month=month,
            dimension=dimension,
            group_key=group or "",
            route=route,
            hazardous=hazardous,
            onsite=onsite,
            units=units,
            mass_kg=mass,
            avoided_kgco2e=avoided,
            computed_at=computed_at,
        )
        for dimension, groups in sums_by_every_grouping(months).items()
        for (month, group), sums in groups.items()
        for route, hazardous, onsite, units, mass, avoided in sums.cells()
    ]
    with transaction.atomic():
        # Two refreshes of one month serialise on its fill-state row.
        list(SnapshotMonth.objects.select_for_update().filter(month__in=months).order_by("month"))
        MonthlySnapshot.objects.filter(month__in=months).delete()
        MonthlySnapshot.objects.bulk_create(rows, batch_size=1000)
        refreshed_at = timezone.now()
        for month in months:
            SnapshotMonth.objects.filter(month=month, version=versions[month]).update(
                stale=False, refreshed_at=refreshed_at
            )
    return months


def stale_months() -> list[dt.date]:
    return list(
        SnapshotMonth.objects.filter(stale=True, month__lt=current_month())
        .order_by("month")
        .values_list("month", flat=True)
    )


def refresh_stale() -> list[dt.date]:
    """The nightly job: refresh every closed month marked stale."""
    return refresh(stale_months())


def rebuild_all() -> list[dt.date]:
    """Refresh every closed month that has dispositions (after a bulk load)."""
    months = (
        Disposition.objects.annotate(month=TruncMonth("decided_at", tzinfo=dt.UTC))
        .values_list("month", flat=True)
        .distinct()
        .order_by()
    )
    return refresh(month_of(m) for m in months)
