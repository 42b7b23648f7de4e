"""Every URL of the API, asked by four callers: anonymous, a user without permissions, and
two users with every permission, each scoped to one campus (SPEC section 8 "Scopes").

* anonymous: 401 (the schema and its docs are open to all);
* no permission: 403 (the API root answers any signed-in caller);
* a scoped user naming the other campus's object (in the URL or the body) is answered
  exactly as when naming nothing, and nothing changes; naming its own, the request works
  (or is refused for everyone scoped: organisation-wide data is read-only to them);
* no answer to a scoped user holds the other campus's serial numbers, tags, keys,
  certificates, tracking references, codes, or the organisation's report (in JSON, and
  in the browsable API's pages, whose forms list what may be chosen).

The registry is ``api_endpoints.ENDPOINTS``; ``test_scope_coverage`` fails for a URL
without an entry.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.urls import reverse

from inventory.scopes import ORGANISATION, SCOPED, SCOPED_VIEW

from .api_endpoints import AUTHENTICATED, EMPTY_FOR_SCOPED, ENDPOINTS, PUBLIC, Endpoint, Probe
from .checks import api_client, api_outcome, assert_no_leak
from .world import Names, World, fingerprint

pytestmark = pytest.mark.django_db

HIDDEN = (SCOPED, SCOPED_VIEW, ORGANISATION)  # another campus's object is not there


def ask(client, name: str, probe: Probe, target: Names, me: Names, world: World):
    url = reverse(name, kwargs=probe.url(target, me, world)) + probe.query
    body = probe.body(target, me, world) if probe.body is not None else None
    method = getattr(client, probe.method.lower())
    response = method(url, body, format="json") if body is not None else method(url)
    response.asked = f"{url} {json.dumps(body)}"
    return response


def replacements(endpoint: Endpoint, other: Names, ghost: Names) -> list[tuple[str, str]]:
    pairs = other.replacements(ghost)
    if endpoint.policy == ORGANISATION:
        pairs.append(("2024-03", "2019-01"))  # the report's month, and one without a report
    return pairs


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_an_api_url_answers_each_caller_within_its_scope(world, name):
    endpoint = ENDPOINTS[name]
    ams = world.campuses["AMS"]
    for probe in endpoint.probes:
        anonymous = ask(api_client(None), name, probe, ams, ams, world)
        expected = 200 if endpoint.policy == PUBLIC and probe.method == "GET" else 401
        assert anonymous.status_code == expected, (name, probe.method, "anonymous", anonymous.content[:300])
        unpermitted = ask(api_client(world.users["noperm"]), name, probe, ams, ams, world)
        expected = 200 if endpoint.policy in (PUBLIC, AUTHENTICATED) else 403
        assert unpermitted.status_code == expected, (name, probe.method, "noperm", unpermitted.content[:300])

    for token, me in world.campuses.items():
        client = api_client(world.users[token])
        other = world.other(token)
        ghost = Names.ghost(other)
        if endpoint.policy in HIDDEN:
            for probe in endpoint.probes:
                _assert_like_nothing(client, name, endpoint, probe, other, ghost, me, world)
        for probe in sorted(endpoint.probes, key=lambda p: p.method != "GET"):
            _assert_own_works(client, name, endpoint, probe, me, world)


def names_target(probe: Probe, other: Names, ghost: Names, me: Names, world: World) -> bool:
    """Whether the probe's URL or body names something of its target campus."""
    body = probe.body or (lambda t, m, w: None)
    return (probe.url(other, me, world), body(other, me, world)) != (
        probe.url(ghost, me, world),
        body(ghost, me, world),
    )


def _assert_like_nothing(client, name, endpoint, probe, other, ghost, me, world):
    """Naming the other campus's object is answered as naming nothing, and changes nothing."""
    if not names_target(probe, other, ghost, me, world):
        return
    where = f"{name} {probe.method} by {me.token} naming {other.token}"
    before = fingerprint()
    theirs = ask(client, name, probe, other, me, world)
    assert fingerprint() == before, f"{where}: it changed something"
    nothing = ask(client, name, probe, ghost, me, world)
    assert fingerprint() == before, f"{where} (ghost): it changed something"
    assert theirs.status_code >= 400, f"{where}: answered {theirs.status_code}"
    pairs = replacements(endpoint, other, ghost)
    assert api_outcome(theirs, pairs) == api_outcome(nothing), where
    assert_no_leak(theirs, world, me, aggregate=endpoint.aggregate, asked=theirs.asked, where=where)


def _assert_own_works(client, name, endpoint, probe, me, world):
    """The same request for the caller's own campus works (inside a savepoint, undone)."""
    where = f"{name} {probe.method} by {me.token} for itself"
    with transaction.atomic():
        before = fingerprint()
        response = ask(client, name, probe, me, me, world)
        assert response.status_code == probe.own, (where, response.content[:500])
        assert_no_leak(response, world, me, aggregate=endpoint.aggregate, where=where)
        body = response.content.decode()
        if probe.method == "GET":
            for shown in endpoint.shows(me):
                assert shown in body, f"{where}: {shown} is not shown"
            if not endpoint.aggregate:  # the browsable API's forms list what may be chosen
                url = reverse(name, kwargs=probe.url(me, me, world)) + probe.query
                browsable = client.get(url, HTTP_ACCEPT="text/html")
                assert_no_leak(browsable, world, me, where=f"{where} (browsable)")
            if name in EMPTY_FOR_SCOPED:
                assert response.json()["results"] == [], where
        elif response.status_code < 300:
            assert fingerprint() != before, f"{where}: answered {response.status_code} but changed nothing"
        transaction.set_rollback(True)
