"""The report's exceptions grouped by top-level asset: "1 server with its 19 parts in transit
for 21 days", not twenty serial numbers (issue 11). The full serial lists go to the CSV.

Grouping happens in SQL: each offending asset is keyed by its top-most ancestor
(``Coalesce`` over the parent chain, up to ``DEPTH`` levels: a rack-mounted chassis, its
server, the server's parts), the groups are counted and ordered by the oldest member, and
only the first ``limit`` groups are labelled (one more query for their top-level assets).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from inventory.choices import Category, Status
from inventory.models import Asset

from .exceptions import _in_state_since
from .models import Shipment

DEPTH = 4  # ancestors looked through; deeper trees group at their fourth ancestor
DEFAULT_GROUPS = 10


def top_level_key() -> Coalesce:
    """The id of an asset's top-most ancestor (within ``DEPTH`` levels), or its own."""
    chain = ["parent" + "__parent" * level + "_id" for level in range(DEPTH - 1, -1, -1)]
    return Coalesce(*[F(name) for name in chain], F("id"))


@dataclass(frozen=True)
class ExceptionGroup:
    """Offending assets under one top-level asset."""

    top_serial: str
    top_category: str
    top_included: bool  # the top-level asset is itself among the offenders
    assets: int  # offenders in the group, the top-level asset included when it is one
    oldest_days: int
    newest_days: int
    site: str
    shipment: str = ""
    shipment_center: str = ""

    @property
    def parts(self) -> int:
        return self.assets - (1 if self.top_included else 0)

    @property
    def days(self) -> str:
        if self.oldest_days == self.newest_days:
            return f"{self.oldest_days} days"
        return f"{self.newest_days}–{self.oldest_days} days"

    @property
    def sentence(self) -> str:
        """``1 server SRV-1 (AMS05) with its 19 parts``, or ``3 parts of server SRV-1``."""
        noun = Category(self.top_category).label if self.top_category in Category.values else "asset"
        if noun[1:2].islower():  # "Server" -> "server"; "SSD", "NIC" stay as they are
            noun = noun[0].lower() + noun[1:]
        parts = f"{self.parts} part{'s' if self.parts != 1 else ''}"
        where = f" ({self.site})" if self.site else ""
        if not self.top_included:
            return f"{parts} of {noun} {self.top_serial}{where}"
        text = f"1 {noun} {self.top_serial}{where}"
        return f"{text} with its {parts}" if self.parts else text


@dataclass(frozen=True)
class GroupedExceptions:
    assets: int  # offenders in all
    groups: int  # top-level assets they fall under
    shown: list[ExceptionGroup] = field(default_factory=list)

    @property
    def more_groups(self) -> int:
        return max(0, self.groups - len(self.shown))


def _grouped(queryset: QuerySet, as_of: dt.datetime, limit: int) -> GroupedExceptions:
    """``queryset`` annotated with ``since``: grouped by top-level asset, oldest first."""
    keyed = queryset.annotate(top=top_level_key())
    totals = keyed.aggregate(assets=Count("id"), groups=Count("top", distinct=True))
    if not totals["assets"]:
        return GroupedExceptions(0, 0)
    groups = list(
        keyed.values("top")
        .annotate(
            assets=Count("id"),
            top_included=Count("id", filter=Q(id=F("top"))),
            oldest=Min("since"),
            newest=Max("since"),
        )
        .order_by("oldest", "top")[:limit]
    )
    latest_shipment = Shipment.objects.filter(assets=OuterRef("pk")).order_by("-shipped_at", "-id")
    tops = {
        row["id"]: row
        for row in Asset.objects.filter(id__in=[group["top"] for group in groups])
        .annotate(
            shipment_ref=Subquery(latest_shipment.values("tracking_ref")[:1]),
            shipment_center=Subquery(latest_shipment.values("to_center__code")[:1]),
        )
        .values("id", "serial_number", "part_model__category", "site__code", "shipment_ref", "shipment_center")
    }
    shown = [
        ExceptionGroup(
            top_serial=tops[group["top"]]["serial_number"],
            top_category=tops[group["top"]]["part_model__category"],
            top_included=bool(group["top_included"]),
            assets=group["assets"],
            oldest_days=(as_of - group["oldest"]).days,
            newest_days=(as_of - group["newest"]).days,
            site=tops[group["top"]]["site__code"] or "",
            shipment=tops[group["top"]]["shipment_ref"] or "",
            shipment_center=tops[group["top"]]["shipment_center"] or "",
        )
        for group in groups
    ]
    return GroupedExceptions(totals["assets"], totals["groups"], shown)


def in_transit_groups(*, as_of: dt.datetime, days: int, limit: int = DEFAULT_GROUPS) -> GroupedExceptions:
    """Assets in transit longer than ``days``, by top-level asset (three queries)."""
    late = (
        Asset.objects.filter(status=Status.IN_TRANSIT)
        .annotate(since=_in_state_since(Status.IN_TRANSIT))
        .filter(since__lt=as_of - dt.timedelta(days=days))
    )
    return _grouped(late, as_of, limit)


def missing_groups(*, as_of: dt.datetime, limit: int = DEFAULT_GROUPS) -> GroupedExceptions:
    """Assets ``missing``, by top-level asset (three queries)."""
    missing = Asset.objects.filter(status=Status.MISSING).annotate(since=_in_state_since(Status.MISSING))
    return _grouped(missing, as_of, limit)
