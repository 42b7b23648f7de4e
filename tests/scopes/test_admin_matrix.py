"""Every URL of the admin, asked by four users: anonymous, a staff user without
permissions, and two staff users with every permission, each scoped to one campus.

* anonymous: sent to the login page;
* no permission: 403 (or what Django answers any staff user: the index, their password);
* a scoped user naming the other campus's object (in the URL, an action's selection or a
  form) is answered exactly as when naming nothing (Django's "doesn't exist" redirect, a
  404, the same form errors) and nothing changes; naming its own, the page works (or is
  read-only to every scoped user: sites, centers, the organisation-wide data); the
  organisation's own pages are not listed and answer 404;
* no page shown to a scoped user holds the other campus's serial numbers, tags, keys,
  certificates, tracking references, codes, or the organisation's report.

The registry is ``admin_pages``; ``test_scope_coverage`` fails for a URL without an entry.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction
from django.urls import reverse

from inventory.scopes import ORGANISATION, SHARED

from .admin_pages import MODELS, PAGES, STANDARD, AdminModel, Page, PageProbe
from .checks import admin_client, admin_outcome, assert_no_leak
from .world import Names, World, fingerprint

pytestmark = pytest.mark.django_db

OBJECT_VIEWS = ("change", "history", "delete")
ORGANISATION_LINKS = ("/admin/circularity/compliancereport/", "/admin/auth/user/", "/admin/inventory/accessscope/")


def model_url(model: str, view: str, spec: AdminModel, names: Names, world: World) -> str:
    args = [spec.obj(names, world)] if view in OBJECT_VIEWS else []
    return reverse(f"admin:{model}_{view}", args=args)


def assert_sent_to_login(response, where):
    assert response.status_code == 302 and "/admin/login/" in response["Location"], (where, response.status_code)


def assert_alike(ask, other: Names, ghost: Names, me: Names, world: World, *, aggregate=False, where=""):
    """``ask(target)`` for the other campus is answered as for nothing, and changes nothing."""
    before = fingerprint()
    theirs = ask(other)
    assert fingerprint() == before, f"{where}: it changed something"
    nothing = ask(ghost)
    assert fingerprint() == before, f"{where} (ghost): it changed something"
    assert theirs.status_code != 200 or admin_outcome(theirs)[2], f"{where}: answered 200 without refusing"
    assert admin_outcome(theirs, other.replacements(ghost)) == admin_outcome(nothing), where
    assert_no_leak(theirs, world, me, aggregate=aggregate, asked=theirs.asked, where=where)


def asked(response, url, data=None):
    response.asked = f"{url} {data!r}"
    return response


def assert_own(ask, status, me, world, *, changes=None, aggregate=False, shows=(), where=""):
    """``ask()`` for the user's own campus answers ``status`` (in a savepoint, undone)."""
    with transaction.atomic():
        before = fingerprint()
        response = ask()
        assert response.status_code == status, (where, response.status_code, response.get("Location"))
        assert_no_leak(response, world, me, aggregate=aggregate, where=where)
        body = response.content.decode()
        for shown in shows:
            assert shown in body, f"{where}: {shown} is not shown"
        if changes is not None:
            assert (fingerprint() != before) == changes, f"{where}: changed {fingerprint() != before}"
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("model", sorted(MODELS))
def test_a_model_admin_answers_each_user_within_its_scope(world, model):
    spec = MODELS[model]
    ams = world.campuses["AMS"]
    anonymous, unpermitted = admin_client(None), admin_client(world.users["noperm"])
    for view in STANDARD:
        url = model_url(model, view, spec, ams, world)
        for method in ("get", "post"):
            assert_sent_to_login(getattr(anonymous, method)(url), f"{model} {view} {method} anonymous")
            response = getattr(unpermitted, method)(url)
            assert response.status_code == 403, (model, view, method, "noperm", response.status_code)

    for me in world.campuses.values():
        _check_model_admin_for(world, model, spec, me)


def _check_model_admin_for(world: World, model: str, spec: AdminModel, me: Names):
    client = admin_client(world.users[me.token])
    other = world.other(me.token)
    ghost = Names.ghost(other)
    where = f"{model} by {me.token}"

    def url(view, names):
        return model_url(model, view, spec, names, world)

    def get(view):
        return lambda: client.get(url(view, me))

    if spec.policy == ORGANISATION:
        for view in STANDARD:
            for method in ("get", "post"):
                response = getattr(client, method)(url(view, me))
                assert response.status_code == 404, (where, view, method, response.status_code)
        index = client.get(reverse("admin:index")).content.decode()
        assert url("changelist", me) not in index, f"{where}: listed on the index"
        return

    shows, aggregate = spec.shows(me), spec.aggregate
    assert_own(get("changelist"), 200, me, world, shows=shows, aggregate=aggregate, where=f"{where} list")
    assert_own(get("add"), spec.add, me, world, where=f"{where} add")
    assert_own(get("change"), 200, me, world, aggregate=aggregate, where=f"{where} change")
    assert_own(get("history"), 200, me, world, where=f"{where} history")
    assert_own(get("delete"), spec.delete, me, world, where=f"{where} delete")
    if spec.change is not None:
        changed = spec.change_post == 302
        post_change = lambda: client.post(url("change", me), spec.change(me, me, world))  # noqa: E731
        assert_own(post_change, spec.change_post, me, world, changes=changed, where=f"{where} change POST")
    if spec.policy == SHARED:
        return  # one object for every campus: nothing of another campus to name

    for view in OBJECT_VIEWS:
        for method in ("get", "post"):
            data = None
            if method == "post":
                data = spec.change(other, me, world) if view == "change" and spec.change else {"post": "yes"}
            ask = _asker(client, method, lambda target, view=view: url(view, target), data)
            assert_alike(ask, other, ghost, me, world, where=f"{where} {view} {method}")
    for body in spec.adds:
        ask = _asker(
            client, "post", lambda target: url("add", target), lambda target, body=body: body(target, me, world)
        )
        assert_alike(ask, other, ghost, me, world, where=f"{where} add POST")
        assert_own(lambda ask=ask: ask(me), 302, me, world, changes=True, where=f"{where} add POST")
    for action in spec.actions:

        def selection(target, action=action):
            data = {"action": action.name, ACTION_CHECKBOX_NAME: [target.pk(action.selects)], "index": 0}
            return {**data, **action.data(target, me)}

        act = _asker(client, "post", lambda target: url("changelist", me), selection)
        assert_alike(act, other, ghost, me, world, where=f"{where} action {action.name}")
        assert_own(lambda act=act: act(me), 302, me, world, changes=True, where=f"{where} action {action.name}")


def _asker(client, method, url_of, data):
    """``ask(target)``: the request naming ``target`` (``data`` a dict, or a function of it)."""

    def ask(target):
        url = url_of(target)
        payload = data(target) if callable(data) else data
        response = getattr(client, method)(url, payload) if payload else getattr(client, method)(url)
        return asked(response, url, payload)

    return ask


def page_url(name: str, probe: PageProbe, names: Names, world: World) -> str:
    return reverse(name, kwargs=probe.url(names, world)) + probe.query(names, world)


def ask_page(client, name, probe, target, me, world):
    url = page_url(name, probe, target, world)
    data = probe.data(target, me, world) if probe.data is not None else None
    if probe.method == "GET":
        return asked(client.get(url), url)
    return asked(client.post(url, data or {}), url, data)


@pytest.mark.parametrize("name", sorted(name for name, page in PAGES.items() if page.probes))
def test_an_admin_page_answers_each_user_within_its_scope(world, name):
    page: Page = PAGES[name]
    ams = world.campuses["AMS"]
    for probe in page.probes:
        response = ask_page(admin_client(None), name, probe, ams, ams, world)
        if page.anonymous == 302:
            assert_sent_to_login(response, f"{name} anonymous") if name != "admin:logout" else None
        else:
            assert response.status_code == page.anonymous, (name, "anonymous", response.status_code)
        response = ask_page(admin_client(world.users["noperm"]), name, probe, ams, ams, world)
        expected = probe.noperm if probe.noperm is not None else page.noperm
        assert response.status_code == expected, (name, probe.method, "noperm", response.status_code)

    for me in world.campuses.values():
        _check_page_for(world, name, page, me)


def _check_page_for(world: World, name: str, page: Page, me: Names):
    client = admin_client(world.users[me.token])
    other = world.other(me.token)
    ghost = Names.ghost(other)
    for probe in page.probes:
        where = f"{name} {probe.method} by {me.token}"
        names_target = page_url(name, probe, other, world) != page_url(name, probe, ghost, world) or (
            probe.data is not None and repr(probe.data(other, me, world)) != repr(probe.data(ghost, me, world))
        )
        ask = lambda target, probe=probe: ask_page(client, name, probe, target, me, world)  # noqa: E731
        if names_target and page.policy != ORGANISATION:
            assert_alike(ask, other, ghost, me, world, aggregate=page.aggregate, where=where)
        assert_own(
            lambda ask=ask: ask(me),
            probe.own,
            me,
            world,
            changes=True if probe.method == "POST" and probe.own == 302 else None,
            aggregate=page.aggregate,
            shows=page.shows(me),
            where=where,
        )
    if name == "admin:index":
        body = client.get(reverse("admin:index")).content.decode()
        assert not [link for link in ORGANISATION_LINKS if link in body], f"{me.token}'s index lists them"


def autocomplete_queries():
    """Every relation of every registered model to a model whose admin can be searched."""
    for model in admin.site._registry:
        for field in model._meta.get_fields():
            remote = getattr(getattr(field, "remote_field", None), "model", None)
            if not field.concrete or remote is None or not admin.site.is_registered(remote):
                continue
            if admin.site.get_model_admin(remote).search_fields:
                yield {
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": field.name,
                }


def test_the_admin_autocomplete_offers_only_what_lies_in_the_scope(world):
    queries = list(autocomplete_queries())
    assert any(q["field_name"] == "site" for q in queries)
    url = reverse("admin:autocomplete")
    for query in queries:
        assert_sent_to_login(admin_client(None).get(url, query), f"autocomplete {query} anonymous")
        assert admin_client(world.users["noperm"]).get(url, query).status_code == 403, query
    for token, me in world.campuses.items():
        client = admin_client(world.users[token])
        for query in queries:
            response = client.get(url, {**query, "term": ""})
            remote = apps.get_model(query["app_label"], query["model_name"])._meta.get_field(query["field_name"])
            remote_admin = admin.site.get_model_admin(remote.remote_field.model)
            expected = 403 if remote_admin.scope_policy == ORGANISATION else 200
            assert response.status_code == expected, (token, query, response.status_code)
            assert_no_leak(response, world, me, where=f"autocomplete {query} by {token}")
        sites = client.get(url, {"app_label": "inventory", "model_name": "asset", "field_name": "site"}).json()
        assert [row["text"] for row in sites["results"]] == [me.site]


def test_the_admin_app_pages_list_only_what_a_scoped_user_may_see(world):
    labels = sorted({model._meta.app_label for model in admin.site._registry})
    for label in labels:
        url = reverse("admin:app_list", kwargs={"app_label": label})
        assert_sent_to_login(admin_client(None).get(url), f"{label} anonymous")
        assert admin_client(world.users["noperm"]).get(url).status_code == 404, label
        for token, me in world.campuses.items():
            response = admin_client(world.users[token]).get(url)
            visible = label in ("inventory", "circularity")  # the others hold organisation pages only
            assert response.status_code == (200 if visible else 404), (label, token)
            assert_no_leak(response, world, me, where=f"{label} app page")
            assert not [link for link in ORGANISATION_LINKS if link in response.content.decode()], (label, token)
