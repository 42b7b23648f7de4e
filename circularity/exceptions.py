"""Selectors for the exceptions the compliance report lists (SPEC section 7).

Each is a query that filters, orders and limits in SQL and counts in one aggregate: the
report shows the first ``limit`` offending assets by serial number and how many more
there are, whatever the size of the fleet. No Python loop looks at assets.

* ``uncertified_departures``: data-bearing assets that left custody without the verified
  certificate the sanitization gate asks for. The gate (``circularity.dispositions``)
  refuses these, so the list is normally empty; rows imported or written outside the gate
  show here. Two sources:

  - a disposition of a data-bearing asset for which no verified sanitization of a method
    its route allows (``reuse``: clear, purge or destroy; any other route: purge or
    destroy) was performed in its custody cycle: after the asset's previous disposition
    (if any) and no later than this one's ``decided_at``;
  - an asset in ``resold``, ``recycled`` or ``disposed`` with no disposition at all and no
    verified purge or destroy ever (it was put there by an import, not by the gate).

  A month's report lists those *decided or recorded* in the month: a backdated import
  shows in the report of the month it was imported in, so nothing escapes a report, and
  the query reads one month of rows, not the whole history.

* ``long_in_transit``: assets ``in_transit`` for longer than ``TRANSIT_EXCEPTION_DAYS``,
  measured from their last transition into ``in_transit`` (an asset with no such event,
  imported in that state, from when its record was created).
* ``missing_assets``: assets ``missing``, since their last transition into ``missing``.

Transit and missing are states: they are read as the fleet is when the report is built.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from inventory import moments
from inventory.choices import TERMINAL_STATUSES, Action, Status
from inventory.models import Asset, LifecycleEvent

from .choices import METHODS_FOR_OTHER_ROUTES, Route
from .models import Disposition, SanitizationRecord, Shipment

DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class ExceptionList:
    """The first rows of an exception, and how many there are in all."""

    total: int
    rows: list[dict] = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.rows))


# --- data-bearing assets without a certificate -------------------------------------------


@contextmanager
def _without_jit():
    """PostgreSQL compiles these correlated subqueries (JIT) for longer than they run: on a
    million dispositions, 0.85 s of compiling for 0.6 s of work. Off for this read only."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def _certificates_in_cycle() -> QuerySet:
    """Verified sanitizations of the outer disposition's asset, performed in its custody
    cycle: no later than its ``decided_at`` and after any earlier disposition of the asset."""
    later_disposition = Disposition.objects.filter(
        asset_id=OuterRef(OuterRef("asset_id")),
        decided_at__lt=OuterRef(OuterRef("decided_at")),
        decided_at__gte=OuterRef("performed_at"),
    )
    return SanitizationRecord.objects.filter(
        asset_id=OuterRef("asset_id"), verified=True, performed_at__lte=OuterRef("decided_at")
    ).exclude(Exists(later_disposition))


def uncertified_dispositions(*, first: dt.datetime, until: dt.datetime) -> QuerySet:
    """Dispositions of data-bearing assets that lacked the certificate, decided or recorded
    in [``first``, ``until``)."""
    certificates = _certificates_in_cycle()
    lacking = (~Exists(certificates) & Q(route=Route.REUSE)) | (
        ~Exists(certificates.filter(method__in=METHODS_FOR_OTHER_ROUTES)) & ~Q(route=Route.REUSE)
    )
    in_window = Q(decided_at__gte=first, decided_at__lt=until) | Q(recorded_at__gte=first, recorded_at__lt=until)
    # Implied by the window (a decision is recorded at most FUTURE_TOLERANCE before it is
    # decided: moments.check_moment), stated so PostgreSQL prunes the partitions of later
    # months. Earlier months are probed by their recorded_at index: a backdated import
    # recorded in the window lies there.
    in_window &= Q(decided_at__lt=until + moments.FUTURE_TOLERANCE)
    # A scalar subquery, not a join: PostgreSQL then checks it per row before the costlier
    # certificate subqueries instead of hashing the whole asset table (2x faster at 1M).
    data_bearing = Subquery(Asset.objects.filter(pk=OuterRef("asset_id")).values("part_model__data_bearing")[:1])
    return (
        Disposition.objects.filter(in_window)
        .annotate(data_bearing=data_bearing)
        .filter(data_bearing=True)
        .filter(lacking)
    )


def terminal_without_disposition(*, first: dt.datetime, until: dt.datetime) -> QuerySet:
    """Data-bearing assets recorded in [``first``, ``until``) in a terminal state with no
    disposition and no verified purge or destroy."""
    return (
        Asset.objects.filter(
            created_at__gte=first,
            created_at__lt=until,
            part_model__data_bearing=True,
            status__in=TERMINAL_STATUSES,
        )
        .exclude(Exists(Disposition.objects.filter(asset_id=OuterRef("pk"))))
        .exclude(
            Exists(
                SanitizationRecord.objects.filter(
                    asset_id=OuterRef("pk"), verified=True, method__in=METHODS_FOR_OTHER_ROUTES
                )
            )
        )
    )


def uncertified_departures(*, first: dt.datetime, until: dt.datetime, limit: int = DEFAULT_LIMIT) -> ExceptionList:
    """Both sources for the window [``first``, ``until``), newest first. Four queries at most:
    a count and a limited list per source."""
    with _without_jit():
        return _uncertified_departures(first, until, limit)


def _uncertified_departures(first: dt.datetime, until: dt.datetime, limit: int) -> ExceptionList:
    dispositions = uncertified_dispositions(first=first, until=until)
    total = dispositions.count()
    rows = []
    if total:
        rows = [
            {
                "serial_number": row["asset__serial_number"],
                "category": row["category"],
                "route": row["route"],
                "left_at": row["decided_at"],
                "recorded_at": row["recorded_at"],
                "center": row["center__code"],
                "site": row["site__code"],
                "installed_in": row["tree_root__serial_number"] if row["tree_root_id"] != row["asset_id"] else "",
                "source": "disposition",
            }
            for row in dispositions.order_by("-decided_at", "asset__serial_number").values(
                "asset_id",
                "asset__serial_number",
                "category",
                "route",
                "decided_at",
                "recorded_at",
                "center__code",
                "site__code",
                "tree_root_id",
                "tree_root__serial_number",
            )[:limit]
        ]
    assets = terminal_without_disposition(first=first, until=until)
    asset_total = assets.count()
    room = max(0, limit - len(rows))
    if asset_total and room:
        rows += [
            {
                "serial_number": row["serial_number"],
                "category": row["part_model__category"],
                "route": "",
                "left_at": None,
                "recorded_at": row["created_at"],
                "status": row["status"],
                "center": row["center__code"] or "",
                "site": row["site__code"],
                "installed_in": row["parent__serial_number"] or "",
                "source": "no disposition",
            }
            for row in assets.order_by("-created_at", "serial_number").values(
                "serial_number",
                "part_model__category",
                "status",
                "created_at",
                "center__code",
                "site__code",
                "parent__serial_number",
            )[:room]
        ]
    return ExceptionList(total=total + asset_total, rows=rows)


# --- assets in a state for too long -------------------------------------------------------


def _in_state_since(status: str) -> Coalesce:
    """When the asset last went into ``status``; its record's creation if no event says so."""
    last_event = (
        LifecycleEvent.objects.filter(asset_id=OuterRef("pk"), action=Action.TRANSITION, to_status=status)
        .order_by("-occurred_at", "-id")
        .values("occurred_at")[:1]
    )
    return Coalesce(Subquery(last_event), F("created_at"))


def _state_rows(queryset: QuerySet, as_of: dt.datetime, limit: int) -> list[dict]:
    latest_shipment = Shipment.objects.filter(assets=OuterRef("pk")).order_by("-shipped_at", "-id")
    rows = queryset.annotate(
        shipment_ref=Subquery(latest_shipment.values("tracking_ref")[:1]),
        shipment_center=Subquery(latest_shipment.values("to_center__code")[:1]),
    ).values(
        "serial_number",
        "part_model__category",
        "site__code",
        "center__code",
        "parent__serial_number",
        "since",
        "shipment_ref",
        "shipment_center",
    )[:limit]
    return [
        {
            "serial_number": row["serial_number"],
            "category": row["part_model__category"],
            "site": row["site__code"],
            "center": row["center__code"] or "",
            "installed_in": row["parent__serial_number"] or "",
            "since": row["since"],
            "days": (as_of - row["since"]).days,
            "shipment": row["shipment_ref"] or "",
            "shipment_center": row["shipment_center"] or "",
        }
        for row in rows
    ]


def long_in_transit(*, as_of: dt.datetime, days: int, limit: int = DEFAULT_LIMIT) -> ExceptionList:
    """Assets in transit since before ``as_of`` − ``days``, longest first (two queries)."""
    queryset = (
        Asset.objects.filter(status=Status.IN_TRANSIT)
        .annotate(since=_in_state_since(Status.IN_TRANSIT))
        .filter(since__lt=as_of - dt.timedelta(days=days))
    )
    total = queryset.count()
    ordered = queryset.order_by("since", "serial_number")
    return ExceptionList(total=total, rows=_state_rows(ordered, as_of, limit) if total else [])


def missing_assets(*, as_of: dt.datetime, limit: int = DEFAULT_LIMIT) -> ExceptionList:
    """Assets ``missing``, missing longest first (two queries)."""
    queryset = Asset.objects.filter(status=Status.MISSING)
    total = queryset.count()
    if not total:
        return ExceptionList(total=0)
    ordered = queryset.annotate(since=_in_state_since(Status.MISSING)).order_by("since", "serial_number")
    return ExceptionList(total=total, rows=_state_rows(ordered, as_of, limit))
