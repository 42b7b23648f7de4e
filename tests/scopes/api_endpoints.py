"""What every URL of the API answers to each kind of caller: the registry of the matrix.

One ``Endpoint`` per URL name of ``api.urls`` (a test fails when a URL has none, so a
new endpoint cannot go without its scope expectations). An endpoint has a policy
(``inventory.scopes``), and *probes*: a method, the URL's keyword arguments and a body,
each built for a *target* campus (``Names``). Every probe is asked by a scoped user for
the other campus, for the ghost (nothing), and for its own campus: the first two must be
answered alike and change nothing; the last is answered ``own`` (a status), which shows
that the probe is a request that works.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from inventory.scopes import ORGANISATION, SCOPED, SCOPED_VIEW, SHARED

from .world import AT_LATER, Names, World

PUBLIC, AUTHENTICATED = "public", "authenticated"  # open to all; to every signed-in caller
AT = AT_LATER


@dataclass(frozen=True)
class Probe:
    method: str
    own: int  # the status a scoped caller gets for its own campus
    url: Callable[[Names, Names, World], dict] = lambda target, me, world: {}
    body: Callable[[Names, Names, World], object] | None = None
    query: str = ""


@dataclass(frozen=True)
class Endpoint:
    policy: str
    probes: tuple[Probe, ...] = (Probe("GET", 200),)
    shows: Callable[[Names], list[str]] = lambda me: []  # what the own campus's GET answer holds
    aggregate: bool = False  # organisation-wide figures: the other campus's codes may appear


def get(own=200, url=None, query="") -> Probe:
    return Probe("GET", own, url or (lambda t, m, w: {}), query=query)


def post(own, body, url=None) -> Probe:
    return Probe("POST", own, url or (lambda t, m, w: {}), body)


def serial(role):
    return lambda t, m, w: {"serial_number": t.serial(role)}


def pk(role):
    return lambda t, m, w: {"pk": t.pk(role)}


def site_body(t, m, w):
    return {"code": "NEW05", "name": "New", "region": "westeurope", "country": "NL"}


def asset_at_site(t, m, w):
    return {"serial_number": "SN-NEW-1", "part_model": w.server_model.pk, "site": t.site}


def component_of(t, m, w):
    return {"serial_number": "SN-NEW-2", "part_model": w.server_model.pk, "parent": t.serial("SRV1")}


def missing_event(t, m, w):
    return [{"asset": t.serial("SRV1"), "to": "missing", "occurred_at": AT}]


def arrive_at_target_center(t, m, w):
    return [{"asset": m.serial("SRV2"), "to": "at_circular_center", "center": t.center, "occurred_at": AT}]


def shipment(from_site, to_center, assets):
    def body(t, m, w):
        return {
            "from_site": from_site(t, m).site,
            "to_center": to_center(t, m).center,
            "shipped_at": AT,
            "tracking_ref": "TRK-NEW",
            "assets": [assets(t, m).serial("SRV2")],
        }

    return body


def disposition(asset_of, center_of, route="recycle", to_site_of=None):
    def body(t, m, w):
        data = {
            "asset": asset_of(t, m).serial("SRV3"),
            "center": center_of(t, m).center,
            "route": route,
            "decided_at": AT,
            "vendor": "",
        }
        if to_site_of is not None:
            data["to_site"] = to_site_of(t, m).site
        return data

    return body


def batch_code(names):
    return f"SB-{names.token}-3"


def sanitization_batch(center_of, drives_of):
    def body(t, m, w):
        return {
            "code": "SB-NEW",
            "center": center_of(t, m).center,
            "method": "purge",
            "performed_at": AT,
            "performed_by": "Technician",
            "drives": [drives_of(t, m).serial("SSD3")],
        }

    return body


def packaging(t, m, w):
    return {
        "received_on": "2024-03-01",
        "site": t.site,
        "supplier": "SUPPLIER-NEW",
        "package_count": 2,
        "packaging_mass_g": 100,
        "single_use_plastic_g": 3,
    }


def own_packaging(t, m, w):
    return packaging(m, m, w)


def target_body(t, m, w):
    return {
        "metric": "recycle_rate",
        "comparison": "gte",
        "target_value": 0.5,
        "target_fiscal_year": 2031,
        "baseline_fiscal_year": 2024,
    }


def target_pk(t, m, w):
    return {"pk": w.target_pk}


def part_model_pk(t, m, w):
    return {"pk": w.server_model.pk}


def part_model_body(t, m, w):
    return {"manufacturer": "New", "model_number": "N-1", "category": "server", "mass_kg": 1}


def report_period(t, m, w):
    # The report is the organisation's, not a campus's: "other" and "own" name it alike,
    # and the ghost names a month without one.
    return {"period": "2019-01" if t.token == "GHOST" else "2024-03"}


def my_vendor(t, m, w):
    return {"code": f"RECYCLER-{m.token}"}  # vendors are the organisation's: the same whoever is named


def vendor_body(t, m, w):
    return {"code": "NEW-VENDOR", "name": "New", "country": "NL", "routes": ["recycle"]}


def certification_body(t, m, w):
    return {"scheme": "r2v3", "certificate_number": "R2-NEW", "valid_from": "2024-01-01", "valid_until": "2026-01-01"}


def lot_body(t, m, w):
    return {
        "code": "LOT-NEW",
        "center": t.center,
        "vendor": f"RECYCLER-{m.token}",
        "route": "recycle",
        "shipped_at": AT,
        "gross_kg": 12,
        "tare_kg": 2,
    }


TARGET, ME = (lambda t, m: t), (lambda t, m: m)

ENDPOINTS: dict[str, Endpoint] = {
    "vendor-list": Endpoint(SHARED, (get(), post(403, vendor_body)), shows=lambda m: [f"RECYCLER-{m.token}"]),
    "vendor-detail": Endpoint(
        SHARED,
        (
            get(url=my_vendor),
            Probe("PUT", 403, my_vendor, vendor_body),
            Probe("PATCH", 403, my_vendor, lambda t, m, w: {"name": "Renamed"}),
        ),
        shows=lambda m: [f"RECYCLER-{m.token}"],
    ),
    "vendor-certifications": Endpoint(SHARED, (post(403, certification_body, url=my_vendor),)),
    "lot-list": Endpoint(SCOPED, (get(), post(201, lot_body)), shows=lambda m: [f"LOT-{m.token}", f"SEAL-{m.token}"]),
    "lot-detail": Endpoint(
        SCOPED, (get(url=lambda t, m, w: {"code": f"LOT-{t.token}"}),), shows=lambda m: [f"LOT-{m.token}"]
    ),
    "evidence-file-list": Endpoint(SCOPED, (get(),), shows=lambda m: [f"COR-{m.token}.pdf"]),
    "evidence-file-detail": Endpoint(SCOPED, (get(url=pk("evidence")),), shows=lambda m: [f"COR-{m.token}.pdf"]),
    "evidence-file-download": Endpoint(SCOPED, (get(url=pk("evidence")),)),
    "api-schema": Endpoint(PUBLIC),
    "api-docs": Endpoint(PUBLIC),
    "api-redoc": Endpoint(PUBLIC),
    "api-root": Endpoint(AUTHENTICATED),
    "metrics-circularity": Endpoint(SHARED, (get(query="?start=2024-01&end=2024-04&group_by=center"),), aggregate=True),
    "metrics-packaging": Endpoint(SHARED, (get(query="?start=2024-01&end=2024-04&group_by=site"),), aggregate=True),
    "metrics-mass-balance": Endpoint(SHARED, (get(query="?start=2024-02&end=2024-04"),), aggregate=True),
    "metrics-value-recovered": Endpoint(SHARED, (get(query="?start=2024-01&end=2024-04"),), aggregate=True),
    "metrics-harvested-parts": Endpoint(SHARED, (get(query="?start=2024-01&end=2024-04"),), aggregate=True),
    "metrics-waste": Endpoint(SHARED, (get(query="?start=2024-01&end=2024-04&group_by=center"),), aggregate=True),
    "metrics-waste-disclosure": Endpoint(SHARED, (get(query="?fiscal_year=FY2024&standard=esrs_e5"),), aggregate=True),
    "site-list": Endpoint(SCOPED_VIEW, (get(), post(403, site_body)), shows=lambda m: [m.site]),
    "site-detail": Endpoint(
        SCOPED_VIEW,
        tuple(
            Probe(method, own, lambda t, m, w: {"code": t.site}, body)
            for method, own, body in (("GET", 200, None), ("PUT", 403, site_body), ("PATCH", 403, site_body))
        ),
        shows=lambda m: [m.site],
    ),
    "circular-center-list": Endpoint(
        SCOPED_VIEW, (get(), post(403, lambda t, m, w: {"code": "NEW-CC", "name": "New"})), shows=lambda m: [m.center]
    ),
    "circular-center-detail": Endpoint(
        SCOPED_VIEW,
        tuple(
            Probe(method, own, lambda t, m, w: {"code": t.center}, body)
            for method, own, body in (
                ("GET", 200, None),
                ("PUT", 403, lambda t, m, w: {"code": t.center, "name": "Renamed"}),
                ("PATCH", 403, lambda t, m, w: {"name": "Renamed"}),
            )
        ),
        shows=lambda m: [m.center],
    ),
    "part-model-list": Endpoint(SHARED, (get(), post(403, part_model_body)), shows=lambda m: ["R740"]),
    "part-model-detail": Endpoint(
        SHARED,
        (
            get(url=part_model_pk),
            Probe("PUT", 403, part_model_pk, part_model_body),
            Probe("PATCH", 403, part_model_pk, lambda t, m, w: {"mass_kg": 99}),
        ),
        shows=lambda m: ["R740"],
    ),
    "asset-list": Endpoint(
        SCOPED,
        (get(), post(201, asset_at_site), post(201, component_of)),
        shows=lambda m: [m.serial("SRV1"), m.serial("SSD3")],
    ),
    "asset-detail": Endpoint(SCOPED, (get(url=serial("SRV1")),), shows=lambda m: [m.serial("SRV1")]),
    "asset-events": Endpoint(SCOPED, (get(url=serial("SRV1")),), shows=lambda m: [m.keys[0]]),
    "asset-transition": Endpoint(
        SCOPED,
        (
            post(200, lambda t, m, w: {"to": "missing", "occurred_at": AT}, url=serial("SRV1")),
            post(
                200,
                lambda t, m, w: {"to": "at_circular_center", "center": t.center, "occurred_at": AT},
                url=lambda t, m, w: {"serial_number": m.serial("SRV2")},
            ),
        ),
    ),
    "asset-genealogy": Endpoint(SCOPED, (get(url=serial("SSD1")),), shows=lambda m: [m.serial("SRV1")]),
    "asset-dismantle": Endpoint(SCOPED, (post(200, lambda t, m, w: {"occurred_at": AT}, url=serial("SRV3")),)),
    "asset-remove": Endpoint(SCOPED, (post(200, lambda t, m, w: {"occurred_at": AT}, url=serial("SSD1")),)),
    "asset-install": Endpoint(
        SCOPED,
        (
            post(200, lambda t, m, w: {"parent": m.serial("SRV1"), "occurred_at": AT}, url=serial("SRV2")),
            post(
                200,
                lambda t, m, w: {"parent": t.serial("SRV1"), "occurred_at": AT},
                url=lambda t, m, w: {"serial_number": m.serial("SRV2")},
            ),
        ),
    ),
    "event-list": Endpoint(
        SCOPED,
        (
            get(),
            post(201, missing_event),
            post(201, arrive_at_target_center),
        ),
        shows=lambda m: [m.keys[0], m.keys[1]],
    ),
    "event-detail": Endpoint(SCOPED, (get(url=pk("event")),), shows=lambda m: [m.keys[0]]),
    "shipment-list": Endpoint(
        SCOPED,
        (
            get(),
            post(201, shipment(TARGET, ME, ME)),
            post(201, shipment(ME, TARGET, ME)),
            post(201, shipment(ME, ME, TARGET)),
        ),
        shows=lambda m: [m.serial("SRV5")],
    ),
    "shipment-detail": Endpoint(SCOPED, (get(url=pk("shipment")),), shows=lambda m: [m.serial("SRV5")]),
    "shipment-receive": Endpoint(SCOPED, (post(200, lambda t, m, w: {"received_at": AT}, url=pk("shipment")),)),
    "sanitization-list": Endpoint(
        SCOPED,
        (
            get(),
            post(
                201,
                lambda t, m, w: {
                    "asset": t.serial("SSD1"),
                    "method": "purge",
                    "performed_at": AT,
                    "performed_by": "Technician",
                    "verified": True,
                    "certificate_id": "CERT-NEW",
                },
            ),
        ),
        shows=lambda m: [m.serial("SSD3")],
    ),
    "sanitization-detail": Endpoint(SCOPED, (get(url=pk("sanitization")),), shows=lambda m: [m.serial("SSD3")]),
    "sanitization-batch-list": Endpoint(
        SCOPED,
        (get(), post(201, sanitization_batch(TARGET, TARGET)), post(201, sanitization_batch(ME, TARGET))),
        shows=lambda m: [batch_code(m)],
    ),
    "sanitization-batch-detail": Endpoint(
        SCOPED, (get(url=lambda t, m, w: {"code": batch_code(t)}),), shows=lambda m: [batch_code(m)]
    ),
    "sanitization-batch-results": Endpoint(
        SCOPED,
        (
            post(
                200,
                lambda t, m, w: {
                    "verified_at": AT,
                    "verified_by": "Verifier",
                    "results": [{"asset": t.serial("SSD3"), "passed": True}],
                },
                url=lambda t, m, w: {"code": batch_code(t)},
            ),
        ),
    ),
    "disposition-list": Endpoint(
        SCOPED,
        (
            get(),
            post(201, disposition(TARGET, TARGET)),
            post(201, disposition(ME, TARGET)),
            post(201, disposition(ME, ME, "reuse", to_site_of=TARGET)),
        ),
        shows=lambda m: [m.serial("SRV4")],
    ),
    "disposition-detail": Endpoint(SCOPED, (get(url=pk("disposition")),), shows=lambda m: [m.serial("SRV4")]),
    "packaging-record-list": Endpoint(SCOPED, (get(), post(201, packaging)), shows=lambda m: [m.site]),
    "packaging-record-detail": Endpoint(
        SCOPED,
        (
            get(url=pk("packaging")),
            Probe("PUT", 200, pk("packaging"), own_packaging),
            Probe("PATCH", 200, pk("packaging"), lambda t, m, w: {"supplier": "SUPPLIER-RENAMED"}),
            Probe("DELETE", 204, pk("packaging")),
        ),
        shows=lambda m: [m.site],
    ),
    "target-list": Endpoint(SHARED, (get(), post(403, target_body)), shows=lambda m: ["reuse_recycle_rate"]),
    "target-detail": Endpoint(
        SHARED,
        (
            get(url=target_pk),
            Probe("PUT", 403, target_pk, target_body),
            Probe("PATCH", 403, target_pk, lambda t, m, w: {"target_value": 0.1}),
            Probe("DELETE", 403, target_pk),
        ),
    ),
    "report-list": Endpoint(ORGANISATION),
    "report-detail": Endpoint(ORGANISATION, (get(404, url=report_period),)),
    "report-pdf": Endpoint(ORGANISATION, (get(404, url=report_period),)),
    "report-csv": Endpoint(ORGANISATION, (get(404, url=report_period),)),
}

# A scoped caller's list of these is empty: the organisation's documents are not theirs.
EMPTY_FOR_SCOPED = {"report-list"}
