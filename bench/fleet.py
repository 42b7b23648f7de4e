"""A synthetic fleet written with COPY: sites, centers, part models, servers with their
components, and dispositions spread over three fiscal years.

Proportions follow the brief (servers of ~20 kg holding 19 tracked parts); the values are
deterministic for a given size. Histories are consistent, as the product would have
written them (``manage.py check_data`` finds the fleet clean): every asset has its
registration event, and every disposition was decided for retired hardware that went
through its custody cycles, one event per change of state.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
from dataclasses import dataclass

from inventory.choices import default_focus_materials, default_hazardous

from .db import indexes_dropped, reset_sequence

SITES = [
    ("AMS05", "Amsterdam 5", "westeurope", "NL", "AMS-CC"),
    ("AMS06", "Amsterdam 6", "westeurope", "NL", "AMS-CC"),
    ("DUB07", "Dublin 7", "northeurope", "IE", "DUB-CC"),
    ("IAD02", "Ashburn 2", "eastus", "US", "IAD-CC"),
    ("IAD03", "Ashburn 3", "eastus", "US", "IAD-CC"),
    ("SIN01", "Singapore 1", "southeastasia", "SG", "SIN-CC"),
]
CENTERS = sorted({site[4] for site in SITES})

# (category, manufacturer, model, own mass kg, data bearing, embodied kg CO2e, count per server)
PARTS = [
    ("server", "Contoso", "CX-2U-G7", "18.400", False, "1350.000", 0),
    ("cpu", "Fabrikam", "FX-64C", "0.110", False, "25.000", 2),
    ("memory", "Northwind", "NW-64G-DDR5", "0.030", False, "12.000", 12),
    ("ssd", "Tailspin", "TS-3T84-NVME", "0.080", True, "30.000", 2),
    ("nic", "Litware", "LW-100G", "0.150", False, "9.000", 1),
    ("psu", "Proseware", "PS-1600W", "1.500", False, "22.000", 2),
]
PARTS_PER_SERVER = sum(part[6] for part in PARTS)  # 19
TREE = 1 + PARTS_PER_SERVER  # a server and its parts: 20 assets

ROUTES = ["reuse", "resale", "recycle", "incineration_energy_recovery", "incineration", "landfill"]
# Route shares per fiscal year: FY2022 at the brief's 82 % (50 reuse + 32 recycle), rising.
ROUTE_SHARES = {
    2022: [0.30, 0.20, 0.32, 0.08, 0.04, 0.06],
    2023: [0.32, 0.21, 0.32, 0.07, 0.03, 0.05],
    2024: [0.34, 0.21, 0.32, 0.06, 0.03, 0.04],
}
VENDOR = "BENCH-RECYCLER"
FIRST_DAY = dt.datetime(2021, 7, 1, tzinfo=dt.UTC)
NOW = "2024-07-01 00:00:00+00"


@dataclass(frozen=True)
class Fleet:
    servers: int
    site_ids: dict[str, int]
    center_ids: dict[str, int]
    part_ids: dict[str, int]

    @property
    def assets(self) -> int:
        return self.servers * TREE

    def server_id(self, index: int) -> int:
        return index * TREE + 1

    def serial(self, asset_id: int) -> str:
        return f"BN{asset_id:09d}"


def load_reference_data(conn) -> tuple[dict, dict, dict]:
    site_ids, center_ids, part_ids = {}, {}, {}
    for code, name, region, country, _ in SITES:
        site_ids[code] = conn.execute(
            "INSERT INTO inventory_site (code, name, region, country) VALUES (%s, %s, %s, %s) RETURNING id",
            [code, name, region, country],
        ).fetchone()[0]
    for code in CENTERS:
        center_ids[code] = conn.execute(
            "INSERT INTO circularity_circularcenter (code, name, onsite_routes) VALUES (%s, %s, '[]') RETURNING id",
            [code, f"Circular center {code}"],
        ).fetchone()[0]
    for code, *_, center in SITES:
        conn.execute(
            "INSERT INTO circularity_circularcenter_sites (circularcenter_id, site_id) VALUES (%s, %s)",
            [center_ids[center], site_ids[code]],
        )
    for category, manufacturer, model, mass, data_bearing, embodied, _ in PARTS:
        part_ids[category] = conn.execute(
            """INSERT INTO inventory_partmodel (manufacturer, model_number, category, mass_kg, data_bearing,
               embodied_kgco2e, hazardous, focus_materials) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
            [
                manufacturer,
                model,
                category,
                mass,
                data_bearing,
                embodied,
                default_hazardous(category),
                json.dumps(default_focus_materials(category)),
            ],
        ).fetchone()[0]
    conn.commit()
    return site_ids, center_ids, part_ids


def bench_vendor_id(conn) -> int:
    """The bench's one downstream vendor (the COPY load bypasses the gate, as a restore would)."""
    row = conn.execute(
        """INSERT INTO circularity_vendor (code, name, country, routes, migrated_from_text, created_at)
           VALUES (%s, 'Bench recycler', 'NL', %s, false, now())
           ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name RETURNING id""",
        [VENDOR, json.dumps([r for r in ROUTES if r != "reuse"])],
    ).fetchone()
    return row[0]


def load_assets(conn, servers: int, progress=None) -> Fleet:
    """``servers`` deployed servers, each with its 19 parts installed (ids are contiguous per tree).

    Each asset is registered at its ``deployed_at`` (one event, as ``inventory.registration``
    writes it) and its ``last_event_at`` says so.
    """
    site_ids, center_ids, part_ids = load_reference_data(conn)
    fleet = Fleet(servers, site_ids, center_ids, part_ids)
    sites = [site_ids[site[0]] for site in SITES]
    codes = {site_ids[site[0]]: site[0] for site in SITES}
    layout = [part_ids["server"]] + [part_ids[p[0]] for p in PARTS for _ in range(p[6])]
    with Loader(conn) as loader:
        for index in range(servers):
            root = fleet.server_id(index)
            site = sites[index % len(sites)]
            deployed = f"20{19 + index % 4}-0{1 + index % 9}-15 08:00:00+00"
            for offset, part_model in enumerate(layout):
                asset_id = root + offset
                parent = None if offset == 0 else root
                loader.asset(asset_id, fleet.serial(asset_id), part_model, parent, site, None, "deployed", deployed)
                loader.event(asset_id, "deployed", "deployed", deployed, codes[site], "Registered (bench fleet)")
            if loader.flush() and progress:
                progress(index + 1)
    return fleet


class Loader:
    """Rows of assets, their events and dispositions, written by COPY a chunk at a time
    (assets first: events and dispositions refer to them), with the tables' secondary
    indexes dropped during the load and rebuilt after, as pg_restore does."""

    TABLES = {
        "inventory_asset": (
            "id, serial_number, part_model_id, parent_id, site_id, center_id, status, deployed_at, "
            "decommissioned_at, last_event_at, created_at, updated_at"
        ),
        "inventory_lifecycleevent": "asset_id, action, from_status, to_status, occurred_at, recorded_at, source, "
        "location, note",
        "circularity_disposition": "asset_id, tree_root_id, center_id, site_id, category, route, decided_at, mass_kg, "
        "embodied_kgco2e, to_site_id, vendor_id, certificate_id, currency, hazardous, recorded_at",
    }
    CHUNK = 50_000

    def __init__(self, conn, *, drop_indexes: bool = True):
        self.conn = conn
        self.drop_indexes = drop_indexes
        self.rows: dict[str, list[str]] = {table: [] for table in self.TABLES}

    def __enter__(self):
        self.stack = contextlib.ExitStack()
        if self.drop_indexes:
            for table in self.TABLES:
                self.stack.enter_context(indexes_dropped(self.conn, table))
        return self

    def asset(
        self, asset_id, serial, part_model, parent, site, center, status, deployed, decommissioned=None, last_event=None
    ):
        values = (
            asset_id,
            serial,
            part_model,
            parent,
            site,
            center,
            status,
            deployed,
            decommissioned,
            last_event or deployed,
            NOW,
            NOW,
        )
        self._add("inventory_asset", values)

    def event(self, asset_id: int, from_status: str, to_status: str, moment: str, location: str, note: str = ""):
        self._add(
            "inventory_lifecycleevent",
            (asset_id, "transition", from_status, to_status, moment, NOW, "import", location, note),
        )

    def disposition(self, *values, vendor_id: int | None = None):
        hazardous = "t" if default_hazardous(values[4]) else "f"  # the part model's flag, copied (values[4]: category)
        self._add("circularity_disposition", (*values, vendor_id, "", "", hazardous, NOW))

    def _add(self, table: str, values: tuple) -> None:
        self.rows[table].append("\t".join(r"\N" if value is None else str(value) for value in values) + "\n")

    def flush(self, *, force: bool = False) -> bool:
        """Write what is held once a chunk is full (or ``force``); say whether it wrote."""
        if not force and sum(len(rows) for rows in self.rows.values()) < self.CHUNK:
            return False
        with self.conn.cursor() as cursor:
            for table, columns in self.TABLES.items():
                if self.rows[table]:
                    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        copy.write("".join(self.rows[table]))
                    self.rows[table] = []
        return True

    def __exit__(self, kind, *exc):
        try:
            if kind is None:
                self.flush(force=True)
                self.conn.commit()
        finally:
            self.stack.close()  # rebuilds the indexes
        if kind is None:
            reset_sequence(self.conn, "inventory_asset")
        return False


# Custody cycles of a retired tree over FY2022–FY2024: reused (back in stock at its site)
# CYCLES - 1 times, then its final route by the fiscal year's mix. A route other than reuse
# is final, so only a tree's last cycle may take one: the mix of the *final* routes is
# the brief's, and reuse dominates the dispositions as a whole.
CYCLES = 10
DAY = dt.timedelta(days=1)


def load_dispositions(
    conn,
    fleet: Fleet,
    count: int,
    *,
    start_tree: int = 0,
    seed: int = 7,
    progress=None,
    month: dt.date | None = None,
) -> int:
    """Append ``count`` dispositions (whole trees: a multiple of 20), with the hardware they decided.

    Each retired tree (a server and its 19 parts, new assets) is registered deployed before
    FY2022, then goes through its custody cycles: decommissioned, received at its site's
    circular center, dispositioned (every asset of the tree by the same route, at the same
    moment: SPEC section 3), each change one event. Cycles spread over FY2022–FY2024, or,
    with ``month``, one cycle per tree decided in that month. Returns the next tree number.
    """
    if count % TREE:
        raise ValueError(f"dispositions come in whole trees of {TREE}; {count} is not a multiple")
    rnd = random.Random(seed + start_tree)
    site_codes = {fleet.site_ids[s[0]]: s[0] for s in SITES}
    site_center = {fleet.site_ids[s[0]]: (fleet.center_ids[s[4]], s[4]) for s in SITES}
    sites = sorted(site_codes)
    masses = {"server": "18.400"} | {p[0]: p[3] for p in PARTS}
    embodied = {p[0]: p[5] for p in PARTS}
    categories = ["server"] + [p[0] for p in PARTS for _ in range(p[6])]
    layout = [fleet.part_ids[category] for category in categories]
    vendor_id = bench_vendor_id(conn)
    cycles_left = count // TREE
    per_tree = 1 if month else CYCLES
    with conn.cursor() as cursor:
        next_id = cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM inventory_asset").fetchone()[0]
    written, tree = 0, start_tree
    with Loader(conn, drop_indexes=month is None) as loader:
        while cycles_left:
            cycles = min(per_tree, cycles_left)
            cycles_left -= cycles
            root, site = next_id, sites[tree % len(sites)]
            next_id += TREE
            center, center_code = site_center[site]
            site_code = site_codes[site]
            moments = _cycle_moments(rnd, cycles, month)
            registered = moments[0][0] - dt.timedelta(days=30 + rnd.randrange(365))
            final = moments[-1][2]
            fiscal_year = final.year + (1 if final.month >= 7 else 0)
            last_route = rnd.choices(ROUTES, ROUTE_SHARES[fiscal_year])[0]
            routes = ["reuse"] * (cycles - 1) + [last_route]
            status = ROUTE_STATE[last_route]
            for offset, category in enumerate(categories):
                asset_id = root + offset
                loader.asset(
                    asset_id,
                    f"RT{asset_id:09d}",
                    layout[offset],
                    None if offset == 0 else root,
                    site,
                    None if status == "in_stock" else center,
                    status,
                    _stamp(registered),
                    None if status == "in_stock" else _stamp(moments[-1][0]),
                    _stamp(final),
                )
                loader.event(
                    asset_id, "deployed", "deployed", _stamp(registered), site_code, "Registered (bench fleet)"
                )
                previous = "deployed"
                for (decommissioned, arrived, decided), route in zip(moments, routes, strict=True):
                    after = ROUTE_STATE[route]
                    loader.event(asset_id, previous, "decommissioned", _stamp(decommissioned), site_code)
                    loader.event(asset_id, "decommissioned", "at_circular_center", _stamp(arrived), center_code)
                    loader.event(
                        asset_id,
                        "at_circular_center",
                        after,
                        _stamp(decided),
                        site_code if after == "in_stock" else center_code,
                        f"Disposition: {route} at {center_code}",
                    )
                    loader.disposition(
                        asset_id,
                        root,
                        center,
                        site,
                        category,
                        route,
                        _stamp(decided),
                        masses[category],
                        embodied[category],
                        site if route == "reuse" else None,
                        # Every other tree's waste goes to a vendor (offsite), the rest is
                        # handled at the center: the waste figures' onsite/offsite split.
                        vendor_id=vendor_id if route != "reuse" and tree % 2 else None,
                    )
                    previous = after
            written += cycles * TREE
            tree += 1
            if loader.flush() and progress:
                progress(written)
    return tree


ROUTE_STATE = {
    "reuse": "in_stock",
    "resale": "resold",
    "recycle": "recycled",
    "incineration_energy_recovery": "disposed",
    "incineration": "disposed",
    "landfill": "disposed",
}
LAST_DAY = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)


def _cycle_moments(rnd: random.Random, cycles: int, month: dt.date | None) -> list[tuple]:
    """(decommissioned, arrived, decided) of each cycle, in order: each cycle in its own
    slot of the span, decided at least two days into it, so cycles never overlap."""
    if month is not None:
        start = dt.datetime(month.year, month.month, 1, tzinfo=dt.UTC)
        span = dt.timedelta(days=27)
    else:
        start, span = FIRST_DAY, LAST_DAY - FIRST_DAY
    slot = span / cycles
    found = []
    for cycle in range(cycles):
        decided = (
            start + slot * cycle + 2 * DAY + dt.timedelta(seconds=rnd.randrange(int((slot - 3 * DAY).total_seconds())))
        )
        found.append((decided - 2 * DAY, decided - DAY, decided))
    return found


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S+00")
