"""Where reads go (``assetlife.replica``), without a real replica: the decisions alone.

``tests/replica/`` proves the same against a real streaming replica on PostgreSQL.
"""

import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from assetlife.replica import config, health, on_replica, pinning
from assetlife.replica.health import ReplicaStatus
from assetlife.replica.router import ReplicaRouter
from circularity.models import Disposition

router = ReplicaRouter()
STREAMING = ReplicaStatus(True, "streaming", lag_seconds=0.0)
LAGGING = ReplicaStatus(False, "lagging", "replay is behind", 95.0)


def read_goes_to():
    return router.db_for_read(Disposition)


@pytest.fixture
def replica(monkeypatch):
    """A replica is configured and healthy (as far as these decisions know)."""
    monkeypatch.setattr(config, "has_replica", lambda: True)
    monkeypatch.setattr(health, "replica_status", lambda: STREAMING)


def test_without_a_replica_every_read_stays_on_the_primary():
    assert on_replica(read_goes_to) is None


def test_only_reads_inside_on_replica_go_to_the_replica(replica):
    assert read_goes_to() is None
    assert on_replica(read_goes_to) == "replica"
    assert on_replica(lambda: router.db_for_write(Disposition)) is None
    assert read_goes_to() is None


@pytest.mark.django_db(transaction=True)
def test_a_read_inside_a_write_stays_on_the_primary(replica):
    def read_then_write():
        with transaction.atomic():
            return read_goes_to()

    assert on_replica(read_then_write) is None
    with transaction.atomic():
        assert on_replica(read_goes_to) is None


def test_a_lagging_or_down_replica_is_not_read(replica, monkeypatch):
    monkeypatch.setattr(health, "replica_status", lambda: LAGGING)
    assert on_replica(read_goes_to) is None


def test_a_read_that_fails_on_the_replica_runs_again_on_the_primary(replica, monkeypatch):
    failures = []
    monkeypatch.setattr(health, "note_failure", failures.append)
    attempts = []

    def read():
        attempts.append(read_goes_to())
        if attempts[-1] == "replica":
            raise OperationalError("server closed the connection unexpectedly")
        return "figures"

    assert on_replica(read) == "figures"
    assert attempts == ["replica", None]
    assert [str(error) for error in failures] == ["server closed the connection unexpectedly"]


def test_other_errors_of_a_read_are_not_hidden(replica):
    def read():
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        on_replica(read)


def test_migrations_never_run_on_the_replica():
    assert router.allow_migrate("replica", "inventory") is False
    assert router.allow_migrate("default", "inventory") is True


# --- read your writes ---------------------------------------------------------------------


class User:
    is_authenticated = True

    def __init__(self, pk):
        self.pk = pk


def answer(request, status=200, seen=None):
    """Run ``request`` through the pinning middleware; ``seen`` records where its reads went."""

    def view(request):
        if seen is not None:
            seen.append(on_replica(read_goes_to))
        return HttpResponse(status=status)

    return pinning.PrimaryPinMiddleware(view)(request)


def browser_request(method, cookies=None, user=None):
    request = getattr(RequestFactory(), method.lower())("/admin/dashboard/")
    request.COOKIES.update(cookies or {})
    request.user = user or AnonymousUser()
    return request


@pytest.fixture
def pin_for(settings, replica):
    settings.REPLICA_PIN_SECONDS = 30
    return settings


def test_a_write_request_reads_the_primary_throughout(pin_for):
    seen = []
    answer(browser_request("POST"), seen=seen)
    answer(browser_request("GET"), seen=seen)
    assert seen == [None, "replica"]


def test_after_a_write_its_browser_reads_the_primary_until_the_pin_expires(pin_for, monkeypatch):
    response = answer(browser_request("POST"))
    cookie = response.cookies[pinning.PIN_COOKIE]
    assert cookie["max-age"] == 30 and cookie["httponly"]
    seen = []
    answer(browser_request("GET", {pinning.PIN_COOKIE: cookie.value}), seen=seen)
    assert seen == [None]
    # Thirty-one seconds later the signature is too old: back to the replica.
    later = time.time() + 31
    monkeypatch.setattr(time, "time", lambda: later)
    answer(browser_request("GET", {pinning.PIN_COOKIE: cookie.value}), seen=seen)
    assert seen == [None, "replica"]


def test_a_forged_pin_cookie_is_ignored(pin_for):
    seen = []
    answer(browser_request("GET", {pinning.PIN_COOKIE: "1:forged:signature"}), seen=seen)
    assert seen == ["replica"]


def test_after_a_write_an_api_client_without_cookies_is_pinned_by_its_user(pin_for):
    answer(browser_request("POST", user=User(41)))
    seen = []
    answer(browser_request("GET", user=User(41)), seen=seen)
    answer(browser_request("GET", user=User(42)), seen=seen)  # someone else: not pinned
    assert seen == [None, "replica"]


def test_a_refused_write_pins_nobody(pin_for):
    response = answer(browser_request("POST", user=User(43)), status=409)
    assert pinning.PIN_COOKIE not in response.cookies
    seen = []
    answer(browser_request("GET", user=User(43)), seen=seen)
    assert seen == ["replica"]


def test_without_a_replica_writes_set_no_pin(settings):
    settings.REPLICA_PIN_SECONDS = 30
    assert pinning.PIN_COOKIE not in answer(browser_request("POST", user=User(44))).cookies


def test_a_pin_of_zero_seconds_turns_pinning_off(pin_for):
    pin_for.REPLICA_PIN_SECONDS = 0
    assert pinning.PIN_COOKIE not in answer(browser_request("POST")).cookies
