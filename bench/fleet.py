"""A synthetic fleet written with COPY: sites, centers, part models, servers with their
components, and dispositions spread over three fiscal years.

Proportions follow the brief (servers of ~20 kg holding 19 tracked parts; reuse and
recycling rising from ~82 % toward 90 %); the values are deterministic for a given size.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

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
FIRST_DAY = dt.datetime(2021, 7, 1, tzinfo=dt.UTC)
DAYS = (dt.datetime(2024, 7, 1, tzinfo=dt.UTC) - FIRST_DAY).days
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
            "INSERT INTO circularity_circularcenter (code, name) VALUES (%s, %s) RETURNING id",
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
               embodied_kgco2e) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id""",
            [manufacturer, model, category, mass, data_bearing, embodied],
        ).fetchone()[0]
    conn.commit()
    return site_ids, center_ids, part_ids


def load_assets(conn, servers: int, progress=None) -> Fleet:
    """``servers`` deployed servers, each with its 19 parts installed (ids are contiguous per tree)."""
    site_ids, center_ids, part_ids = load_reference_data(conn)
    fleet = Fleet(servers, site_ids, center_ids, part_ids)
    sites = [site_ids[site[0]] for site in SITES]
    layout = [part_ids["server"]] + [part_ids[p[0]] for p in PARTS for _ in range(p[6])]
    columns = "id, serial_number, part_model_id, parent_id, site_id, status, deployed_at, created_at, updated_at"
    with indexes_dropped(conn, "inventory_asset"), conn.cursor() as cur:
        with cur.copy(f"COPY inventory_asset ({columns}) FROM STDIN") as copy:
            chunk = []
            for index in range(servers):
                root = fleet.server_id(index)
                site = sites[index % len(sites)]
                deployed = f"20{19 + index % 4}-0{1 + index % 9}-15 08:00:00+00"
                for offset, part_model in enumerate(layout):
                    asset_id = root + offset
                    parent = r"\N" if offset == 0 else str(root)
                    chunk.append(
                        f"{asset_id}\t{fleet.serial(asset_id)}\t{part_model}\t{parent}\t{site}\tdeployed\t"
                        f"{deployed}\t{NOW}\t{NOW}\n"
                    )
                if len(chunk) >= 50_000:
                    copy.write("".join(chunk))
                    chunk = []
                    if progress:
                        progress(index + 1)
            copy.write("".join(chunk))
        conn.commit()
    reset_sequence(conn, "inventory_asset")
    return fleet


def load_dispositions(conn, fleet: Fleet, count: int, *, start_tree: int = 0, seed: int = 7, progress=None) -> int:
    """Append ``count`` dispositions, written tree by tree (a server and its parts share a route).

    Dispositions reference the fleet's assets cyclically (each custody cycle is a row of its
    own), spread uniformly over FY2022–FY2024. Returns the next tree index to continue from.
    """
    rnd = random.Random(seed + start_tree)
    sites = list(fleet.site_ids.items())
    site_center = {fleet.site_ids[s[0]]: fleet.center_ids[s[4]] for s in SITES}
    masses = {"server": "18.400"} | {p[0]: p[3] for p in PARTS}
    embodied = {p[0]: p[5] for p in PARTS}
    categories = ["server"] + [p[0] for p in PARTS for _ in range(p[6])]
    sites_by_id = [site_id for _, site_id in sites]
    columns = (
        "asset_id, tree_root_id, center_id, site_id, category, route, decided_at, mass_kg, embodied_kgco2e, "
        "to_site_id, vendor, certificate_id, recorded_at"
    )
    written, tree = 0, start_tree
    with indexes_dropped(conn, "circularity_disposition"), conn.cursor() as cur:
        with cur.copy(f"COPY circularity_disposition ({columns}) FROM STDIN") as copy:
            chunk = []
            while written < count:
                root = fleet.server_id(tree % fleet.servers)
                site = sites_by_id[tree % len(sites_by_id)]
                center = site_center[site]
                moment = FIRST_DAY + dt.timedelta(seconds=rnd.randrange(DAYS * 86400))
                fiscal_year = moment.year + (1 if moment.month >= 7 else 0)
                route = rnd.choices(ROUTES, ROUTE_SHARES[fiscal_year])[0]
                to_site = str(site) if route == "reuse" else r"\N"
                stamp = moment.strftime("%Y-%m-%d %H:%M:%S+00")
                for offset, category in enumerate(categories[: min(TREE, count - written)]):
                    co2 = embodied[category]
                    chunk.append(
                        f"{root + offset}\t{root}\t{center}\t{site}\t{category}\t{route}\t{stamp}\t"
                        f"{masses[category]}\t{co2}\t{to_site}\t\t\t{NOW}\n"
                    )
                written += min(TREE, count - written)
                tree += 1
                if len(chunk) >= 50_000:
                    copy.write("".join(chunk))
                    chunk = []
                    if progress:
                        progress(written)
            copy.write("".join(chunk))
        conn.commit()
    return tree
