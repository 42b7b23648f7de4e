"""Every request gets an id; URLs that no query can hold are refused; an API failure is JSON.

``RequestGuardMiddleware`` (first in ``settings.MIDDLEWARE``):

* **Request id.** Each request carries one: the caller's ``X-Request-ID`` when it is a
  plain token (letters, digits, ``._-``, at most 64), else a new one. It is
  ``request.request_id``, is answered in the ``X-Request-ID`` header of every response, and
  is in the log line of any failure, so a caller's report finds the traceback.
* **URLs.** A path or query string holding text PostgreSQL cannot hold (a NUL character:
  ``inventory.text``) is a 400 naming ``path`` or the parameter, before any view looks it
  up (a NUL in a serial number used to answer 500 from the database driver).
* **Failures.** An exception no view handled, under ``/api/``, is logged with the request
  id and answered as JSON, ``{"code": "server_error", "detail", "request_id"}``, never as
  Django's HTML page (``api.errors.api_error_page`` covers what happens outside views).
"""

from __future__ import annotations

import logging
import re
import uuid

from django.http import JsonResponse

from inventory.text import text_problem

logger = logging.getLogger("api.requests")

HEADER = "X-Request-ID"
API_PREFIX = "/api/"
_CALLERS_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_of(request) -> str:
    """The id of ``request``, given to it here (or now, when the guard did not run)."""
    if not getattr(request, "request_id", None):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = given if _CALLERS_ID.fullmatch(given) else uuid.uuid4().hex
    return request.request_id


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def problem_response(request, status: int, code: str, detail: str, **data) -> JsonResponse:
    """The house error body, with the request id."""
    body = {"code": code, "detail": detail, **data, "request_id": request_id_of(request)}
    response = JsonResponse(body, status=status)
    response[HEADER] = body["request_id"]
    return response


def unreadable_url_errors(request) -> dict[str, list[str]]:
    """``{"path" or parameter: [message]}`` for each part of the URL no query can hold."""
    errors: dict[str, list[str]] = {}
    problem = text_problem(request.path_info)
    if problem:
        errors["path"] = [problem]
    for name, values in request.GET.lists():
        problem = text_problem(name) or next(filter(None, map(text_problem, values)), None)
        if problem:
            errors[name if not text_problem(name) else "query"] = [problem]
    return errors


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_of(request)
        errors = unreadable_url_errors(request)
        response = JsonResponse(errors, status=400) if errors else self.get_response(request)
        response[HEADER] = request_id
        return response

    def process_exception(self, request, exception):
        request_id = request_id_of(request)
        logger.error(
            "Unhandled %s on %s %s (request id %s)",
            type(exception).__name__,
            request.method,
            request.path,
            request_id,
            exc_info=exception,
        )
        if not is_api(request):
            return None  # Django's own 500 page (and its log line) for the admin
        return problem_response(
            request,
            500,
            "server_error",
            f"The server failed to answer this request; nothing more is known here. "
            f"Quote request id {request_id} to the operators.",
        )
