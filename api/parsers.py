"""The API's only body parser: JSON, read within a size limit, refused whole when unstorable.

Every write body of the API passes here before any serializer or service sees it, so the
classes of input that used to answer 500 are closed in one place:

* a body over the endpoint's limit is a **413** (``RequestTooLarge``), never Django's HTML
  "Bad Request": the limit is ``settings.DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB), or the
  view's own ``max_body_bytes`` (the bulk events endpoint takes 10,000 items);
* bytes that are not UTF-8, JSON that does not parse, nesting deeper than ``MAX_DEPTH``
  (a body nested 100,000 levels used to exhaust the interpreter's stack) are a **400**;
* a string or key that PostgreSQL cannot hold (a NUL character, a lone surrogate:
  ``inventory.text``), ``NaN``/``Infinity``, a number that overflows (``1e999``) and an
  integer no column holds (beyond 64 bits) are a **400** naming where each is:
  ``{"note": [...]}``, or ``{"[3].asset": [...]}`` in a list.

Only JSON is read: a form-encoded or multipart body is a **415** (DRF's
``UnsupportedMediaType``), as docs/api.md promises.

It is not a subclass of DRF's ``JSONParser`` on purpose: DRF reads ``request.body`` for
those, which applies Django's global limit before any view could raise it.
"""

from __future__ import annotations

import json
import math

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.parsers import BaseParser

from inventory.text import text_problem

MAX_DEPTH = 32  # the deepest body the API takes is 3 levels (a batch, an item, a list of codes)
INTEGER_BITS = 63  # a bigint column: anything larger is no key and no quantity of this product


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(
            f"The body is larger than this endpoint takes ({limit:,} bytes); send less per request.", self.default_code
        )


def body_limit(view) -> int:
    """The largest body ``view`` takes, in bytes."""
    own = getattr(view, "max_body_bytes", None)
    return own if own is not None else settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def read_body(stream, request, view) -> bytes:
    """The raw body, refused (413) as soon as it is known to exceed the view's limit."""
    limit = body_limit(view)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise RequestTooLarge(limit)
    body = stream.read(limit + 1) if stream is not None else b""
    if len(body) > limit:
        raise RequestTooLarge(limit)
    return body


class Unreadable:
    """A JSON number no field can take, kept in place so the walk names where it is."""

    def __init__(self, problem: str):
        self.problem = problem


def _constant(name: str) -> Unreadable:
    return Unreadable(f"{name} is not a number; send a finite number.")


def _float(text: str) -> float | Unreadable:
    value = float(text)
    return value if math.isfinite(value) else Unreadable(f"{text[:40]} overflows a number; send a finite one.")


def _int(text: str) -> int | Unreadable:
    # Decided on the digits, before Python converts a million of them.
    if len(text.lstrip("-")) > 19 or not -(2**INTEGER_BITS) <= int(text) < 2**INTEGER_BITS:
        return Unreadable(f"The integer {text[:24]}{'…' if len(text) > 24 else ''} is out of range (64-bit at most).")
    return int(text)


def decode_json(body: bytes):
    """The parsed body; ``ParseError`` (400) for anything that is not sound JSON."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParseError(f"The body is not UTF-8 text ({error.reason} at byte {error.start}).") from None
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except RecursionError:
        raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep.") from None
    except ValueError as error:
        raise ParseError(f"JSON parse error - {error}") from None


def check_storable(data) -> None:
    """Refuse (400, naming where) any string or key PostgreSQL cannot hold, any number no
    field takes (``Unreadable``), and deep nesting.

    Walked without recursion: the depth is what it guards against.
    """
    errors: dict[str, list[str]] = {}
    pending = [("", data, 1)]
    while pending:
        where, value, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep.")
        if isinstance(value, Unreadable):
            errors.setdefault(where or "non_field_errors", []).append(value.problem)
        elif isinstance(value, str):
            problem = text_problem(value)
            if problem:
                errors.setdefault(where or "non_field_errors", []).append(problem)
        elif isinstance(value, dict):
            for key, item in value.items():
                path = f"{where}.{key}" if where else str(key)
                problem = text_problem(key)
                if problem:
                    errors.setdefault(where or "non_field_errors", []).append(f"A key: {problem}")
                    continue
                pending.append((path, item, depth + 1))
        elif isinstance(value, list):
            pending.extend((f"{where}[{index}]", item, depth + 1) for index, item in enumerate(value))
    if errors:
        raise ValidationError(dict(sorted(errors.items())))


class JSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        context = parser_context or {}
        body = read_body(stream, context.get("request"), context.get("view"))
        data = decode_json(body)
        check_storable(data)
        return data
