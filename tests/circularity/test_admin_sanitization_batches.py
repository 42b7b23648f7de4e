"""The admin of sanitization batches: a technician records a batch, then its sample's results."""

import datetime as dt

import pytest
from django.urls import reverse

from circularity.models import Disposition, SanitizationBatch, SanitizationRecord
from inventory.choices import Category
from tests.circularity.admin_support import TECHNICIAN, at_center, campus, logged_in, messages_of, moment

pytestmark = pytest.mark.django_db
PURGED = dt.datetime(2024, 5, 6, 9, tzinfo=dt.UTC)
CHECKED = dt.datetime(2024, 5, 6, 15, tzinfo=dt.UTC)


def record_batch(client, center, drives, code="SB-ADM-1"):
    return client.post(
        reverse("admin:circularity_sanitizationbatch_add"),
        {
            "apply": "yes",
            "code": code,
            "center": center.pk,
            "method": "purge",
            **moment("performed_at", PURGED),
            "performed_by": "Technician A",
            "tool": "nwipe",
            "tool_version": "0.36",
            "verification_method": "full read-back",
            "serial_numbers": "\n".join(drive.serial_number for drive in drives),
        },
        follow=True,
    )


def test_a_technician_records_a_batch_and_a_failed_sample_shows_on_its_page(client):
    site, center = campus()
    drives = [at_center(center, site, category=Category.HDD) for _ in range(21)]
    logged_in(client, TECHNICIAN)
    response = record_batch(client, center, drives)
    assert "Batch SB-ADM-1 recorded: verify the 2 drive(s) drawn." in messages_of(response)
    batch = SanitizationBatch.objects.get(code="SB-ADM-1")
    drawn = list(batch.drives.filter(sampled=True).values_list("asset__serial_number", flat=True))
    results_url = reverse("admin:circularity_sanitizationbatch_results", args=[batch.pk])
    assert results_url in response.content.decode()
    page = client.post(
        results_url,
        {
            "apply": "yes",
            **moment("verified_at", CHECKED),
            "verified_by": "Verifier B",
            f"drive_{drawn[0]}": "failed",
            f"drive_{drawn[1]}": "passed",
        },
        follow=True,
    )
    assert "Batch SB-ADM-1: 2 result(s) recorded; it is failed." in messages_of(page)
    assert "FAILED" in page.content.decode()
    assert not SanitizationRecord.objects.exists()
    changelist = client.get(reverse("admin:circularity_sanitizationbatch_changelist"))
    assert "failed" in changelist.content.decode()


def test_a_batch_of_drives_held_elsewhere_is_refused_with_nothing_written(client):
    site, center = campus()
    other_site, other_center = campus("DUB05", "CC-DUB")
    drive = at_center(other_center, other_site, category=Category.HDD)
    logged_in(client, TECHNICIAN)
    response = record_batch(client, center, [drive])
    assert any("not held at CC-AMS" in message for message in messages_of(response))
    assert not SanitizationBatch.objects.exists() and not Disposition.objects.exists()
