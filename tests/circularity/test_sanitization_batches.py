"""Sanitization batches (SPEC section 9, NIST SP 800-88 Rev. 2): a sample drawn, verified, and the gate."""

import datetime as dt
from decimal import Decimal

import pytest

from circularity import sanitization
from circularity.errors import SanitizationBatchFailed, SanitizationBatchRefused, SanitizationMissing
from circularity.models import SanitizationBatchDrive, SanitizationRecord, SanitizationSampleResult
from circularity.sanitization import BatchState, SampleResult
from inventory.append_only import AppendOnlyError
from inventory.choices import Category, Status
from tests.circularity.helpers import at_center, campus, dispose, utc
from tests.factories import AssetFactory, PartModelFactory, SanitizationFactory

pytestmark = pytest.mark.django_db
PURGED = utc(2024, 5, 6, 9)
CHECKED = utc(2024, 5, 6, 15)
DECIDED = utc(2024, 5, 7, 10)


def drives(center, count, prefix="DRV"):
    model = PartModelFactory(category=Category.HDD, mass_kg=Decimal("0.7"), data_bearing=True)
    return [
        AssetFactory(
            serial_number=f"{prefix}-{index:04d}",
            status=Status.AT_CIRCULAR_CENTER,
            site=center.sites.first(),
            center=center,
            part_model=model,
        )
        for index in range(count)
    ]


def batch_of(center, assets, **kwargs):
    return sanitization.sanitization_batch_create(
        center=center,
        serial_numbers=[asset.serial_number for asset in assets],
        method="purge",
        performed_at=PURGED,
        performed_by="Technician A",
        tool="nwipe",
        tool_version="0.36",
        verification_method="full read-back",
        **kwargs,
    )


def sampled(batch):
    return list(batch.drives.filter(sampled=True).values_list("asset__serial_number", flat=True))


def verify(batch, passed=True, serials=None):
    return sanitization.sanitization_batch_record_results(
        batch=batch,
        results=[SampleResult(serial, passed) for serial in (serials or sampled(batch))],
        verified_at=CHECKED,
        verified_by="Verifier B",
    )


@pytest.mark.parametrize(("drives_in_batch", "expected"), [(1, 1), (19, 1), (20, 1), (21, 2), (1000, 50)])
def test_the_sample_is_five_percent_rounded_up_and_at_least_one_drive(drives_in_batch, expected):
    assert sanitization.sample_size(drives_in_batch) == expected
    drawn = sanitization.draw_sample([f"SN-{i:05d}" for i in range(drives_in_batch)], seed=12345)
    assert len(drawn) == expected == len(set(drawn))


@pytest.mark.parametrize(("drives_in_batch", "expected"), [(1, 1), (21, 2)])
def test_a_batch_stores_its_seed_and_the_drives_drawn(drives_in_batch, expected):
    _, center = campus()
    batch = batch_of(center, drives(center, drives_in_batch))
    assert batch.sample_size == expected
    assert SanitizationBatchDrive.objects.filter(batch=batch).count() == drives_in_batch
    assert len(sampled(batch)) == expected


def test_the_draw_is_reproducible_from_the_stored_seed():
    _, center = campus()
    batch = batch_of(center, drives(center, 60))
    serials = batch.drives.values_list("asset__serial_number", flat=True)
    assert sanitization.draw_sample(serials, batch.seed) == sorted(sampled(batch))
    # Another seed draws other drives (the draw is random, not the first ones).
    others = {tuple(sanitization.draw_sample(serials, seed)) for seed in range(20)}
    assert len(others) > 1


def test_a_batch_is_pending_until_every_sampled_drive_has_passed_then_each_drive_is_certified():
    _, center = campus()
    assets = drives(center, 40)
    batch = batch_of(center, assets)
    first, second = sampled(batch)
    verify(batch, serials=[first])
    assert sanitization.batch_state(batch) == BatchState.PENDING
    assert not SanitizationRecord.objects.exists()
    verify(batch, serials=[second])
    assert sanitization.batch_state(batch) == BatchState.VERIFIED
    records = SanitizationRecord.objects.filter(batch=batch)
    assert records.count() == 40
    record = records.first()
    assert (record.verified, record.certificate_id, record.tool, record.tool_version) == (
        True,
        batch.code,
        "nwipe",
        "0.36",
    )
    assert record.performed_by == "Technician A" and record.verified_by == "Verifier B"
    rows = dispose(assets[0], center, "recycle", DECIDED)  # the gate sees the batch's certificate
    assert len(rows) == 1


def test_a_failed_sample_blocks_every_drive_of_the_batch_naming_the_batch_and_the_failed_drive():
    _, center = campus()
    assets = drives(center, 21)
    batch = batch_of(center, assets, code="SB-FAIL-1")
    failed, passed = sampled(batch)
    sanitization.sanitization_batch_record_results(
        batch=batch,
        results=[SampleResult(failed, False, "sectors readable"), SampleResult(passed, True)],
        verified_at=CHECKED,
        verified_by="Verifier B",
    )
    assert sanitization.batch_state(batch) == BatchState.FAILED
    unsampled = next(asset for asset in assets if asset.serial_number not in (failed, passed))
    # Even a drive that has a verified certificate of its own from before the failure.
    SanitizationFactory(asset=unsampled, method="purge", performed_at=PURGED)
    with pytest.raises(SanitizationBatchFailed) as refused:
        dispose(unsampled, center, "recycle", DECIDED)
    assert refused.value.as_dict()["batches"] == [{"batch": "SB-FAIL-1", "failed": [failed]}]
    assert refused.value.assets == [unsampled.serial_number]
    assert "SB-FAIL-1" in str(refused.value) and failed in str(refused.value)
    assert not unsampled.dispositions.exists()


def test_a_blocked_drive_leaves_once_it_is_sanitized_and_verified_again():
    _, center = campus()
    assets = drives(center, 5)
    batch = batch_of(center, assets)
    verify(batch, passed=False)
    drive = assets[0]
    with pytest.raises(SanitizationBatchFailed):
        dispose(drive, center, "recycle", DECIDED)
    SanitizationFactory(asset=drive, method="destroy", performed_at=CHECKED + dt.timedelta(hours=1))
    assert len(dispose(drive, center, "recycle", DECIDED)) == 1


def test_a_drive_of_a_pending_batch_has_no_certificate_yet():
    _, center = campus()
    assets = drives(center, 3)
    batch_of(center, assets)
    with pytest.raises(SanitizationMissing):
        dispose(assets[0], center, "recycle", DECIDED)


def test_results_are_appended_once_and_only_for_sampled_drives():
    _, center = campus()
    assets = drives(center, 20)
    batch = batch_of(center, assets)
    (drawn,) = sampled(batch)
    other = next(asset.serial_number for asset in assets if asset.serial_number != drawn)
    with pytest.raises(SanitizationBatchRefused, match="not drawn"):
        verify(batch, serials=[other])
    verify(batch, passed=False, serials=[drawn])
    with pytest.raises(SanitizationBatchRefused, match="already verified"):
        verify(batch, passed=True, serials=[drawn])
    result = SanitizationSampleResult.objects.get(batch=batch)
    assert result.passed is False
    with pytest.raises(AppendOnlyError):
        result.save()
    with pytest.raises(AppendOnlyError):
        batch.delete()


def test_a_batch_is_refused_for_drives_not_held_at_its_center_or_not_data_bearing():
    site, center = campus()
    _, elsewhere = campus("DUB05", "DUB-CC1")
    mine, theirs = drives(center, 1)[0], drives(elsewhere, 1, prefix="THEIRS")[0]
    with pytest.raises(SanitizationBatchRefused, match="not held at AMS-CC1") as refused:
        batch_of(center, [mine, theirs])
    assert refused.value.assets == [theirs.serial_number]
    server = at_center(center, category=Category.SERVER)
    server.part_model.data_bearing = False
    server.part_model.save()
    with pytest.raises(SanitizationBatchRefused, match="not data-bearing"):
        batch_of(center, [mine, server])
    assert not SanitizationBatchDrive.objects.exists()


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("table", "assignment"),
    [
        ("circularity_sanitizationbatch", "tool = 'rewritten'"),
        ("circularity_sanitizationbatchdrive", "sampled = NOT sampled"),
        ("circularity_sanitizationsampleresult", "passed = NOT passed"),
    ],
)
@pytest.mark.parametrize(
    "statement", ["UPDATE {table} SET {assignment}", "DELETE FROM {table}", "TRUNCATE {table} CASCADE"]
)
def test_the_database_refuses_to_rewrite_a_batch_its_sample_or_its_results(table, assignment, statement):
    from django.db import DatabaseError, connection, transaction

    _, center = campus()
    batch = batch_of(center, drives(center, 3))
    verify(batch, passed=False)
    before = (batch.drives.filter(sampled=True).count(), SanitizationSampleResult.objects.get().passed)
    refused = pytest.raises(DatabaseError, match=f"{table} is append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(statement.format(table=table, assignment=assignment))
    assert (batch.drives.filter(sampled=True).count(), SanitizationSampleResult.objects.get().passed) == before
    assert SanitizationBatchDrive.objects.count() == 3
