"""Receiving evidence files: the only writer of ``EvidenceFile`` rows (SPEC section 9).

``evidence_receive`` checks the file (``inspect``: a PDF, PNG or JPEG by its first bytes,
not by its name or the type the client claims; not empty; at most ``EVIDENCE_MAX_BYTES``),
computes its SHA-256 while reading it, stores it under a name of its own making
(``<kind>/<yyyy>/<mm>/<uuid>.<ext>``) and records it. A name that exists already is
refused, never replaced; the storage is configured not to overwrite either
(``assetlife.storage``). A lot's certificate of recycling or destruction closes the lot.

The file is stored before its row is written: should the transaction then fail, a file
without a row stays behind (harmless, and never a row without its file).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import NamedTuple

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from .choices import EvidenceKind
from .errors import EvidenceRefused
from .models import EvidenceFile, Lot, SanitizationRecord, VendorCertification, evidence_storage

CHUNK = 64 * 1024


class FileType(NamedTuple):
    magic: bytes
    content_type: str
    extension: str
    label: str


ACCEPTED = (
    FileType(b"%PDF-", "application/pdf", ".pdf", "PDF"),
    FileType(b"\x89PNG\r\n\x1a\n", "image/png", ".png", "PNG"),
    FileType(b"\xff\xd8\xff", "image/jpeg", ".jpg", "JPEG"),
)


class Inspected(NamedTuple):
    file_type: FileType
    size: int
    sha256: str


def inspect(upload: File) -> Inspected:
    """The file's type (sniffed), size and SHA-256, or ``EvidenceRefused`` saying what is wrong."""
    limit = settings.EVIDENCE_MAX_BYTES
    size = upload.size
    if size is not None and size > limit:
        raise EvidenceRefused(f"The file is {size} bytes; evidence files may be at most {limit} bytes.")
    upload.seek(0)
    head = upload.read(16)
    if not head:
        raise EvidenceRefused("The file is empty.")
    file_type = next((kind for kind in ACCEPTED if head.startswith(kind.magic)), None)
    if file_type is None:
        raise EvidenceRefused("Upload a PDF, PNG or JPEG file; this one is none of them (judged by its content).")
    digest, read = hashlib.sha256(head), len(head)
    for chunk in iter(lambda: upload.read(CHUNK), b""):
        digest.update(chunk)
        read += len(chunk)
        if read > limit:
            raise EvidenceRefused(f"The file is over {limit} bytes; evidence files may be at most {limit} bytes.")
    upload.seek(0)
    return Inspected(file_type, read, digest.hexdigest())


def sha256_of_stored(evidence: EvidenceFile) -> str:
    """The SHA-256 of the file as stored now: what an auditor compares with ``evidence.sha256``."""
    digest = hashlib.sha256()
    with evidence.file.open("rb") as stored:
        for chunk in iter(lambda: stored.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_subject(kind: str, certification, lot, sanitization, received_at: dt.datetime | None = None):
    """What the file proves: exactly the one thing its ``kind`` names (``EvidenceRefused``
    otherwise); a lot's certificate arrives after the lot shipped."""
    given = {
        EvidenceKind.VENDOR_CERTIFICATION: certification,
        EvidenceKind.LOT_CERTIFICATE: lot,
        EvidenceKind.SANITIZATION_CERTIFICATE: sanitization,
    }
    if kind not in given:
        raise EvidenceRefused(f"{kind!r} is not a kind of evidence ({', '.join(EvidenceKind.values)}).", field="kind")
    if given[kind] is None or sum(value is not None for value in given.values()) != 1:
        raise EvidenceRefused(f"Evidence of kind {kind} proves one {kind.replace('_', ' ')}: name it alone.", "kind")
    if lot is not None and lot.shipped_at > (received_at or timezone.now()):
        raise EvidenceRefused(f"Lot {lot.code} has not shipped yet: its certificate cannot have arrived.", "lot")
    return given[kind]


def evidence_receive(
    *,
    upload: File,
    kind: str,
    certification: VendorCertification | None = None,
    lot: Lot | None = None,
    sanitization: SanitizationRecord | None = None,
    uploaded_by=None,
    received_at: dt.datetime | None = None,
) -> EvidenceFile:
    """Check, store and record one evidence file; a lot's certificate closes the lot."""
    received_at = received_at or timezone.now()
    check_subject(kind, certification, lot, sanitization, received_at)
    found = inspect(upload)
    storage = evidence_storage()
    name = f"{kind}/{received_at:%Y/%m}/{uuid.uuid4().hex}{found.file_type.extension}"
    if storage.exists(name):
        raise EvidenceRefused(f"A stored file is named {name} already; evidence is never replaced.")
    stored = storage.save(name, upload)
    with transaction.atomic():
        evidence = EvidenceFile.objects.create(
            kind=kind,
            certification=certification,
            lot=lot,
            sanitization=sanitization,
            file=stored,
            original_name=(getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:255] or "upload",
            content_type=found.file_type.content_type,
            size_bytes=found.size,
            sha256=found.sha256,
            received_at=received_at,
            uploaded_by=uploaded_by,
        )
        if lot is not None:
            Lot.objects.filter(pk=lot.pk, closed_at__isnull=True).update(closed_at=received_at)
            lot.refresh_from_db(fields=["closed_at"])
    return evidence


__all__ = ["ACCEPTED", "Inspected", "check_subject", "evidence_receive", "inspect", "sha256_of_stored"]
