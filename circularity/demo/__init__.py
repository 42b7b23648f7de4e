"""The demo fleet: a realistic, deterministic history to try AssetLife on.

``load_demo_fleet()`` plans the history in memory (``plan``, ``decisions``,
``packaging``), then, in ONE database transaction, creates the catalog and the assets in
bulk (``build``), performs every later change through the real services (``replay``) and
rebuilds the monthly snapshots. A failure leaves the database as it was. It loads into an
empty database only: history is append-only, so a second load is refused rather than
mixed in. See docs/demo-fleet.md.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from circularity import snapshots
from circularity.models import (
    CircularCenter,
    Disposition,
    EvidenceFile,
    Lot,
    PackagingRecord,
    SanitizationRecord,
    Shipment,
    Vendor,
    VendorCertification,
)
from inventory.models import Asset, LifecycleEvent, PartModel, Site

from .build import create_catalog
from .decisions import DecisionPlanner
from .lots import attach_certificates, create_lots
from .packaging import create_packaging, plan_packaging
from .plan import Planner, earliest_as_of
from .recovery import add_batches_and_reinstalls
from .replay import Replay
from .vendors import create_vendors
from .write import write_history

DEFAULT_SERVERS = 2000
DEFAULT_SEED = 2022
MIN_SERVERS = 10
MAX_SERVERS = 100_000

ANALYZED_MODELS = (Asset, LifecycleEvent, Shipment, SanitizationRecord, Disposition)

# What must be empty before a load: the tables the demo writes its own rows into.
CHECKED_MODELS = (Site, PartModel, Asset, CircularCenter, Shipment, Disposition, PackagingRecord, Vendor, Lot)


class DemoLoadRefused(Exception):
    """The demo fleet cannot be loaded as asked; the message says why and what to do."""


@dataclass(frozen=True)
class DemoSummary:
    servers: int
    seed: int
    as_of: dt.date
    counts: dict[str, int]


def existing_data() -> dict[str, int]:
    """Rows already in the tables the demo would write to (empty dict: the database is empty)."""
    found = {}
    for model in CHECKED_MODELS:
        count = model.objects.count()
        if count:
            found[model._meta.verbose_name_plural] = count
    return found


def load_demo_fleet(
    *,
    servers: int = DEFAULT_SERVERS,
    seed: int = DEFAULT_SEED,
    as_of: dt.date | None = None,
    progress: bool = False,
) -> DemoSummary:
    """Load the demo fleet: the same ``seed``, ``servers`` and ``as_of`` give the same data."""
    today = timezone.now().date()
    as_of = as_of or today
    if not MIN_SERVERS <= servers <= MAX_SERVERS:
        raise DemoLoadRefused(f"servers={servers}: use a number from {MIN_SERVERS} to {MAX_SERVERS}.")
    if as_of > today:
        raise DemoLoadRefused(f"as_of={as_of}: the history cannot run past today ({today}).")
    if as_of < earliest_as_of():
        raise DemoLoadRefused(
            f"as_of={as_of}: the history starts with FY2021 and must hold FY2022 whole; "
            f"use {earliest_as_of()} or later."
        )

    planner = Planner(servers=servers, seed=seed, as_of=as_of)
    steps = (
        planner.plan_fleet,
        planner.plan_failures,
        planner.plan_retirements,
        planner.plan_losses,
        DecisionPlanner(planner).plan,
        planner.plan_custody,
    )
    with _bar(progress, len(steps) + 1, "Planning the history", "step") as bar:
        for step in steps:
            step()
            bar.update(1)
        packaging = plan_packaging(planner)
        bar.update(1)
    # The history is replayed in memory by the services' rules before anything is written.
    replay = Replay(planner.assets)
    with _bar(progress, len(planner.actions), "Replaying history", "step") as bar:
        replay.progress = bar
        rows = replay.run(planner.actions)

    with transaction.atomic():
        found = existing_data()
        if found:
            listing = ", ".join(f"{count} {name}" for name, count in found.items())
            raise DemoLoadRefused(
                f"The database already holds data ({listing}). The demo fleet loads into an empty "
                "database only: its history is append-only and is never mixed with real data. "
                "Use a new database (drop it, then run `manage.py migrate`)."
            )
        sites, centers, part_models = create_catalog()
        create_vendors(as_of)
        create_packaging(packaging, sites=sites, part_models=part_models)
        total = len(replay.assets) + len(rows.events) + len(rows.sanitizations) + len(rows.dispositions)
        with _bar(progress, total, "Writing rows", "row") as bar:
            write_history(replay.assets, rows, sites=sites, centers=centers, part_models=part_models, progress=bar)
        refresh_statistics()
        # Lots, certificates, sampled sanitization batches and reinstalled parts go through
        # the services, on the rows written above.
        create_lots(as_of, seed)
        attach_certificates(as_of)
        extras = add_batches_and_reinstalls(seed=seed, limit=planner.limit)
        snapshots.rebuild_all()
        counts = {
            "sites": Site.objects.count(),
            "circular centers": CircularCenter.objects.count(),
            "part models": PartModel.objects.count(),
            "assets": Asset.objects.count(),
            "lifecycle events": LifecycleEvent.objects.count(),
            "shipments": Shipment.objects.count(),
            "sanitization records": SanitizationRecord.objects.count(),
            "dispositions": Disposition.objects.count(),
            "packaging records": PackagingRecord.objects.count(),
            "vendors": Vendor.objects.count(),
            "vendor certifications": VendorCertification.objects.count(),
            "lots": Lot.objects.count(),
            "evidence files": EvidenceFile.objects.count(),
            **extras,
        }
    return DemoSummary(servers=servers, seed=seed, as_of=as_of, counts=counts)


def refresh_statistics() -> None:
    """Let the query planner see the rows this transaction has written so far.

    The load is one transaction, so PostgreSQL's autovacuum never analyses the growing
    tables and the planner would keep its "empty table" estimates: sequential scans of
    200 000 assets per service call. ``ANALYZE`` in the transaction counts its own rows.
    SQLite gets the same (``sqlite_stat1``), which its planner then keeps using.
    """
    tables = [model._meta.db_table for model in ANALYZED_MODELS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(tables))
        elif connection.vendor == "sqlite":
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


def _bar(enabled: bool, total: int, description: str, unit: str) -> tqdm:
    return tqdm(total=total, desc=description, unit=unit, disable=not enabled, file=sys.stderr, leave=True)


__all__ = ["DEFAULT_SEED", "DEFAULT_SERVERS", "DemoLoadRefused", "DemoSummary", "existing_data", "load_demo_fleet"]
