"""THE transition table of SPEC section 2."""

from ..choices import Status

# The ordinary transitions. `missing` goes back to the state it left (see ``allowed_next``).
ALLOWED: dict[str, frozenset[str]] = {
    Status.IN_STOCK: frozenset({Status.DEPLOYED, Status.DECOMMISSIONED, Status.MISSING}),
    Status.DEPLOYED: frozenset({Status.DECOMMISSIONED, Status.MISSING}),
    Status.DECOMMISSIONED: frozenset({Status.IN_TRANSIT, Status.AT_CIRCULAR_CENTER, Status.DEPLOYED, Status.MISSING}),
    Status.IN_TRANSIT: frozenset({Status.AT_CIRCULAR_CENTER, Status.MISSING}),
    Status.AT_CIRCULAR_CENTER: frozenset({Status.MISSING}),
    Status.MISSING: frozenset(),
    Status.RESOLD: frozenset(),
    Status.RECYCLED: frozenset(),
    Status.DISPOSED: frozenset(),
}

# Where a disposition (SPEC section 3) takes an asset from `at_circular_center`. Only
# `circularity.dispositions` asks for these, with ``disposition=True``.
DISPOSITION_TARGETS = frozenset({Status.IN_STOCK, Status.RESOLD, Status.RECYCLED, Status.DISPOSED})

# States in which an asset sits at a site or center, so parts can be moved in and out.
PART_MOVE_STATUSES = frozenset({Status.IN_STOCK, Status.DEPLOYED, Status.DECOMMISSIONED, Status.AT_CIRCULAR_CENTER})


def allowed_next(current: str, *, before_missing: str | None = None) -> frozenset[str]:
    """The states an asset in ``current`` may move to by an ordinary transition."""
    if current == Status.MISSING:
        return frozenset({before_missing}) if before_missing else frozenset()
    return ALLOWED[current]
