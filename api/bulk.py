"""``POST /api/v1/events/``: a batch of transitions, all applied or none, idempotent per item.

The batch is handled as sets, never item by item against the database:

1. shapes: every item is checked (in Python, no query); the bad ones are reported
   together by index and field (400, nothing written);
2. keys: the assets and centers the batch names (within the caller's scope) are read in
   one query each; unknown ones are reported like bad shapes;
3. replays: the ``external_id``s already applied are read in ONE query; such an item is
   skipped and answered with the event it wrote the first time. A key reused for a
   different change (another asset, state or time) refuses the batch (409); the answer
   describes the change the key applied only when its event lies in the caller's scope,
   and is "already used", nothing more, when it does not;
4. the new items go to ``inventory.lifecycle.transition_many`` in one call: it locks the
   assets once, in primary-key order, checks every item against the rules and appends
   the events in bulk; a refusal names each refused item's index (409);
5. the answer reads every item's event back in one query, the same way for new events
   and replays, so a retried batch answers exactly what the first one did.

Two clients posting the same batch at once: the second waits on the row locks, then is
either refused by the rules or hits the unique index on ``external_id``. Either way the
replay check runs again, and the second answers the first's events as replays.

Item validation is written out by hand rather than through a DRF serializer per item:
a batch of 10,000 items would otherwise spend seconds in field machinery.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError
from django.utils import timezone

from assetlife.collector import paused_collection
from circularity.models import CircularCenter
from inventory import lifecycle, moments
from inventory.choices import Source, Status
from inventory.errors import BatchRefused, MomentRefused
from inventory.lifecycle import TransitionRequest
from inventory.models import Asset, EventKey, LifecycleEvent
from inventory.scopes import Scope, scope_for, seen_flag, visible

from . import selectors
from .errors import BatchInvalid, ExternalIdConflict

MAX_ITEMS = 10_000
ATTEMPTS = 3  # a concurrent duplicate is resolved on the next attempt; more means contention
APPLIED, REPLAYED = "applied", "replayed"

FIELDS = ("asset", "to", "occurred_at", "center", "note", "external_id")
MAX_LENGTHS = {"asset": 64, "center": 16, "external_id": 128}
REQUIRED = "This field is required."


@dataclass
class Item:
    asset: str
    to: str
    occurred_at: dt.datetime
    center: str | None
    note: str
    external_id: str | None


@dataclass(frozen=True)
class ItemResult:
    index: int
    result: str  # APPLIED or REPLAYED
    event: dict


def apply_batch(data, *, request) -> list[ItemResult]:
    """Apply a batch (the parsed JSON body); return one result per item, in order."""
    with paused_collection():  # the batch holds its rows alive until it ends: see assetlife.collector
        return _apply_batch(data, request)


def _apply_batch(data, request) -> list[ItemResult]:
    items = validated_items(data)
    scope = scope_for(request)
    asset_ids, centers = _resolve_keys(items, scope)
    keys = [item.external_id for item in items if item.external_id]
    for attempt in range(1, ATTEMPTS + 1):
        applied = _applied_events(keys, scope)
        _check_replays(items, applied)
        fresh = [index for index, item in enumerate(items) if item.external_id not in applied]
        requests = [_request(items[index], centers) for index in fresh]
        # The events it writes are recorded after this (a margin for a clock stepped back).
        writing = timezone.now() - moments.FUTURE_TOLERANCE
        try:
            written = lifecycle.transition_many(requests, source=Source.API, actor=request.user)
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
            continue  # a concurrent batch applied one of these keys first: replay it
        except BatchRefused as refused:
            if attempt < ATTEMPTS and keys and set(_applied_events(keys, scope)) != set(applied):
                continue  # a concurrent batch with these keys moved the same assets first
            raise BatchRefused({fresh[index]: error for index, error in refused.errors.items()}) from None
        event_ids = {index: applied[items[index].external_id][0] for index in _replayed(items, applied)}
        event_ids.update(zip(fresh, _root_event_ids(requests, written, asset_ids), strict=True))
        # The answer's events were recorded since the earliest replayed one, or the write:
        # it reads those months' partitions only.
        since = min([writing, *(row[-1] for row in applied.values())])
        events = selectors.events_by_id((event_ids[index] for index in range(len(items))), recorded_since=since)
        fresh_set = set(fresh)
        return [
            ItemResult(index, APPLIED if index in fresh_set else REPLAYED, event) for index, event in enumerate(events)
        ]
    raise AssertionError("unreachable")  # pragma: no cover


def _replayed(items: list[Item], applied: dict[str, tuple]) -> list[int]:
    return [index for index, item in enumerate(items) if item.external_id in applied]


def validated_items(data) -> list[Item]:
    """Check the shape of every item; raise ``BatchInvalid`` naming each bad one."""
    if not isinstance(data, list):
        raise BatchInvalid('Send a JSON list of events, e.g. [{"asset": "SN1", "to": "decommissioned", ...}].')
    if not data:
        raise BatchInvalid("The list is empty: send at least one event.")
    if len(data) > MAX_ITEMS:
        raise BatchInvalid(f"A batch holds at most {MAX_ITEMS} events; this one has {len(data)}. Split it.")
    items, errors, seen = [], {}, {}
    now = timezone.now()
    for index, raw in enumerate(data):
        item, item_errors = _read_item(raw, now)
        if item is not None and item.external_id is not None:
            if item.external_id in seen:
                item_errors["external_id"] = [f"Repeats the external_id of item {seen[item.external_id]}."]
            seen.setdefault(item.external_id, index)
        if item_errors:
            errors[index] = item_errors
        items.append(item)
    if errors:
        raise BatchInvalid.from_field_errors(errors)
    return items


def _read_item(raw, now: dt.datetime) -> tuple[Item | None, dict[str, list[str]]]:
    if not isinstance(raw, dict):
        return None, {"non_field_errors": [f"Expected an object with {', '.join(FIELDS)}; got {type(raw).__name__}."]}
    errors: dict[str, list[str]] = {}
    for name in raw.keys() - set(FIELDS):
        errors[str(name)] = [f"Unknown field; an event has {', '.join(FIELDS)}."]
    text = {}
    for name in FIELDS:
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            errors[name] = ["Not a string."]
        elif value is not None and name in MAX_LENGTHS and len(value.strip()) > MAX_LENGTHS[name]:
            errors[name] = [f"Ensure this field has no more than {MAX_LENGTHS[name]} characters."]
        else:
            text[name] = (value or "").strip() if name != "note" else (value or "")
    for name in ("asset", "to", "occurred_at"):
        if name not in errors and not text.get(name):
            errors[name] = [REQUIRED]
    if "to" not in errors and text["to"] not in Status.values:
        errors["to"] = [f'"{text["to"]}" is not a valid state; states: {", ".join(Status.values)}.']
    occurred_at = None
    if "occurred_at" not in errors:
        occurred_at, problem = _moment(text["occurred_at"], now)
        if problem:
            errors["occurred_at"] = [problem]
    if errors:
        return None, errors
    item = Item(
        asset=text["asset"],
        to=text["to"],
        occurred_at=occurred_at,
        center=text["center"] or None,
        note=text["note"],
        external_id=text["external_id"] or None,
    )
    return item, {}


def _moment(text: str, now: dt.datetime) -> tuple[dt.datetime | None, str | None]:
    """The one rule of a moment (``inventory.moments``), as the single transition reads it."""
    try:
        return moments.parse_moment(text, field="occurred_at", now=now), None
    except MomentRefused as refused:
        return None, refused.sentence


def _resolve_keys(items: list[Item], scope: Scope | None) -> tuple[dict[str, int], dict[str, CircularCenter]]:
    """The ids of the assets and the centers named; refuse unknown (or out-of-scope) ones."""
    serials = {item.asset for item in items}
    assets = visible(Asset.objects.filter(serial_number__any=list(serials)), scope)
    asset_ids = dict(assets.values_list("serial_number", "id"))
    codes = {item.center for item in items if item.center}
    centers = {}
    if codes:
        centers = {center.code: center for center in visible(CircularCenter.objects.filter(code__in=codes), scope)}
    errors: dict[int, dict[str, list[str]]] = {}
    for index, item in enumerate(items):
        if item.asset not in asset_ids:
            errors.setdefault(index, {})["asset"] = [f"No asset has serial number {item.asset!r}."]
        if item.center and item.center not in centers:
            errors.setdefault(index, {})["center"] = [f"No circular center has code {item.center!r}."]
    if errors:
        raise BatchInvalid.from_field_errors(errors)
    return asset_ids, centers


def _applied_events(keys: list[str], scope: Scope | None) -> dict[str, tuple]:
    """``external_id`` -> (event id, serial number, to_status, occurred_at, in the scope,
    recorded_at), for keys seen before, whoever applied them.

    The key table is read first (its primary key; one query, the only one when every key
    is new), then the events of the keys found, from the month of the earliest only:
    a lookup of the events by ``external_id`` probes every monthly partition, and
    PostgreSQL ran it in parallel, 5–10× slower than one index (docs/performance.md).
    """
    if not keys:
        return {}
    keyed = list(EventKey.objects.filter(external_id__any=list(keys)).values_list("event_id", "recorded_at"))
    if not keyed:
        return {}
    found = (
        LifecycleEvent.objects.filter(
            pk__any=[event_id for event_id, _ in keyed], recorded_at__gte=min(moment for _, moment in keyed)
        )
        .order_by()
        .annotate(seen=seen_flag(LifecycleEvent, scope))
        .values_list("external_id", "id", "asset__serial_number", "to_status", "occurred_at", "seen", "recorded_at")
    )
    return {key: rest for key, *rest in found}


def _check_replays(items: list[Item], applied: dict[str, tuple]) -> None:
    """A replay must be the same change as the one its key applied; otherwise refuse (409).

    The refusal describes that change only if its event lies in the caller's scope. A
    replay of a key applied outside it cannot match: the item's asset is in the scope.
    """
    conflicts = {}
    for index, item in enumerate(items):
        if item.external_id not in applied:
            continue
        _, serial, to_status, occurred_at, seen, _ = applied[item.external_id]
        if not seen:
            conflicts[index] = ExternalIdConflict(item.external_id)
        elif (serial, to_status, occurred_at) != (item.asset, item.to, item.occurred_at):
            described = f"asset {serial} -> {to_status} at {occurred_at.isoformat()}"
            conflicts[index] = ExternalIdConflict(item.external_id, described)
    if conflicts:
        raise BatchRefused(conflicts)


def _request(item: Item, centers: dict[str, CircularCenter]) -> TransitionRequest:
    return TransitionRequest(
        asset=item.asset,
        to=item.to,
        occurred_at=item.occurred_at,
        center=centers.get(item.center) if item.center else None,
        note=item.note,
        external_id=item.external_id,
    )


def _root_event_ids(requests: list[TransitionRequest], written, asset_ids) -> list[int]:
    """The event of each request's own asset. ``transition_many`` writes it first, then the
    events of the assets installed in it, request after request."""
    keys = lifecycle.event_keys(written)
    roots, position = [], 0
    for request in requests:
        asset_id = asset_ids[request.serial_number]
        while keys[position][1] != asset_id:
            position += 1
        roots.append(keys[position][0])
        position += 1
    return roots
