"""Sanitization batches (NIST SP 800-88 Rev. 2, SPEC section 9): the only writer of their rows.

A batch is created with its drives, and the product draws the sample to verify at once:
``sample_size(n)`` drives (5 % rounded up, at least one), picked by
``random.Random(seed).sample`` from the drives ordered by serial number. The seed is
stored, so ``draw_sample`` gives the same drives again to anyone who checks.

Results are appended, one per sampled drive, never edited. When the last sampled drive
passes, every drive of the batch gets a verified ``SanitizationRecord`` (certificate: the
batch's code), which is what the sanitization gate reads. When one fails, the batch is
failed for good, and the gate refuses every drive of it (``blocking_failures``) until
the drive is sanitized and verified again, by a new record or a new batch.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from inventory import moments
from inventory.choices import Status
from inventory.errors import AssetNotFound
from inventory.models import Asset

from .choices import SanitizationMethod
from .errors import SanitizationBatchRefused
from .models import (
    CircularCenter,
    SanitizationBatch,
    SanitizationBatchDrive,
    SanitizationRecord,
    SanitizationSampleResult,
)

SAMPLE_PERCENT = 5  # SPEC section 9: at least 5 % of a batch, at least one drive


class BatchState:
    PENDING = "pending"  # sampled drives still await their result
    VERIFIED = "verified"  # every sampled drive passed
    FAILED = "failed"  # a sampled drive failed: every drive of the batch is blocked


class SampleResult(NamedTuple):
    serial_number: str
    passed: bool
    note: str = ""


def sample_size(drives: int) -> int:
    """Drives to verify out of ``drives``: 5 % rounded up, at least one (1→1, 20→1, 21→2, 1000→50)."""
    if drives < 1:
        raise ValueError("a batch has at least one drive")
    return max(1, -(-drives * SAMPLE_PERCENT // 100))


def draw_sample(serial_numbers: Iterable[str], seed: int) -> list[str]:
    """The drives the draw with ``seed`` picks, in serial-number order (reproducible)."""
    ordered = sorted(set(serial_numbers))
    return sorted(random.Random(seed).sample(ordered, sample_size(len(ordered))))


def new_seed() -> int:
    return secrets.randbits(62)


def new_code(performed_at: dt.datetime) -> str:
    return f"SB-{performed_at:%Y%m%d}-{secrets.token_hex(3).upper()}"


def sanitization_batch_create(
    *,
    center: CircularCenter,
    serial_numbers: Sequence[str],
    method: str,
    performed_at: dt.datetime,
    performed_by: str,
    code: str = "",
    tool: str = "",
    tool_version: str = "",
    verification_method: str = "",
    seed: int | None = None,
    actor=None,
) -> SanitizationBatch:
    """Record drives sanitized together at ``center`` and draw the sample to verify.

    Refuses (``SanitizationBatchRefused``, ``AssetNotFound``, ``MomentRefused``) and writes
    nothing unless every drive is a data-bearing asset held at ``center``, named once.
    """
    code = code.strip() or new_code(performed_at)
    serials = [serial.strip() for serial in serial_numbers]
    if not serials or not all(serials):
        raise SanitizationBatchRefused(code, "name the serial numbers of its drives")
    repeated = sorted({serial for serial in serials if serials.count(serial) > 1})
    if repeated:
        raise SanitizationBatchRefused(code, f"drives named twice: {', '.join(repeated)}", repeated)
    if method not in SanitizationMethod.values:
        raise SanitizationBatchRefused(code, f"{method!r} is not a method (methods: clear, purge, destroy)")
    if not performed_by.strip():
        raise SanitizationBatchRefused(code, "name who sanitized the drives (performed_by)")
    moments.check_moment(performed_at, field="performed_at")
    with transaction.atomic():
        if SanitizationBatch.objects.filter(code=code).exists():
            raise SanitizationBatchRefused(code, "a batch with this code exists")
        found = {
            asset.serial_number: asset
            for asset in Asset.objects.select_related("part_model").filter(serial_number__in=serials)
        }
        for serial in sorted(serials):
            if serial not in found:
                raise AssetNotFound(serial)
        elsewhere = sorted(
            serial
            for serial, asset in found.items()
            if asset.status != Status.AT_CIRCULAR_CENTER or asset.center_id != center.pk
        )
        if elsewhere:
            raise SanitizationBatchRefused(code, f"not held at {center.code}: {', '.join(elsewhere)}", elsewhere)
        plain = sorted(serial for serial, asset in found.items() if not asset.part_model.data_bearing)
        if plain:
            raise SanitizationBatchRefused(code, f"not data-bearing: {', '.join(plain)}", plain)
        seed = new_seed() if seed is None else seed
        sampled = set(draw_sample(serials, seed))
        batch = SanitizationBatch.objects.create(
            code=code,
            center=center,
            method=method,
            performed_at=performed_at,
            performed_by=performed_by.strip(),
            tool=tool,
            tool_version=tool_version,
            verification_method=verification_method,
            sample_size=len(sampled),
            seed=seed,
            actor=actor,
        )
        SanitizationBatchDrive.objects.bulk_create(
            SanitizationBatchDrive(batch=batch, asset=found[serial], sampled=serial in sampled)
            for serial in sorted(serials)
        )
        return batch


def sanitization_batch_record_results(
    *,
    batch: SanitizationBatch,
    results: Sequence[SampleResult],
    verified_at: dt.datetime,
    verified_by: str,
) -> list[SanitizationSampleResult]:
    """Append the verification results of sampled drives; certify the batch when all passed.

    Refuses and writes nothing when a drive is not in the batch's sample, is named twice,
    or already has its result (a result is never replaced), or when ``verified_at`` is
    before the sanitization.
    """
    if not results:
        raise SanitizationBatchRefused(batch.code, "give at least one drive's result")
    if not verified_by.strip():
        raise SanitizationBatchRefused(batch.code, "name who verified the drives (verified_by)")
    moments.check_moment(verified_at, field="verified_at")
    if verified_at < batch.performed_at:
        raise SanitizationBatchRefused(batch.code, "a drive is verified after it is sanitized, not before")
    serials = [result.serial_number for result in results]
    repeated = sorted({serial for serial in serials if serials.count(serial) > 1})
    if repeated:
        raise SanitizationBatchRefused(batch.code, f"results named twice: {', '.join(repeated)}", repeated)
    with transaction.atomic():
        # One writer of a batch's results at a time: the last result certifies the batch once.
        batch = SanitizationBatch.objects.select_for_update().get(pk=batch.pk)
        drives = {
            row["asset__serial_number"]: row
            for row in batch.drives.values("asset_id", "asset__serial_number", "sampled")
        }
        unsampled = sorted(serial for serial in serials if not drives.get(serial, {}).get("sampled"))
        if unsampled:
            raise SanitizationBatchRefused(
                batch.code, f"not drawn for verification in this batch: {', '.join(unsampled)}", unsampled
            )
        known = set(batch.results.values_list("asset__serial_number", flat=True))
        again = sorted(known.intersection(serials))
        if again:
            final = f"already verified (a result is final): {', '.join(again)}"
            raise SanitizationBatchRefused(batch.code, final, again)
        written = SanitizationSampleResult.objects.bulk_create(
            SanitizationSampleResult(
                batch=batch,
                asset_id=drives[result.serial_number]["asset_id"],
                passed=result.passed,
                verified_at=verified_at,
                verified_by=verified_by.strip(),
                note=result.note,
            )
            for result in results
        )
        if batch_state(batch) == BatchState.VERIFIED:
            _certify(batch, [row["asset_id"] for row in drives.values()])
        return written


def _certify(batch: SanitizationBatch, asset_ids: list[int]) -> None:
    """Every drive of a verified batch gets its verified record: what the gate reads."""
    verifiers = sorted(set(batch.results.values_list("verified_by", flat=True)))
    SanitizationRecord.objects.bulk_create(
        SanitizationRecord(
            asset_id=asset_id,
            method=batch.method,
            performed_at=batch.performed_at,
            performed_by=batch.performed_by,
            verified=True,
            certificate_id=batch.code,
            tool=batch.tool,
            tool_version=batch.tool_version,
            verification_method=f"sampled {batch.sample_size} of {len(asset_ids)}: {batch.verification_method}".strip(
                ": "
            )[:200],
            verified_by=", ".join(verifiers)[:200],
            batch=batch,
        )
        for asset_id in sorted(asset_ids)
    )


def with_state(queryset: QuerySet) -> QuerySet:
    """Batches annotated with their drives, results and failures (one query for a page).

    Ordered newest first again: a grouped query drops the model's default ordering.
    """
    return queryset.annotate(
        drive_count=Count("drives", distinct=True),
        result_count=Count("results", distinct=True),
        failed_count=Count("results", filter=Q(results__passed=False), distinct=True),
    ).order_by("-performed_at", "-id")


def state_of(sample_size: int, result_count: int, failed_count: int) -> str:
    if failed_count:
        return BatchState.FAILED
    return BatchState.VERIFIED if result_count >= sample_size else BatchState.PENDING


def batch_state(batch: SanitizationBatch) -> str:
    counts = batch.results.aggregate(results=Count("id"), failed=Count("id", filter=Q(passed=False)))
    return state_of(batch.sample_size, counts["results"], counts["failed"])


class BatchFailure(NamedTuple):
    batch: str
    failed_drive: str
    performed_at: dt.datetime
    verified_at: dt.datetime


def blocking_failures(
    asset_ids: Iterable[int],
    previous_disposition: dict[int, dt.datetime],
    cleared_at: dict[int, list[dt.datetime]],
) -> dict[int, list[BatchFailure]]:
    """The failed batches that keep each drive from leaving (one query).

    A batch counts in the drive's current custody cycle only (sanitized after its previous
    disposition, if any); its block is lifted by a verified sanitization of the drive
    performed after the failed verification (``cleared_at``: each drive's qualifying
    certificates' moments).
    """
    rows = (
        SanitizationBatchDrive.objects.filter(asset_id__in=list(asset_ids), batch__results__passed=False)
        .values_list(
            "asset_id",
            "batch__code",
            "batch__performed_at",
            "batch__results__asset__serial_number",
            "batch__results__verified_at",
        )
        .order_by("batch__code")
    )
    blocked: dict[int, list[BatchFailure]] = defaultdict(list)
    for asset_id, code, performed_at, failed_drive, verified_at in rows:
        if asset_id in previous_disposition and performed_at <= previous_disposition[asset_id]:
            continue  # a batch of an earlier custody cycle
        if any(moment > verified_at for moment in cleared_at.get(asset_id, ())):
            continue  # sanitized and verified again since
        blocked[asset_id].append(BatchFailure(code, failed_drive, performed_at, verified_at))
    return dict(blocked)


__all__ = [
    "SAMPLE_PERCENT",
    "BatchFailure",
    "BatchState",
    "SampleResult",
    "batch_state",
    "blocking_failures",
    "draw_sample",
    "sample_size",
    "sanitization_batch_create",
    "sanitization_batch_record_results",
    "state_of",
    "with_state",
]
