"""Two campuses, each with a bit of everything, and the organisation's own documents.

AMS (site AMS91, circular center AMS-CX) and DUB (site DUB92, center DUB-CX) each hold a
deployed server with a drive in it, a decommissioned server awaiting shipment, a server
at the center with a sanitized drive, a server recycled there, a server in transit on a
shipment, and a packaging record. Every identity of a campus (serial numbers, asset tags,
external ids, certificates, tracking references, its supplier) is a *secret* of that
campus: no answer to the other campus's user may contain it. The compliance report and
its recipients hold the organisation's secrets.

``Names`` are what a request can name (codes, serial numbers, ids): those of a campus, or
those of nothing at all (``GHOST``), so a test can check that naming another campus's
object answers exactly what naming nothing answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django_celery_beat.models import ClockedSchedule, IntervalSchedule, SolarSchedule
from rest_framework.authtoken.models import Token

from circularity import custody, dispositions, evidence, lots, snapshots
from circularity.choices import EvidenceKind, Route
from circularity.models import (
    CircularCenter,
    ComplianceReport,
    Disposition,
    EvidenceFile,
    Lot,
    LotItem,
    PackagingRecord,
    ReportRecipient,
    ReportState,
    SanitizationBatch,
    SanitizationRecord,
    SanitizationSampleResult,
    Shipment,
    Target,
    Vendor,
    VendorCertification,
)
from circularity.sanitization import sanitization_batch_create
from inventory import lifecycle
from inventory.choices import Category, Source, Status
from inventory.models import AccessScope, Asset, LifecycleEvent, PartModel, Site
from tests.factories import (
    AssetFactory,
    CircularCenterFactory,
    PackagingRecordFactory,
    PartModelFactory,
    SiteFactory,
    UserFactory,
    VendorCertificationFactory,
)

WHEN = dt.datetime(2024, 3, 15, 12, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2024, 4, 2, 9, 30, tzinfo=dt.UTC)
AT_LATER = LATER.isoformat()
REPORT_SECRET = "ORG-ONLY-REPORT-MARKER"
RECIPIENT_SECRET = "board-of-directors@example.org"
GHOST_ID = 987654321


@dataclass
class Names:
    """What a request may name of one campus (or, for ``ghost()``, of nothing)."""

    token: str
    site: str
    center: str
    site_pk: int
    center_pk: int
    serials: dict[str, str]  # role -> serial number
    pks: dict[str, int]  # role -> primary key (assets, and the campus's records)
    keys: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)

    def serial(self, role: str) -> str:
        return self.serials[role]

    def pk(self, role: str) -> int:
        return self.pks[role]

    @classmethod
    def ghost(cls, like: Names) -> Names:
        """Names of nothing, shaped like ``like``'s: every code, serial and id unused."""
        return cls(
            token="GHOST",
            site="GHOST05",
            center="GHOST-CC",
            site_pk=GHOST_ID,
            center_pk=GHOST_ID + 1,
            serials={role: f"GHOST-{role}" for role in like.serials},
            pks={role: GHOST_ID + 10 + i for i, role in enumerate(like.pks)},
            keys=[f"GHOST-KEY-{i}" for i, _ in enumerate(like.keys)],
        )

    def replacements(self, ghost: Names) -> list[tuple[str, str]]:
        """(this campus's name, the ghost's) pairs, longest first, to compare two answers.

        Names only: ids are numbers, which an answer may hold for other reasons.
        """
        pairs = [(self.site, ghost.site), (self.center, ghost.center)]
        pairs += [(self.serials[role], ghost.serials[role]) for role in self.serials]
        pairs += list(zip(self.keys, ghost.keys, strict=True))
        return sorted(pairs, key=lambda pair: -len(pair[0]))


@dataclass
class World:
    campuses: dict[str, Names]
    users: dict[str, object]  # anonymous (None), noperm, AMS, DUB, and unscoped (every permission, no scope)
    server_model: PartModel
    report: ComplianceReport
    target_pk: int

    def other(self, token: str) -> Names:
        return next(names for key, names in self.campuses.items() if key != token)


def _campus(token: str, site_code: str, server_model, ssd_model) -> Names:
    site = SiteFactory(code=site_code, name=f"Data center {site_code}")
    center = CircularCenterFactory(code=f"{token}-CX", name=f"Circular center {token}", sites=[site])

    def asset(role, model=server_model, **kwargs):
        return AssetFactory(serial_number=f"SN-{token}-{role}", site=site, part_model=model, **kwargs)

    srv1 = asset("SRV1", status=Status.IN_STOCK)
    ssd1 = asset("SSD1", model=ssd_model, status=Status.IN_STOCK, parent=srv1)
    lifecycle.transition(srv1, to=Status.DEPLOYED, occurred_at=WHEN, source=Source.API, external_id=f"KEY-{token}-1")
    srv2 = asset("SRV2", asset_tag=f"TAG-{token}-2")
    lifecycle.transition(
        srv2, to=Status.DECOMMISSIONED, occurred_at=WHEN, source=Source.API, external_id=f"KEY-{token}-2"
    )
    srv3 = asset("SRV3", status=Status.DECOMMISSIONED)
    ssd3 = asset("SSD3", model=ssd_model, status=Status.DECOMMISSIONED, parent=srv3)
    lifecycle.transition(srv3, to=Status.AT_CIRCULAR_CENTER, occurred_at=WHEN, center=center, source=Source.API)
    sanitization = SanitizationRecord.objects.create(
        asset=ssd3,
        method="purge",
        performed_at=WHEN,
        performed_by="Technician",
        verified=True,
        certificate_id=f"CERT-{token}-3",
    )
    vendor = VendorCertificationFactory(vendor__code=f"RECYCLER-{token}").vendor  # vendors are shared
    # A batch of one drive, its sample awaiting its result.
    batch = sanitization_batch_create(
        center=center,
        serial_numbers=[ssd3.serial_number],
        method="purge",
        performed_at=WHEN,
        performed_by="Technician",
        code=f"SB-{token}-3",
    )
    srv4 = asset("SRV4", status=Status.DECOMMISSIONED)
    lifecycle.transition(srv4, to=Status.AT_CIRCULAR_CENTER, occurred_at=WHEN, center=center, source=Source.API)
    dispositions.record_disposition(
        asset=srv4,
        center=center,
        route=Route.RECYCLE,
        decided_at=WHEN,
        vendor=vendor,
        certificate_id=f"RC-{token}-4",
        source=Source.API,
    )
    srv5 = asset("SRV5", status=Status.DECOMMISSIONED)
    shipment = custody.ship(
        assets=[srv5], from_site=site, to_center=center, shipped_at=WHEN, tracking_ref=f"TRK-{token}-5", source="api"
    )
    packaging = PackagingRecordFactory(site=site, supplier=f"SUPPLIER-{token}")
    lot = lots.lot_create(
        code=f"LOT-{token}",
        center=center,
        vendor=vendor,
        route=Route.RECYCLE,
        shipped_at=WHEN,
        gross_kg=Decimal("30"),
        tare_kg=Decimal("10"),
        seal_number=f"SEAL-{token}",
        dispositions=Disposition.objects.filter(tree_root=srv4),
    )
    certificate = evidence.evidence_receive(
        upload=SimpleUploadedFile(f"COR-{token}.pdf", f"%PDF-1.4 certificate of recycling {token}\n".encode()),
        kind=EvidenceKind.LOT_CERTIFICATE,
        lot=lot,
    )
    assets = {"SRV1": srv1, "SSD1": ssd1, "SRV2": srv2, "SRV3": srv3, "SSD3": ssd3, "SRV4": srv4, "SRV5": srv5}
    keys = [f"KEY-{token}-1", f"KEY-{token}-2"]
    pks = {role: a.pk for role, a in assets.items()}
    pks.update(
        shipment=shipment.pk,
        sanitization=sanitization.pk,
        batch=batch.pk,
        disposition=Disposition.objects.get(asset=srv4).pk,
        packaging=packaging.pk,
        event=LifecycleEvent.objects.get(external_id=keys[0]).pk,
        lot=lot.pk,
        evidence=certificate.pk,
        vendor=vendor.pk,
    )
    secrets = [*(a.serial_number for a in assets.values()), f"TAG-{token}-2", *keys]
    secrets += [f"CERT-{token}-3", f"SB-{token}-3", f"RC-{token}-4", f"TRK-{token}-5", f"SUPPLIER-{token}"]
    secrets += [f"LOT-{token}", f"SEAL-{token}", f"COR-{token}.pdf", certificate.sha256]
    return Names(
        token=token,
        site=site.code,
        center=center.code,
        site_pk=site.pk,
        center_pk=center.pk,
        serials={role: a.serial_number for role, a in assets.items()},
        pks=pks,
        keys=keys,
        secrets=secrets,
    )


def _user(name: str, *, permissions: bool, scope: Names | None):
    user = UserFactory(username=name, is_staff=True, password="!")
    if permissions:  # every permission there is: only the scope holds them back
        user.user_permissions.set(Permission.objects.all())
    if scope is not None:
        access = AccessScope.objects.create(user=user, note=f"{scope.token} campus")
        access.sites.set([Site.objects.get(code=scope.site)])
        access.centers.set([access.centers.model.objects.get(code=scope.center)])
    Token.objects.create(user=user)
    return type(user).objects.get(pk=user.pk)


def build_world() -> World:
    server_model = PartModelFactory(manufacturer="Contoso", model_number="R740", category=Category.SERVER)
    ssd_model = PartModelFactory(manufacturer="Fabrikam", model_number="SSD-1T", category=Category.SSD)
    campuses = {
        token: _campus(token, code, server_model, ssd_model) for token, code in (("AMS", "AMS91"), ("DUB", "DUB92"))
    }
    snapshots.refresh_stale()
    serials = " ".join(names.serial("SRV4") for names in campuses.values())
    report = ComplianceReport.objects.create(
        period=dt.date(2024, 3, 1),
        state=ReportState.SENT,
        subject="AssetLife compliance report 2024-03",
        html=f"<html><body>{REPORT_SECRET} {serials}</body></html>",
        csv=f"marker,{REPORT_SECRET}\nserials,{serials}\n",
        pdf=f"%PDF-1.4 {REPORT_SECRET} {serials}".encode(),
        chart_png=b"\x89PNG\r\n",
        recipients=[RECIPIENT_SECRET],
        generated_at=LATER,
        sent_at=LATER,
    )
    ReportRecipient.objects.create(name="Board", email=RECIPIENT_SECRET)
    # One row of each job schedule, so each page of theirs has an object to ask for.
    IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    SolarSchedule.objects.create(event="sunrise", latitude=52.37, longitude=4.89)
    ClockedSchedule.objects.create(clocked_time=LATER)
    users = {
        "anonymous": None,
        "noperm": _user("noperm", permissions=False, scope=None),
        **{token: _user(f"staff-{token.lower()}", permissions=True, scope=names) for token, names in campuses.items()},
        "unscoped": _user("staff-all", permissions=True, scope=None),
    }
    target_pk = Target.objects.order_by("pk").values_list("pk", flat=True).first()
    return World(campuses=campuses, users=users, server_model=server_model, report=report, target_pk=target_pk)


def fingerprint() -> tuple:
    """Everything a write could change, in one comparable value."""
    return (
        tuple(
            Asset.objects.order_by("pk").values_list(
                "pk", "serial_number", "asset_tag", "status", "parent_id", "site_id", "center_id"
            )
        ),
        LifecycleEvent.objects.count(),
        Disposition.objects.count(),
        SanitizationRecord.objects.count(),
        SanitizationBatch.objects.count(),
        SanitizationSampleResult.objects.count(),
        tuple(Shipment.objects.order_by("pk").values_list("pk", "received_at", "tracking_ref")),
        tuple(PackagingRecord.objects.order_by("pk").values_list("pk", "site_id", "supplier", "package_count")),
        tuple(Site.objects.order_by("pk").values_list("pk", "code", "name")),
        tuple(PartModel.objects.order_by("pk").values_list("pk", "mass_kg")),
        tuple(CircularCenter.objects.order_by("pk").values_list("pk", "code", "name")),
        tuple(Target.objects.order_by("pk").values_list("pk", "target_value", "target_fiscal_year")),
        tuple(AccessScope.objects.order_by("pk").values_list("pk", "user_id", "note")),
        tuple(AccessScope.sites.through.objects.order_by("pk").values_list("pk", "site_id")),
        ComplianceReport.objects.count(),
        ReportRecipient.objects.count(),
        tuple(Vendor.objects.order_by("pk").values_list("pk", "code", "name", "routes")),
        VendorCertification.objects.count(),
        tuple(Lot.objects.order_by("pk").values_list("pk", "code", "closed_at")),
        LotItem.objects.count(),
        EvidenceFile.objects.count(),
    )
