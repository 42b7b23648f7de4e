"""What every URL of the admin answers to each kind of user: the registry of the matrix.

``MODELS`` has one entry per registered ModelAdmin (by ``<app>_<model>``): its policy,
an object of a campus (or of the organisation), what its list shows, the statuses its
own pages answer a scoped user, the bodies its add page is posted with and the actions
it offers. The five standard URLs of each (changelist, add, change, history, delete) are
tested from it. ``PAGES`` has every other URL (the admin site's own, the custom views of
the ModelAdmins, the dashboard). ``test_scope_coverage`` fails for a URL in neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule, PeriodicTask, SolarSchedule

from circularity.models import MonthlySnapshot, ReportRecipient, Vendor, VendorCertification
from inventory.models import AccessScope, Asset
from inventory.scopes import ORGANISATION, SCOPED, SCOPED_VIEW, SHARED

from .world import GHOST_ID, Names, World

DAY, TIME = "2024-04-02", "09:30:00"
STANDARD = ("changelist", "add", "change", "history", "delete")


def moment(name: str) -> dict:
    return {f"{name}_0": DAY, f"{name}_1": TIME}


@dataclass(frozen=True)
class Action:
    name: str
    selects: str  # the role (``Names.pks``) of the object selected
    data: Callable[[Names, Names], dict] = lambda t, m: {}


@dataclass(frozen=True)
class AdminModel:
    policy: str
    obj: Callable[[Names, World], object]  # the object of a campus (or the organisation's): its pk
    shows: Callable[[Names], list[str]] = lambda m: []
    add: int = 403  # a scoped user's add page, GET
    adds: tuple[Callable[[Names, Names, World], dict], ...] = ()  # add bodies naming a target
    change: Callable[[Names, Names, World], dict] | None = None  # change body
    change_post: int = 403  # a scoped user's POST of its own object's change page
    delete: int = 403  # a scoped user's delete page of its own object, GET
    actions: tuple[Action, ...] = ()
    aggregate: bool = False


def campus_pk(role):
    return lambda names, world: names.pk(role)


def organisation(getter):
    """The organisation's object (the same whoever asks); the ghost names none."""
    return lambda names, world: GHOST_ID if names.token == "GHOST" else getter(world)


def first(model):
    return organisation(lambda world: model.objects.order_by("pk").values_list("pk", flat=True).first())


def asset_add(t, m, w):
    return {
        "serial_number": "SN-NEW-ADMIN",
        "asset_tag": "",
        "part_model": w.server_model.pk,
        "site": t.site_pk,
        "status": "in_stock",
        **moment("deployed_at"),
    }


def asset_change(t, m, w):
    inlines = {}
    for prefix in ("components", "events"):
        inlines.update({f"{prefix}-{key}": 0 for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS")})
        inlines[f"{prefix}-MAX_NUM_FORMS"] = 1000
    return {"serial_number": t.serial("SRV1"), "asset_tag": "TAG-CHANGED", "part_model": w.server_model.pk, **inlines}


def shipment_add(from_site, to_center, assets):
    def body(t, m, w):
        return {
            "apply": "yes",
            "from_site": from_site(t, m).site_pk,
            "to_center": to_center(t, m).center_pk,
            **moment("shipped_at"),
            "tracking_ref": "TRK-NEW",
            "serial_numbers": assets(t, m).serial("SRV2"),
        }

    return body


def disposition_add(asset_of, center_of, route="recycle", to_site_of=None):
    def body(t, m, w):
        return {
            "apply": "yes",
            "asset": asset_of(t, m).serial("SRV3"),
            "route": route,
            "center": center_of(t, m).center_pk,
            **moment("decided_at"),
            "to_site": to_site_of(t, m).site_pk if to_site_of else "",
            "vendor": "",
            "certificate_id": "",
        }

    return body


def sanitization_add(t, m, w):
    return {
        "apply": "yes",
        "asset": t.serial("SSD1"),
        "method": "purge",
        **moment("performed_at"),
        "performed_by": "Technician",
        "verified": "on",
        "certificate_id": "CERT-NEW",
    }


def batch_add(center_of, drives_of):
    def body(t, m, w):
        return {
            "apply": "yes",
            "code": "SB-NEW",
            "center": center_of(t, m).center_pk,
            "method": "purge",
            **moment("performed_at"),
            "performed_by": "Technician",
            "tool": "",
            "tool_version": "",
            "verification_method": "",
            "serial_numbers": drives_of(t, m).serial("SSD3"),
        }

    return body


def batch_results(t, m, w):
    return {"apply": "yes", **moment("verified_at"), "verified_by": "Verifier", f"drive_{t.serial('SSD3')}": "passed"}


def packaging_add(t, m, w):
    return {
        "received_on": "2024-03-01",
        "site": t.site_pk,
        "supplier": "SUPPLIER-NEW",
        "part_model": "",
        "package_count": 2,
        "packaging_mass_g": 100,
        "single_use_plastic_g": 3,
    }


def lot_add(t, m, w):
    return {
        "code": "LOT-NEW-ADMIN",
        "center": t.center_pk,
        "vendor": m.pk("vendor"),
        "route": "recycle",
        "seal_number": "",
        **moment("shipped_at"),
        "gross_kg": 12,
        "tare_kg": 2,
        "serial_numbers": "",
    }


def evidence_add(t, m, w):
    return {
        "kind": "lot_certificate",
        "certification": "",
        "lot": t.pk("lot"),
        "sanitization": "",
        "file": SimpleUploadedFile("cor.pdf", b"%PDF-1.4 another certificate\n", content_type="application/pdf"),
    }


TARGET, ME = (lambda t, m: t), (lambda t, m: m)
LIFECYCLE_FORM = {"apply": "1", "lifecycle-note": "", **{f"lifecycle-{k}": v for k, v in moment("occurred_at").items()}}

MODELS: dict[str, AdminModel] = {
    "inventory_asset": AdminModel(
        SCOPED,
        campus_pk("SRV1"),
        shows=lambda m: [m.serial("SRV1"), m.serial("SRV5")],
        add=200,
        adds=(asset_add,),
        change=asset_change,
        change_post=302,
        actions=(
            Action("move_through_lifecycle", "SRV1", lambda t, m: {**LIFECYCLE_FORM, "lifecycle-to": "missing"}),
            Action("remove_from_parent", "SSD1", lambda t, m: LIFECYCLE_FORM),
        ),
    ),
    "inventory_lifecycleevent": AdminModel(SCOPED, campus_pk("event"), shows=lambda m: [m.serial("SRV1")]),
    "inventory_site": AdminModel(
        SCOPED_VIEW,
        lambda names, world: names.site_pk,
        shows=lambda m: [m.site],
        change=lambda t, m, w: {"code": t.site, "name": "Renamed", "region": "westeurope", "country": "NL"},
    ),
    "inventory_partmodel": AdminModel(SHARED, organisation(lambda w: w.server_model.pk), shows=lambda m: ["R740"]),
    "inventory_accessscope": AdminModel(ORGANISATION, first(AccessScope)),
    "circularity_circularcenter": AdminModel(
        SCOPED_VIEW,
        lambda names, world: names.center_pk,
        shows=lambda m: [m.center],
        change=lambda t, m, w: {"code": t.center, "name": "Renamed", "sites": [t.site_pk]},
    ),
    "circularity_shipment": AdminModel(
        SCOPED,
        campus_pk("shipment"),
        shows=lambda m: [f"TRK-{m.token}-5"],
        add=200,
        adds=(shipment_add(TARGET, ME, ME), shipment_add(ME, TARGET, ME), shipment_add(ME, ME, TARGET)),
        change=lambda t, m, w: {"tracking_ref": "TRK-CHANGED"},
        change_post=302,
        actions=(Action("receive_shipments", "shipment", lambda t, m: {"apply": "yes", **moment("received_at")}),),
    ),
    "circularity_assetatcenter": AdminModel(
        SCOPED,
        campus_pk("SRV3"),
        shows=lambda m: [m.serial("SRV3"), m.serial("SSD3")],
        actions=(
            Action(
                "record_disposition",
                "SRV3",
                lambda t, m: {
                    "apply": "yes",
                    "route": "recycle",
                    "center": t.center_pk,
                    **moment("decided_at"),
                    "to_site": "",
                    "vendor": "",
                    "certificate_id": "",
                },
            ),
            Action(
                "record_sanitization",
                "SSD3",
                lambda t, m: {
                    "apply": "yes",
                    "method": "destroy",
                    **moment("performed_at"),
                    "performed_by": "Technician",
                    "verified": "on",
                    "certificate_id": "CERT-NEW",
                },
            ),
            Action("dismantle", "SRV3", lambda t, m: {"apply": "yes", **moment("occurred_at"), "note": ""}),
        ),
    ),
    "circularity_disposition": AdminModel(
        SCOPED,
        campus_pk("disposition"),
        shows=lambda m: [m.serial("SRV4"), f"RC-{m.token}-4"],
        add=200,
        adds=(
            disposition_add(TARGET, TARGET),
            disposition_add(ME, TARGET),
            disposition_add(ME, ME, "reuse", to_site_of=TARGET),
        ),
    ),
    "circularity_sanitizationrecord": AdminModel(
        SCOPED, campus_pk("sanitization"), shows=lambda m: [f"CERT-{m.token}-3"], add=200, adds=(sanitization_add,)
    ),
    "circularity_sanitizationbatch": AdminModel(
        SCOPED,
        campus_pk("batch"),
        shows=lambda m: [f"SB-{m.token}-3"],
        add=200,
        adds=(batch_add(TARGET, TARGET), batch_add(ME, TARGET)),
    ),
    "circularity_packagingrecord": AdminModel(
        SCOPED,
        campus_pk("packaging"),
        shows=lambda m: [f"SUPPLIER-{m.token}"],
        add=200,
        adds=(packaging_add,),
        change=lambda t, m, w: {**packaging_add(m, m, w), "supplier": "SUPPLIER-CHANGED"},
        change_post=302,
        delete=200,
        actions=(Action("delete_selected", "packaging", lambda t, m: {"post": "yes"}),),
    ),
    "circularity_vendor": AdminModel(SHARED, first(Vendor), shows=lambda m: [f"RECYCLER-{m.token}"]),
    "circularity_vendorcertification": AdminModel(SHARED, first(VendorCertification)),
    "circularity_lot": AdminModel(
        SCOPED, campus_pk("lot"), shows=lambda m: [f"LOT-{m.token}"], add=200, adds=(lot_add,)
    ),
    "circularity_evidencefile": AdminModel(
        SCOPED, campus_pk("evidence"), shows=lambda m: [f"COR-{m.token}.pdf"], add=200, adds=(evidence_add,)
    ),
    "circularity_target": AdminModel(SHARED, organisation(lambda w: w.target_pk), shows=lambda m: ["Reuse"]),
    "circularity_monthlysnapshot": AdminModel(SHARED, first(MonthlySnapshot), aggregate=True),
    "circularity_compliancereport": AdminModel(ORGANISATION, organisation(lambda w: w.report.pk)),
    "circularity_reportrecipient": AdminModel(ORGANISATION, first(ReportRecipient)),
    "auth_user": AdminModel(ORGANISATION, organisation(lambda w: w.users["noperm"].pk)),
    "auth_group": AdminModel(ORGANISATION, first(Group)),
    # DRF's token pages are found by the user's id.
    "authtoken_tokenproxy": AdminModel(ORGANISATION, organisation(lambda w: w.users["noperm"].pk)),
    "django_celery_beat_periodictask": AdminModel(ORGANISATION, first(PeriodicTask)),
    "django_celery_beat_crontabschedule": AdminModel(ORGANISATION, first(CrontabSchedule)),
    "django_celery_beat_intervalschedule": AdminModel(ORGANISATION, first(IntervalSchedule)),
    "django_celery_beat_solarschedule": AdminModel(ORGANISATION, first(SolarSchedule)),
    "django_celery_beat_clockedschedule": AdminModel(ORGANISATION, first(ClockedSchedule)),
}


@dataclass(frozen=True)
class PageProbe:
    method: str
    own: int  # what a scoped user gets for its own campus (or the organisation's object)
    url: Callable[[Names, World], dict] = lambda names, world: {}
    data: Callable[[Names, Names, World], dict] | None = None
    query: Callable[[Names, World], str] = lambda names, world: ""
    noperm: int | None = None  # when it differs from the page's


@dataclass(frozen=True)
class Page:
    policy: str
    probes: tuple[PageProbe, ...]
    anonymous: int = 302  # sent to the login page
    noperm: int = 403  # a staff user without permissions
    aggregate: bool = False
    shows: Callable[[Names], list[str]] = field(default=lambda m: [])


def asset_type_id() -> int:
    return ContentType.objects.get_for_model(Asset).pk


def csv_upload(text: Callable[[Names, Names], str]):
    def data(t, m, w):
        return {"file": SimpleUploadedFile("fleet.csv", text(t, m).encode(), content_type="text/csv")}

    return data


def org_pk(getter):
    return lambda names, world: {"pk": GHOST_ID if names.token == "GHOST" else getter(world)}


REPORT = org_pk(lambda w: w.report.pk)

PAGES: dict[str, Page] = {
    "admin:index": Page(SCOPED, (PageProbe("GET", 200),), noperm=200),
    "admin:login": Page(SCOPED, (PageProbe("GET", 302),), anonymous=200, noperm=302),
    "admin:logout": Page(SCOPED, (PageProbe("GET", 405),), noperm=405),
    "admin:password_change": Page(SCOPED, (PageProbe("GET", 200),), noperm=200),
    "admin:password_change_done": Page(SCOPED, (PageProbe("GET", 200),), noperm=200),
    "admin:jsi18n": Page(SCOPED, (PageProbe("GET", 200),), noperm=200),
    # Probed for every relation the admin could complete: see test_admin_matrix.
    "admin:autocomplete": Page(SCOPED, ()),
    "admin:view_on_site": Page(
        SCOPED,
        (PageProbe("GET", 404, lambda n, w: {"content_type_id": asset_type_id(), "object_id": n.pk("SRV1")}),),
        noperm=404,
    ),
    # Probed for every app: see test_admin_matrix.
    "admin:app_list": Page(SCOPED, ()),
    "circularity:dashboard": Page(SHARED, (PageProbe("GET", 200, query=lambda n, w: "?fy=FY2024"),), aggregate=True),
    "admin:inventory_asset_import": Page(
        SCOPED,
        (
            PageProbe("GET", 200),
            PageProbe(
                "POST",
                302,
                data=csv_upload(
                    lambda t, m: f"serial_number,manufacturer,model_number,site\nSN-NEW-CSV,Contoso,R740,{t.site}\n"
                ),
            ),
            PageProbe(
                "POST",
                302,
                data=csv_upload(
                    lambda t, m: (
                        "serial_number,manufacturer,model_number,site,parent_serial_number\n"
                        f"SN-NEW-CSV,Contoso,R740,{m.site},{t.serial('SRV1')}\n"
                    )
                ),
            ),
        ),
    ),
    # An asset page's buttons: a refusal renders the form again (200), a change goes back (302).
    "admin:inventory_asset_move": Page(
        SCOPED,
        (
            PageProbe("GET", 200, lambda n, w: {"object_id": n.pk("SRV2")}, query=lambda n, w: "?to=deployed"),
            PageProbe(
                "POST",
                302,
                lambda n, w: {"object_id": n.pk("SRV2")},
                lambda t, m, w: {"to": "deployed", "center": "", **moment("occurred_at"), "note": ""},
            ),
        ),
    ),
    "admin:inventory_asset_parts": Page(
        SCOPED,
        (
            PageProbe("GET", 200, lambda n, w: {"object_id": n.pk("SRV1")}),
            PageProbe(
                "POST",
                302,
                lambda n, w: {"object_id": n.pk("SRV1")},
                lambda t, m, w: {"scanned": t.serial("SRV2"), **moment("occurred_at"), "note": ""},
            ),
        ),
    ),
    "admin:inventory_asset_install": Page(
        SCOPED,
        (
            PageProbe("GET", 200, lambda n, w: {"object_id": n.pk("SRV2")}),
            PageProbe(
                "POST",
                302,
                lambda n, w: {"object_id": n.pk("SRV2")},
                lambda t, m, w: {"parent": t.serial("SRV1"), **moment("occurred_at"), "note": ""},
            ),
        ),
    ),
    "admin:circularity_shipment_receive": Page(
        SCOPED,
        (
            PageProbe("GET", 200, lambda n, w: {"object_id": n.pk("shipment")}),
            PageProbe(
                "POST",
                302,
                lambda n, w: {"object_id": n.pk("shipment")},
                lambda t, m, w: {"apply": "yes", **moment("received_at")},
            ),
        ),
    ),
    "admin:circularity_assetatcenter_dismantle": Page(
        SCOPED,
        (
            PageProbe("GET", 200, lambda n, w: {"object_id": n.pk("SRV3")}),
            PageProbe(
                "POST",
                302,
                lambda n, w: {"object_id": n.pk("SRV3")},
                lambda t, m, w: {"apply": "yes", **moment("occurred_at"), "note": ""},
            ),
        ),
    ),
    "admin:circularity_sanitizationbatch_results": Page(
        SCOPED,
        (
            PageProbe("GET", 200, lambda n, w: {"object_id": n.pk("batch")}),
            PageProbe("POST", 302, lambda n, w: {"object_id": n.pk("batch")}, batch_results),
        ),
    ),
    "admin:circularity_monthlysnapshot_refresh": Page(
        SHARED,
        (
            PageProbe("GET", 405, lambda n, w: {"mode": "stale"}),
            PageProbe("POST", 403, lambda n, w: {"mode": "stale"}, lambda t, m, w: {}, noperm=403),
        ),
        noperm=405,
    ),
    **{
        f"admin:circularity_compliancereport_{view}": Page(ORGANISATION, (PageProbe("GET", 404, REPORT),))
        for view in ("preview", "chart", "csv", "pdf")
    },
    "admin:auth_user_password_change": Page(
        ORGANISATION, (PageProbe("GET", 404, lambda n, w: {"id": w.users["noperm"].pk}),)
    ),
}


def standard_names() -> set[str]:
    return {f"admin:{model}_{view}" for model in MODELS for view in STANDARD}
