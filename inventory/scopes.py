"""Access scopes (SPEC section 8): the rows a user limited to some sites and centers sees.

The one home of the rule, for the API and the admin alike:

* ``scope_of(user)`` / ``scope_for(request)``: the user's ``AccessScope``, or ``None`` for
  a user without one (unlimited). Read once per request: the authentication backends
  load it with the user (``inventory.backends``, ``api.authentication``), so it costs no
  query of its own.
* ``visible(queryset, scope)``: the rows of a queryset that lie in the scope. Where a row
  lies is its model's ``placement`` (``inventory.models.Placement``): an asset at its
  site or at its center, an event with its asset, a shipment at the site it leaves or the
  center it goes to, and so on. The filter is a subquery on the scope's sites and
  centers, so applying a scope adds no query to a list, whatever its size.

A model without a placement lies nowhere (part models, targets, the metrics): it is
organisation-wide, and readable in full. Each page of the admin and each endpoint of
the API names its policy (``SCOPED``, ``SCOPED_VIEW``, ``SHARED``, ``ORGANISATION``,
below); a test enumerates them all. See docs/architecture.md ("Access scopes").

Identities are unique across the organisation: ``taken_identities`` says whether a
serial number or asset tag is taken, and ``taken_message`` answers so without a word
about an asset outside the scope ("serial number 'X' is not available").
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, Model, Q, QuerySet, Value, When

from .models import AccessScope, Asset, Placement

_CACHE_ATTRIBUTE = "_assetlife_access_scope"
_UNLIMITED = object()

# How a page or an endpoint meets a scoped user:
SCOPED = "scoped"  # rows limited to the scope; written within it
SCOPED_VIEW = "scoped_view"  # rows limited to the scope; read-only (sites, centers: they define scopes)
SHARED = "shared"  # organisation-wide data that lies nowhere: read in full; read-only
ORGANISATION = "organisation"  # the organisation's own (reports, users, scopes): as if it did not exist
POLICIES = (SCOPED, SCOPED_VIEW, SHARED, ORGANISATION)

# The identities of an asset, unique across the organisation, as people name them.
IDENTITIES = {"serial_number": "serial number", "asset_tag": "asset tag"}


@dataclass(frozen=True)
class Scope:
    """The sites and centers of one user, as subqueries (nothing is fetched)."""

    scope_id: int

    @property
    def site_ids(self) -> QuerySet:
        return AccessScope.sites.through.objects.filter(accessscope_id=self.scope_id).values("site_id")

    @property
    def center_ids(self) -> QuerySet:
        return AccessScope.centers.through.objects.filter(accessscope_id=self.scope_id).values("circularcenter_id")

    def covers(self, placement: Placement) -> Q:
        """Rows whose site is one of the scope's sites, or whose center one of its centers."""
        conditions = []
        if placement.site:
            conditions.append(Q(**{f"{placement.site}__in": self.site_ids}))
        if placement.center:
            conditions.append(Q(**{f"{placement.center}__in": self.center_ids}))
        if not conditions:
            raise ValueError(f"{placement!r} names neither a site nor a center")
        return functools.reduce(operator.or_, conditions)


def scope_of(user) -> Scope | None:
    """The user's scope, or ``None`` when they have none (or are not authenticated)."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        scope_id = _scope_id(user)
        cached = Scope(scope_id) if scope_id is not None else _UNLIMITED
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return None if cached is _UNLIMITED else cached


def scope_for(request) -> Scope | None:
    """The scope of the request's user (``None``: unlimited)."""
    return scope_of(getattr(request, "user", None))


def _scope_id(user) -> int | None:
    related = get_user_model().access_scope.related
    if related.is_cached(user):  # loaded with the user: no query
        scope = related.get_cached_value(user)
        return scope.pk if scope is not None else None
    return AccessScope.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()


def placement_of(model: type[Model]) -> Placement | None:
    """Where rows of ``model`` lie, or ``None`` for organisation-wide data."""
    return getattr(model, "placement", None)


def visible(queryset: QuerySet, scope: Scope | None) -> QuerySet:
    """The rows of ``queryset`` that lie in ``scope`` (all of them for ``None``)."""
    if scope is None:
        return queryset
    placement = placement_of(queryset.model)
    if placement is None:
        raise TypeError(f"{queryset.model.__name__} lies nowhere; it is not limited by a scope")
    return queryset.filter(scope.covers(placement))


def seen_flag(model: type[Model], scope: Scope | None):
    """A boolean column for a query on ``model``: whether the row lies in ``scope``.

    For answers that must read a row whatever the scope, and say only as much of it as
    the scope allows (a key or a serial number used elsewhere), in the same query.
    """
    if scope is None:
        return Value(True)
    in_it = When(scope.covers(placement_of(model)), then=Value(True))
    return Case(in_it, default=Value(False), output_field=BooleanField())


def in_scope(obj: Model, scope: Scope | None) -> bool:
    """Whether one saved object lies in ``scope`` (one query when scoped)."""
    if scope is None:
        return True
    return visible(type(obj)._default_manager.filter(pk=obj.pk), scope).exists()


def writable(policy: str, scope: Scope | None) -> bool:
    """Whether a user with ``scope`` may write through a page or endpoint of ``policy``."""
    return scope is None or policy == SCOPED


def taken_identities(field: str, values: Iterable[str], scope: Scope | None, *, exclude_pk=None) -> dict[str, bool]:
    """The ``values`` of ``field`` (``serial_number`` or ``asset_tag``) that an asset holds
    already, each mapped to whether that asset lies in ``scope`` (one query)."""
    values = [value for value in set(values) if value]
    if not values:
        return {}
    holders = Asset.objects.filter(**{f"{field}__in": values})
    if exclude_pk is not None:
        holders = holders.exclude(pk=exclude_pk)
    return dict(holders.annotate(seen=seen_flag(Asset, scope)).values_list(field, "seen"))


def taken_message(field: str, value: str, seen: bool) -> str:
    """Why ``value`` cannot be used, naming nothing outside the scope (no final period)."""
    label = IDENTITIES[field]
    if seen:
        return f"an asset with {label} {value!r} exists"
    return f"{label} {value!r} is not available"


__all__ = [
    "IDENTITIES",
    "ORGANISATION",
    "POLICIES",
    "SCOPED",
    "SCOPED_VIEW",
    "SHARED",
    "Scope",
    "in_scope",
    "placement_of",
    "scope_for",
    "scope_of",
    "seen_flag",
    "taken_identities",
    "taken_message",
    "visible",
    "writable",
]
