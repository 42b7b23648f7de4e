"""Domain errors mapped to HTTP, so no refused request answers 500.

* ``BatchInvalid`` (a bulk body that cannot be read) -> 400 naming each bad item's
  index and fields.
* ``AssetNotFound`` -> 404 with its ``as_dict()`` body.
* ``MomentRefused`` (a moment a service refused: ``inventory.moments``) and
  ``EvidenceRefused`` (a file of the wrong type or size) -> 400 naming the field,
  ``{"<field>": ["..."]}``, as DRF's own field errors; a ``BatchRefused`` of moments
  only -> 400 by index, as ``BatchInvalid``.
* Every other ``inventory.errors.LifecycleError`` (refused transitions, part moves,
  dispositions, custody, sanitizations, refused batches) -> 409 with its ``as_dict()``
  body: ``{"code": ..., "detail": ..., <the data of the refusal>}``.
* A database constraint that a concurrent writer won (``IntegrityError``) or a protected
  row (``ProtectedError``) -> 409; a Django ``ValidationError`` -> 400.

Everything else is DRF's own handling (400 field errors, 401, 403, 404, 405, 429).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from circularity.errors import EvidenceRefused
from inventory.errors import AssetNotFound, BatchRefused, LifecycleError, MomentRefused


class ExternalIdConflict(LifecycleError):
    """An ``external_id`` already applied to a different change: the key was reused.

    ``applied`` describes that change when the caller may see it; without it (a key used
    outside the caller's access scope) the key is "already used", and nothing more.
    """

    code = "external_id_conflict"

    def __init__(self, external_id: str, applied: str | None = None):
        self.external_id = external_id
        self.applied = applied
        if applied is None:
            message = f"external_id {external_id!r} is already used; an idempotency key names one change only."
        else:
            message = (
                f"external_id {external_id!r} was already applied to {applied}; "
                "an idempotency key names one change only."
            )
        super().__init__(message)

    def as_dict(self):
        return {**super().as_dict(), "external_id": self.external_id}


class BatchInvalid(Exception):
    """A batch whose items (or whose whole body) cannot be read; nothing was applied (400).

    ``errors`` maps an item's index to its field errors, ``{"to": ["..."]}``.
    """

    code = "invalid"

    def __init__(self, detail: str, errors: dict[int, dict] | None = None):
        self.detail = detail
        self.errors = dict(sorted((errors or {}).items()))
        super().__init__(detail)

    @classmethod
    def from_field_errors(cls, errors: dict[int, dict]) -> BatchInvalid:
        return cls(f"{len(errors)} item(s) are invalid; nothing was applied.", errors)

    def as_dict(self) -> dict:
        body = {"code": self.code, "detail": self.detail}
        if self.errors:
            body["errors"] = [{"index": index, "fields": _plain(fields)} for index, fields in self.errors.items()]
        return body


def _plain(errors):
    """DRF's ``ErrorDetail`` strings and nested lists, as plain JSON values."""
    if isinstance(errors, dict):
        return {str(key): _plain(value) for key, value in errors.items()}
    if isinstance(errors, list | tuple):
        return [_plain(value) for value in errors]
    return str(errors)


def exception_handler(exc, context):
    if isinstance(exc, BatchInvalid):
        return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, AssetNotFound):
        return Response(exc.as_dict(), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, MomentRefused | EvidenceRefused):
        return Response({exc.field: [exc.sentence]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, BatchRefused) and all(isinstance(error, MomentRefused) for error in exc.errors.values()):
        invalid = BatchInvalid.from_field_errors(
            {index: {error.field: [error.sentence]} for index, error in exc.errors.items()}
        )
        return Response(invalid.as_dict(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, LifecycleError):
        return Response(exc.as_dict(), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ProtectedError):
        # The records that refer to it may lie outside the caller's scope: named by kind only.
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        detail = f"It is still referred to by other records ({', '.join(kinds)}); it cannot be deleted."
        return Response({"code": "protected", "detail": detail}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, IntegrityError):
        detail = "Another request changed the same records at the same time; read them again and retry."
        return Response({"code": "conflict", "detail": detail}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
