"""Which rows a caller may see: the access scope applied to querysets.

``scope_for(request)`` reads the caller's ``AccessScope`` once per request (one query);
the filters below are subqueries on its sites and centers, so applying a scope adds no
query of its own to a list, whatever its size. ``None`` means "no scope row: unlimited".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from .models import AccessScope

_CACHE_ATTRIBUTE = "_assetlife_access_scope"
_UNLIMITED = object()


@dataclass(frozen=True)
class Scope:
    """The sites and centers of one caller, as subqueries (nothing is fetched)."""

    scope_id: int

    @property
    def site_ids(self) -> QuerySet:
        return AccessScope.sites.through.objects.filter(accessscope_id=self.scope_id).values("site_id")

    @property
    def center_ids(self) -> QuerySet:
        return AccessScope.centers.through.objects.filter(accessscope_id=self.scope_id).values("circularcenter_id")

    def covers(self, *, site_field: str, center_field: str) -> Q:
        """Rows whose site is one of the scope's sites, or whose center one of its centers."""
        return Q(**{f"{site_field}__in": self.site_ids}) | Q(**{f"{center_field}__in": self.center_ids})


def scope_for(request) -> Scope | None:
    """The caller's scope, or ``None`` when they have none (or are not authenticated).

    Read once per request: from the user object when token authentication loaded it with
    the user (no query), else with one query.
    """
    cached = getattr(request, _CACHE_ATTRIBUTE, None)
    if cached is None:
        user = getattr(request, "user", None)
        scope_id = _scope_id(user) if user is not None and user.is_authenticated else None
        cached = Scope(scope_id) if scope_id is not None else _UNLIMITED
        setattr(request, _CACHE_ATTRIBUTE, cached)
    return None if cached is _UNLIMITED else cached


def _scope_id(user) -> int | None:
    related = get_user_model().access_scope.related
    if related.is_cached(user):  # loaded with the user (``api.authentication``)
        scope = related.get_cached_value(user)
        return scope.pk if scope is not None else None
    return AccessScope.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()


def _limit(queryset: QuerySet, request, *, site_field: str, center_field: str) -> QuerySet:
    scope = scope_for(request)
    if scope is None:
        return queryset
    return queryset.filter(scope.covers(site_field=site_field, center_field=center_field))


def visible_assets(queryset: QuerySet, request) -> QuerySet:
    """Assets at one of the caller's sites, or held at one of their circular centers."""
    return _limit(queryset, request, site_field="site_id", center_field="center_id")


def visible_events(queryset: QuerySet, request) -> QuerySet:
    """Events of visible assets."""
    return _limit(queryset, request, site_field="asset__site_id", center_field="asset__center_id")


def visible_sanitizations(queryset: QuerySet, request) -> QuerySet:
    """Sanitizations of visible assets."""
    return _limit(queryset, request, site_field="asset__site_id", center_field="asset__center_id")


def visible_dispositions(queryset: QuerySet, request) -> QuerySet:
    """Dispositions decided at one of the caller's centers, or of assets from one of their sites.

    Reads the disposition's own (denormalized) site and center: a disposition stays with
    the site the asset came from, even after a reused asset moved elsewhere.
    """
    return _limit(queryset, request, site_field="site_id", center_field="center_id")


def visible_shipments(queryset: QuerySet, request) -> QuerySet:
    """Shipments leaving one of the caller's sites or bound for one of their centers."""
    return _limit(queryset, request, site_field="from_site_id", center_field="to_center_id")


def site_in_scope(request, site) -> bool:
    """Whether the caller may place assets at ``site`` (one query when scoped)."""
    scope = scope_for(request)
    return (
        scope is None
        or AccessScope.sites.through.objects.filter(accessscope_id=scope.scope_id, site_id=site.pk).exists()
    )
