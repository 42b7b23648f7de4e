"""Read your own writes: after a write, its author reads the primary for a while.

``PrimaryPinMiddleware`` pins a request to the primary when it is a write (POST, PUT,
PATCH, DELETE: every read inside it sees what it wrote), and, once such a request
succeeded (status below 400), pins its author for ``REPLICA_PIN_SECONDS``:

- by a signed cookie, for browsers (the admin): it works whichever web process answers;
- by a cache key per user, for API clients that keep no cookies (token authentication):
  shared between web processes when ``CACHE_URL`` points at Redis.

So a person who has just recorded a disposition sees it on the dashboard at once, even
while the replica is seconds behind. The default pin, ``REPLICA_MAX_LAG_SECONDS`` +
``REPLICA_CHECK_SECONDS``, outlasts the most lag the replica is ever used with.
"""

from __future__ import annotations

import time
from contextvars import ContextVar

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

from . import config

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
PIN_COOKIE = "assetlife_primary"
PIN_SALT = "assetlife.replica.pin"

_request: ContextVar[HttpRequest | None] = ContextVar("replica_pin_request", default=None)


def _cache_key(user_pk) -> str:
    return f"assetlife:replica-pin:{user_pk}"


def _user_pk(request: HttpRequest):
    # DRF sets the token's user on the Django request when it authenticates it.
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def pinned_to_primary() -> bool:
    """Whether the request being answered must read the primary."""
    request = _request.get()
    if request is None:  # a job, a command: no author to pin
        return False
    if request.method not in SAFE_METHODS:
        return True
    seconds = settings.REPLICA_PIN_SECONDS
    if seconds <= 0:
        return False
    try:
        request.get_signed_cookie(PIN_COOKIE, salt=PIN_SALT, max_age=seconds)
        return True
    except (KeyError, signing.BadSignature):
        pass
    user_pk = _user_pk(request)
    return user_pk is not None and cache.get(_cache_key(user_pk)) is not None


class PrimaryPinMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        seconds = settings.REPLICA_PIN_SECONDS
        wrote = request.method not in SAFE_METHODS and response.status_code < 400
        if wrote and seconds > 0 and config.has_replica():
            response.set_signed_cookie(
                PIN_COOKIE,
                str(int(time.time())),
                salt=PIN_SALT,
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            user_pk = _user_pk(request)
            if user_pk is not None:
                cache.set(_cache_key(user_pk), True, timeout=seconds)
        return response
