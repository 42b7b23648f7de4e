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


class DownstreamRefused(LifecycleError):
    """The downstream gate (SPEC section 9): who takes a disposition away is not qualified.

    ``vendor`` is the vendor's code ("" when none was named), ``route`` the route asked,
    ``missing`` what is lacking, in words, and ``schemes`` the certification schemes that
    would do.
    """

    code = "downstream_refused"

    def __init__(self, *, vendor: str, route: str, missing: str, schemes=(), center: str = ""):
        self.vendor = vendor
        self.route = route
        self.missing = missing
        self.schemes = sorted(schemes)
        self.center = center
        who = f"vendor {vendor}" if vendor else "no vendor"
        super().__init__(f"Route {route} with {who} refused: {missing}.")

    def as_dict(self):
        return {
            **super().as_dict(),
            "vendor": self.vendor,
            "route": self.route,
            "missing": self.missing,
            "schemes": self.schemes,
        }


class LotRefused(LifecycleError):
    """A lot the rules refuse (mixed center, vendor or route; a disposition already in a lot)."""

    code = "lot_refused"

    def __init__(self, lot: str, reason: str, dispositions=()):
        self.lot = lot
        self.reason = reason
        self.dispositions = sorted(dispositions)
        super().__init__(f"Lot {lot} refused: {reason}.")

    def as_dict(self):
        return {**super().as_dict(), "lot": self.lot, "dispositions": self.dispositions}


class EvidenceRefused(Exception):
    """An evidence file refused for what it is (type, size, empty): bad input, a 400 naming
    the field, ``{"file": ["..."]}``; the admin shows it on the form's field."""

    def __init__(self, sentence: str, field: str = "file"):
        self.sentence = sentence
        self.field = field
        super().__init__(sentence)


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
