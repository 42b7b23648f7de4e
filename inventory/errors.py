"""Domain errors of the inventory. They carry data; the API and admin render them."""

import datetime as dt
from collections.abc import Iterable


class LifecycleError(Exception):
    """Base class: a lifecycle change the rules refuse. Nothing was written."""

    code = "lifecycle_refused"

    def as_dict(self) -> dict:
        return {"code": self.code, "detail": str(self)}


class AssetNotFound(LifecycleError):
    code = "asset_not_found"

    def __init__(self, serial_number: str):
        self.serial_number = serial_number
        super().__init__(f"No asset has serial number {serial_number!r}.")

    def as_dict(self):
        return {**super().as_dict(), "asset": self.serial_number}


class TransitionRefused(LifecycleError):
    """A transition the table (SPEC section 2) does not allow, or whose conditions fail."""

    code = "transition_refused"

    def __init__(self, asset: str, current: str, requested: str, allowed: Iterable[str], reason: str = ""):
        self.asset = asset
        self.current = current
        self.requested = requested
        self.allowed = sorted(allowed)
        self.reason = reason
        allowed_text = ", ".join(self.allowed) if self.allowed else "none (terminal state)"
        message = f"Asset {asset} is {current}; it cannot go to {requested}"
        message += f": {reason}." if reason else "."
        message += f" Allowed next states: {allowed_text}."
        super().__init__(message)

    def as_dict(self):
        return {
            **super().as_dict(),
            "asset": self.asset,
            "current": self.current,
            "requested": self.requested,
            "allowed": self.allowed,
        }


class PartMoveRefused(LifecycleError):
    """A removal from, or installation into, a parent that the rules refuse."""

    code = "part_move_refused"

    def __init__(self, asset: str, reason: str):
        self.asset = asset
        self.reason = reason
        super().__init__(f"Asset {asset}: {reason}.")

    def as_dict(self):
        return {**super().as_dict(), "asset": self.asset}


class MomentRefused(LifecycleError):
    """A moment (or a day, a month, a year) that AssetLife does not record: see ``inventory.moments``.

    Bad input, not a conflict with the rules: the API answers 400 naming ``field``.
    """

    code = "invalid_moment"

    def __init__(self, field: str, value, reason: str):
        self.field = field
        self.value = value
        self.reason = reason
        self.sentence = f"{_shown(value)} {reason}."
        super().__init__(f"{field}: {self.sentence}")

    def as_dict(self):
        return {**super().as_dict(), "field": self.field}


def _shown(value) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = repr(value)
        return text if len(text) <= 80 else text[:77] + "…"
    return "None" if value is None else f"{type(value).__name__} {str(value)[:40]}"


class EventOutOfOrder(LifecycleError):
    """An event earlier than the latest one of the asset, or of the tree it moves with (SPEC 2, "Time").

    An asset's state is the last event of its history in (``occurred_at``, recording
    order); an earlier event recorded now would contradict it. ``latest_asset`` is the
    asset of the tree that holds the latest event (the asset itself, or a part in it).
    """

    code = "out_of_order"

    def __init__(self, asset: str, moment: dt.datetime, latest: dt.datetime, latest_asset: str):
        self.asset = asset
        self.moment = moment
        self.latest = latest
        self.latest_asset = latest_asset
        whose = "its latest event" if latest_asset == asset else f"the latest event of its tree ({latest_asset})"
        super().__init__(
            f"Asset {asset}: an event at {_iso(moment)} is earlier than {whose}, at {_iso(latest)}. "
            f"History is recorded in order: record it at {_iso(latest)} or later."
        )

    def as_dict(self):
        return {
            **super().as_dict(),
            "asset": self.asset,
            "occurred_at": _iso(self.moment),
            "latest": _iso(self.latest),
            "latest_asset": self.latest_asset,
        }


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class BatchRefused(LifecycleError):
    """One or more items of a batch were refused; the batch wrote nothing.

    ``errors`` maps the index of each refused item to its ``LifecycleError``.
    """

    code = "batch_refused"

    def __init__(self, errors: dict[int, LifecycleError]):
        self.errors = dict(sorted(errors.items()))
        lines = [f"item {index}: {error}" for index, error in self.errors.items()]
        super().__init__(f"{len(self.errors)} item(s) refused; nothing was applied. " + " ".join(lines))

    def as_dict(self):
        return {
            "code": self.code,
            "detail": f"{len(self.errors)} item(s) refused; nothing was applied.",
            "errors": [{"index": index, **error.as_dict()} for index, error in self.errors.items()],
        }
