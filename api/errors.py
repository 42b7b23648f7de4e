"""Domain errors mapped to HTTP: refused lifecycle changes answer 409 with their data."""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from inventory.errors import AssetNotFound, LifecycleError


def exception_handler(exc, context):
    if isinstance(exc, AssetNotFound):
        return Response(exc.as_dict(), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, LifecycleError):
        return Response(exc.as_dict(), status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
