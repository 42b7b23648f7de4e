"""Domain errors of the circularity app; the API maps them to 409, the admin to messages."""

from collections.abc import Iterable

from inventory.errors import LifecycleError


class DispositionRefused(LifecycleError):
    code = "disposition_refused"

    def __init__(self, asset: str, reason: str):
        self.asset = asset
        self.reason = reason
        super().__init__(f"Disposition of {asset} refused: {reason}.")

    def as_dict(self):
        return {**super().as_dict(), "asset": self.asset}


class SanitizationMissing(LifecycleError):
    """The sanitization gate (SPEC section 3): data-bearing assets lack a verified certificate."""

    code = "sanitization_missing"

    def __init__(self, route: str, assets: Iterable[str], methods: Iterable[str]):
        self.route = route
        self.assets = sorted(assets)
        self.methods = sorted(methods)
        super().__init__(
            f"Route {route} needs a verified {' or '.join(self.methods)} sanitization of every data-bearing "
            f"asset; missing for: {', '.join(self.assets)}."
        )

    def as_dict(self):
        return {**super().as_dict(), "route": self.route, "assets": self.assets, "methods": self.methods}


class CustodyRefused(LifecycleError):
    """A shipment or receipt the rules refuse."""

    code = "custody_refused"

    def __init__(self, reason: str, assets: Iterable[str] = ()):
        self.reason = reason
        self.assets = sorted(assets)
        super().__init__(f"{reason}.")

    def as_dict(self):
        return {**super().as_dict(), "assets": self.assets}


class SanitizationRefused(LifecycleError):
    code = "sanitization_refused"

    def __init__(self, asset: str, reason: str):
        self.asset = asset
        self.reason = reason
        super().__init__(f"Sanitization of {asset} refused: {reason}.")

    def as_dict(self):
        return {**super().as_dict(), "asset": self.asset}


class SanitizationBatchRefused(LifecycleError):
    """A sanitization batch, or a sample result, that the rules refuse (nothing written)."""

    code = "sanitization_batch_refused"

    def __init__(self, batch: str, reason: str, assets: Iterable[str] = ()):
        self.batch = batch
        self.reason = reason
        self.assets = sorted(assets)
        super().__init__(f"Sanitization batch {batch} refused: {reason}.")

    def as_dict(self):
        return {**super().as_dict(), "batch": self.batch, "assets": self.assets}


class SanitizationBatchFailed(LifecycleError):
    """The sanitization gate: drives of a batch whose sampled verification failed cannot leave.

    ``failures`` maps each batch's code to the sampled drives that failed; ``assets`` are
    the drives of the tree the batch blocks (each needs a new verified sanitization).
    """

    code = "sanitization_batch_failed"

    def __init__(self, route: str, failures: dict[str, Iterable[str]], assets: Iterable[str]):
        self.route = route
        self.failures = {batch: sorted(failed) for batch, failed in sorted(failures.items())}
        self.assets = sorted(assets)
        batches = "; ".join(
            f"batch {batch} (sampled drive {', '.join(failed)} failed verification)"
            for batch, failed in self.failures.items()
        )
        super().__init__(
            f"Route {route} refused: {batches}. Every drive of a failed batch is blocked until it is sanitized "
            f"and verified again; blocked here: {', '.join(self.assets)}."
        )

    def as_dict(self):
        return {
            **super().as_dict(),
            "route": self.route,
            "batches": [{"batch": batch, "failed": failed} for batch, failed in self.failures.items()],
            "assets": self.assets,
        }
