"""The matrix covers every URL: a new endpoint or admin page without its scope
expectations fails here, and so does a ModelAdmin or an API view without a scope policy.

The URLs are enumerated from the URLconf itself (the API router and its extra paths, the
admin site with every ModelAdmin's ``get_urls()``, the dashboard), not listed by hand.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.generic import RedirectView

from inventory.scopes import POLICIES

from .admin_pages import MODELS, PAGES, standard_names
from .api_endpoints import AUTHENTICATED, ENDPOINTS, PUBLIC


def walk(patterns, prefix="", namespace=""):
    """(route, qualified name, callback) of every URL pattern, through every include()."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner or namespace)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name, pattern.callback


def project_urls():
    return [url for url in walk(get_resolver().url_patterns) if url[0].startswith(("admin/", "api/v1/"))]


def is_catch_all(route: str, callback) -> bool:
    """The admin's unnamed fallbacks: a model's ``<id>/`` redirect to its change page, and
    the site's final 404 for unknown admin URLs. They answer alike whatever exists."""
    if getattr(callback, "view_class", None) is RedirectView:
        return True
    return getattr(callback, "__name__", "") == "catch_all_view"


def test_every_url_has_scope_expectations():
    urls = project_urls()
    unnamed = [(route, callback) for route, name, callback in urls if name is None]
    assert [route for route, callback in unnamed if not is_catch_all(route, callback)] == []
    enumerated = {name for _, name, _ in urls if name is not None}
    registered = set(ENDPOINTS) | standard_names() | set(PAGES)
    assert sorted(enumerated - registered) == [], "URLs without scope expectations (tests/scopes registries)"
    assert sorted(registered - enumerated) == [], "expectations for URLs that do not exist"


def test_every_model_admin_names_its_scope_policy():
    for model, model_admin in admin.site._registry.items():
        key = f"{model._meta.app_label}_{model._meta.model_name}"
        assert getattr(model_admin, "scope_policy", None) in POLICIES, f"{key}: no scope policy"
        assert key in MODELS, f"{key}: no scope expectations"
        assert MODELS[key].policy == model_admin.scope_policy, key


def test_every_api_view_names_its_scope_policy():
    for route, name, callback in project_urls():
        if not route.startswith("api/v1/"):
            continue
        view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        policy = getattr(view, "scope_policy", None)
        if ENDPOINTS[name].policy in (PUBLIC, AUTHENTICATED):
            assert policy is None, name  # the schema, its docs and the root hold no data
            continue
        assert policy in POLICIES, f"{name}: {view} names no scope policy"
        assert policy == ENDPOINTS[name].policy, name
