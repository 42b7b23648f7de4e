"""Domain errors of the inventory. They carry data; the API and admin render them."""

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
