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
