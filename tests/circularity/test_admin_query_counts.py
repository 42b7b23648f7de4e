"""Every circularity changelist runs a fixed number of queries, whatever its rows.

Each list is loaded with a few rows and with many, as a superuser and as the role that
works in it; the counts must be equal and match the pin (a change to a pin is a review
question: which query was added, and does it grow with the rows?).
"""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circularity import dispositions, snapshots
from circularity.choices import Route
from circularity.models import Shipment
from inventory.choices import Category, Source, Status
from tests.circularity.admin_support import ANALYST, TECHNICIAN, at_center, campus, staff
from tests.factories import AssetFactory, PackagingRecordFactory, SanitizationFactory, TargetFactory

pytestmark = pytest.mark.django_db

DECIDED = dt.datetime(2022, 3, 15, 12, 0, tzinfo=dt.UTC)
FEW, MANY = 2, 12
CAMPUS = itertools.count()


def new_campus():
    n = next(CAMPUS)
    return campus(f"S{n:03d}", f"CC{n:03d}")


def centers(n):
    for _ in range(n):
        site, center = new_campus()
        at_center(center, site)


def shipments(n):
    site, center = campus()
    for i in range(n):
        shipment = Shipment.objects.create(from_site=site, to_center=center, shipped_at=DECIDED, tracking_ref=f"T{i}")
        shipment.assets.set([AssetFactory(status=Status.IN_TRANSIT, site=site) for _ in range(2)])


def queue(n):
    site, center = campus()
    for _ in range(n):
        server = at_center(center, site)
        drive = at_center(center, site, category=Category.SSD, parent=server)
        SanitizationFactory(asset=drive)


def disposition_rows(n):
    site, center = campus()
    for _ in range(n):
        server = at_center(center, site)
        at_center(center, site, category=Category.PSU, parent=server)
        dispositions.record_disposition(
            asset=server, center=center, route=Route.RECYCLE, decided_at=DECIDED, source=Source.ADMIN
        )


def sanitization_rows(n):
    site, center = campus()
    for _ in range(n):
        SanitizationFactory(asset=at_center(center, site, category=Category.SSD))


def batch_rows(n):
    from circularity.sanitization import sanitization_batch_create

    site, center = campus()
    for _ in range(n):
        drives = [at_center(center, site, category=Category.SSD) for _ in range(3)]
        sanitization_batch_create(
            center=center,
            serial_numbers=[drive.serial_number for drive in drives],
            method="purge",
            performed_at=DECIDED,
            performed_by="Technician",
        )


def packaging_rows(n):
    site, _ = campus()
    for _ in range(n):
        PackagingRecordFactory(site=site)


def target_rows(n):
    for year in range(n):
        TargetFactory(metric="recycle_rate", target_fiscal_year=2031 + year)


def snapshot_rows(n):
    for _ in range(n):
        site, center = new_campus()
        server = at_center(center, site)
        dispositions.record_disposition(
            asset=server, center=center, route=Route.RECYCLE, decided_at=DECIDED, source=Source.ADMIN
        )
    snapshots.refresh_stale()


# (model, builder, role, pinned queries for a superuser, pinned queries for the role)
LISTS = [
    ("circularcenter", centers, TECHNICIAN, 6, 8),
    ("shipment", shipments, TECHNICIAN, 9, 11),
    ("assetatcenter", queue, TECHNICIAN, 7, 9),
    ("disposition", disposition_rows, ANALYST, 9, 11),
    ("sanitizationrecord", sanitization_rows, TECHNICIAN, 7, 9),
    ("sanitizationbatch", batch_rows, TECHNICIAN, 8, 10),
    ("packagingrecord", packaging_rows, ANALYST, 8, 10),
    ("target", target_rows, ANALYST, 5, 7),
    ("monthlysnapshot", snapshot_rows, ANALYST, 8, 10),
]


def count_queries(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize(("model", "build", "role", "pin_superuser", "pin_role"), LISTS, ids=[m[0] for m in LISTS])
def test_changelist_queries_do_not_grow_with_rows(client, model, build, role, pin_superuser, pin_role):
    url = reverse(f"admin:circularity_{model}_changelist")
    superuser, worker = staff(is_superuser=True), staff(role)
    build(FEW)
    few = (count_queries(client, superuser, url)[0], count_queries(client, worker, url)[0])
    build(MANY - FEW)
    many_superuser, response = count_queries(client, superuser, url)
    many = (many_superuser, count_queries(client, worker, url)[0])
    assert response.context["cl"].result_count >= MANY
    assert few == many
    assert few == (pin_superuser, pin_role)
