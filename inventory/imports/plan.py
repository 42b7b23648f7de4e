"""Checking the rows against each other and the database, then writing them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone
from tqdm import tqdm

from ..choices import Status
from ..locks import lock_assets
from ..models import Asset, PartModel, Site
from ..registration import REGISTRATION_STATUSES, register_assets
from ..scopes import Scope, taken_identities, taken_message, visible
from .rows import Row, RowError, bar_disabled

# Keeps every `IN (...)` list under SQLite's bound-parameter limit.
LOOKUP_CHUNK = 900
WRITE_CHUNK = 2000


@dataclass
class ImportResult:
    """What an import wrote."""

    created: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    installed: int = 0  # assets created inside a parent
    events: int = 0


class Plan:
    """The rows, what they refer to in the database, and every problem found with them.

    Sites and parents are looked up in ``scope`` (the importing user's access scope), so
    one outside it is unknown; identities are checked across the organisation.
    """

    def __init__(self, rows: list[Row], errors: list[RowError], *, scope: Scope | None = None):
        self.rows = rows
        self.errors = list(errors)
        self.scope = scope
        sites = visible(Site.objects.all(), scope)
        self.sites = {site.code: site for site in _fetch(sites, "code", {r.site_code for r in rows})}
        wanted_models = {(r.manufacturer, r.model_number) for r in rows}
        self.part_models = {
            (pm.manufacturer, pm.model_number): pm
            for pm in _fetch(PartModel.objects, "model_number", {number for _, number in wanted_models})
            if (pm.manufacturer, pm.model_number) in wanted_models
        }
        self.by_serial: dict[str, Row] = {}  # the first row of each serial number
        self.parent_row: dict[int, Row] = {}  # line -> the row of its parent
        self.parent_asset: dict[int, Asset] = {}  # line -> its parent in the database, locked
        self.state: dict[int, str] = {}  # line -> the state it will have
        self._check_rows()
        self._check_parents()
        for row in rows:
            self._resolve(row)

    def error(self, row: Row, column: str, message: str) -> None:
        self.errors.append(RowError(row.line, column, message))

    def _taken(self, field: str) -> dict[str, bool]:
        """The file's values of ``field`` that assets hold already: value -> in the scope."""
        values = sorted({getattr(row, field) for row in self.rows if getattr(row, field)})
        taken: dict[str, bool] = {}
        for chunk in _chunks(values):
            taken.update(taken_identities(field, chunk, self.scope))
        return taken

    def _check_rows(self) -> None:
        existing_serials = self._taken("serial_number")
        existing_tags = self._taken("asset_tag")
        by_tag: dict[str, Row] = {}
        for row in self.rows:
            if row.serial_number:
                first = self.by_serial.setdefault(row.serial_number, row)
                if first is not row:
                    self.error(row, "serial_number", f"{row.serial_number!r} is on line {first.line} too")
                elif row.serial_number in existing_serials:
                    seen = existing_serials[row.serial_number]
                    self.error(row, "serial_number", taken_message("serial_number", row.serial_number, seen))
            if row.asset_tag:
                first = by_tag.setdefault(row.asset_tag, row)
                if first is not row:
                    self.error(row, "asset_tag", f"{row.asset_tag!r} is on line {first.line} too")
                elif row.asset_tag in existing_tags:
                    self.error(
                        row, "asset_tag", taken_message("asset_tag", row.asset_tag, existing_tags[row.asset_tag])
                    )
            if row.site_code and row.site_code not in self.sites:
                self.error(row, "site", f"no site with code {row.site_code!r}")
            key = (row.manufacturer, row.model_number)
            if all(key) and key not in self.part_models:
                self.error(
                    row,
                    "model_number",
                    f"no part model {row.model_number!r} of manufacturer {row.manufacturer!r}; add it first",
                )

    def _check_parents(self) -> None:
        outside = {r.parent_serial for r in self.rows if r.parent_serial and r.parent_serial not in self.by_serial}
        in_database = {}
        for chunk in _chunks(sorted(outside)):
            # Locked, so a parent cannot change state between this check and the insert.
            candidates = visible(Asset.objects.filter(serial_number__in=chunk), self.scope).select_related("site")
            for asset in lock_assets(candidates):
                in_database[asset.serial_number] = asset
        for row in self.rows:
            serial = row.parent_serial
            if not serial:
                continue
            if serial == row.serial_number:
                self.error(row, "parent_serial_number", "an asset cannot be installed in itself")
            elif serial in self.by_serial:
                self.parent_row[row.line] = self.by_serial[serial]
            elif serial in in_database:
                self.parent_asset[row.line] = in_database[serial]
            else:
                self.error(
                    row, "parent_serial_number", f"no asset with serial number {serial!r} in the file or the database"
                )

    def _resolve(self, row: Row) -> None:
        """Give the row, and the rows above it, their states; report loops of parents."""
        path: list[Row] = []
        node: Row | None = row
        while node is not None and node.line not in self.state:
            if node in path:
                loop = path[path.index(node) :]
                text = " → ".join(r.serial_number for r in [*loop, node])
                for member in loop:
                    self.error(member, "parent_serial_number", f"its parents make a loop: {text}")
                    self.state[member.line] = member.status or Status.IN_STOCK
                break
            path.append(node)
            node = self.parent_row.get(node.line)
        for node in reversed(path):
            if node.line not in self.state:
                self.state[node.line] = self._inherit(node)

    def _inherit(self, row: Row) -> str:
        """The row's state, checked against its parent's state and site."""
        parent_row, parent = self.parent_row.get(row.line), self.parent_asset.get(row.line)
        if parent_row is not None:
            serial, status, site = parent_row.serial_number, self.state[parent_row.line], parent_row.site_code
        elif parent is not None:
            serial, status, site = parent.serial_number, parent.status, parent.site.code
            if status not in REGISTRATION_STATUSES:
                self.error(
                    row,
                    "parent_serial_number",
                    f"{serial} is {status}; a new component goes only into an asset in stock or deployed",
                )
                return row.status or Status.IN_STOCK
        else:
            return row.status or Status.IN_STOCK
        if row.site_code and site and row.site_code != site:
            self.error(
                row,
                "parent_serial_number",
                f"{serial} is at {site} and this asset at {row.site_code}; a component is at its parent's site",
            )
        if row.status and row.status != status:
            self.error(
                row,
                "status",
                f"{row.status} but its parent {serial} is {status}; a component shares its parent's state "
                "(leave status blank to take it)",
            )
        return status

    def _levels(self) -> list[list[Row]]:
        """The rows by depth below a top-level row (or a parent in the database): parents first."""
        depth: dict[int, int] = {}
        for row in self.rows:
            path, node = [], row
            while node.line not in depth and node.line in self.parent_row:
                path.append(node)
                node = self.parent_row[node.line]
            depth.setdefault(node.line, 0)
            for above in reversed(path):
                depth[above.line] = depth[self.parent_row[above.line].line] + 1
        levels: list[list[Row]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
        for row in self.rows:
            levels[depth[row.line]].append(row)
        return levels

    def write(self, *, name: str, source: str, actor, progress: bool) -> ImportResult:
        now = timezone.now()
        created: dict[int, Asset] = {}
        events = 0
        with tqdm(total=len(self.rows), desc="Importing", unit=" assets", disable=bar_disabled(progress)) as bar:
            for level in self._levels():
                for chunk in _chunks(level, WRITE_CHUNK):
                    assets = [self._asset(row, created) for row in chunk]
                    notes = [f"Imported from {name or 'a CSV file'}, line {row.line}" for row in chunk]
                    events += len(register_assets(assets, source=source, actor=actor, occurred_at=now, notes=notes))
                    created.update((row.line, asset) for row, asset in zip(chunk, assets, strict=True))
                    bar.update(len(chunk))
        return ImportResult(
            created=len(created),
            by_status=dict(Counter(asset.status for asset in created.values())),
            installed=sum(asset.parent_id is not None for asset in created.values()),
            events=events,
        )

    def _asset(self, row: Row, created: dict[int, Asset]) -> Asset:
        parent_row = self.parent_row.get(row.line)
        return Asset(
            serial_number=row.serial_number,
            asset_tag=row.asset_tag,
            part_model=self.part_models[(row.manufacturer, row.model_number)],
            site=self.sites[row.site_code],
            parent=created[parent_row.line] if parent_row else self.parent_asset.get(row.line),
            status=self.state[row.line],
            deployed_at=row.deployed_at,
        )


def _chunks(values: list, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _fetch(queryset, column: str, values: set) -> Iterator:
    """The rows whose ``column`` is one of ``values``, a chunk of values per query."""
    for chunk in _chunks(sorted(value for value in values if value)):
        yield from queryset.filter(**{f"{column}__in": chunk})
