"""What the demo fleet is made of: sites, campuses, part models and server builds.

Masses are a part's *own* mass (SPEC section 1: a server's chassis and motherboard, net
of the CPUs, DIMMs, drives, NICs and PSUs tracked separately). Masses and embodied carbon
are illustrative values of the right order for each kind of part, not vendor data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from circularity.choices import Route
from inventory.choices import Category


@dataclass(frozen=True)
class SiteSpec:
    code: str
    name: str
    region: str
    country: str
    weight: float  # share of the fleet


@dataclass(frozen=True)
class CampusSpec:
    """One campus: the sites one circular center serves."""

    center: str
    name: str
    sites: tuple[str, ...]


SITES = (
    SiteSpec("AMS05", "Amsterdam 05", "westeurope", "NL", 0.18),
    SiteSpec("AMS06", "Amsterdam 06", "westeurope", "NL", 0.14),
    SiteSpec("DUB07", "Dublin 07", "northeurope", "IE", 0.16),
    SiteSpec("IAD02", "Ashburn 02", "eastus", "US", 0.18),
    SiteSpec("IAD03", "Ashburn 03", "eastus", "US", 0.14),
    SiteSpec("SIN01", "Singapore 01", "southeastasia", "SG", 0.10),
    SiteSpec("SYD04", "Sydney 04", "australiaeast", "AU", 0.10),
)

CAMPUSES = (
    CampusSpec("AMS-CC", "Amsterdam circular center", ("AMS05", "AMS06")),
    CampusSpec("DUB-CC", "Dublin circular center", ("DUB07",)),
    CampusSpec("IAD-CC", "Ashburn circular center", ("IAD02", "IAD03")),
    CampusSpec("SIN-CC", "Singapore circular center", ("SIN01",)),
    CampusSpec("SYD-CC", "Sydney circular center", ("SYD04",)),
)

CENTER_OF_SITE = {site: campus.center for campus in CAMPUSES for site in campus.sites}
CAMPUS_SITES = {campus.center: campus.sites for campus in CAMPUSES}


@dataclass(frozen=True)
class PartSpec:
    manufacturer: str
    model_number: str
    category: str
    mass_kg: str
    embodied_kgco2e: str
    serial_prefix: str
    serial_length: int  # random characters after the prefix

    @property
    def key(self) -> tuple[str, str]:
        return (self.manufacturer, self.model_number)

    @property
    def mass(self) -> Decimal:
        return Decimal(self.mass_kg)


def _p(manufacturer, model, category, mass, co2, prefix, length=8):
    return PartSpec(manufacturer, model, category, mass, co2, prefix, length)


S, CPU, MEM, SSD, HDD = Category.SERVER, Category.CPU, Category.MEMORY, Category.SSD, Category.HDD
NIC, PSU, GPU = Category.NIC, Category.PSU, Category.GPU

# Server generations: bought before 2019-07, before 2022-07, and since.
GENERATION_STARTS = (dt.date(1900, 1, 1), dt.date(2019, 7, 1), dt.date(2022, 7, 1))

# generation -> build kind -> server models
SERVER_MODELS: dict[int, dict[str, tuple[PartSpec, ...]]] = {
    1: {
        "compute": (
            _p("Dell", "PowerEdge R640", S, "13.600", "850", "", 7),
            _p("HPE", "ProLiant DL360 Gen10", S, "12.900", "820", "CZ", 8),
        ),
        "memory": (_p("Lenovo", "ThinkSystem SR650", S, "18.600", "1050", "J30", 5),),
        "storage": (_p("Dell", "PowerEdge R740xd", S, "19.200", "1100", "", 7),),
        "gpu": (_p("Supermicro", "SYS-4029GP-TRT", S, "24.500", "1500", "S", 12),),
    },
    2: {
        "compute": (
            _p("Dell", "PowerEdge R650", S, "14.100", "880", "", 7),
            _p("HPE", "ProLiant DL360 Gen10 Plus", S, "13.200", "840", "CZ", 8),
        ),
        "memory": (
            _p("Dell", "PowerEdge R750", S, "19.500", "1150", "", 7),
            _p("HPE", "ProLiant DL380 Gen10 Plus", S, "18.100", "1080", "CZ", 8),
        ),
        "storage": (_p("Lenovo", "ThinkSystem SR650 V2", S, "19.800", "1120", "J30", 5),),
        "gpu": (_p("Supermicro", "SYS-420GP-TNR", S, "25.000", "1600", "S", 12),),
    },
    3: {
        "compute": (
            _p("Dell", "PowerEdge R660", S, "14.300", "900", "", 7),
            _p("HPE", "ProLiant DL360 Gen11", S, "13.400", "860", "CZ", 8),
        ),
        "memory": (
            _p("Dell", "PowerEdge R760", S, "19.900", "1180", "", 7),
            _p("HPE", "ProLiant DL380 Gen11", S, "18.400", "1100", "CZ", 8),
        ),
        "storage": (_p("Lenovo", "ThinkSystem SR655 V3", S, "20.100", "1140", "J30", 5),),
        "gpu": (_p("Supermicro", "AS-4125GS-TNRT", S, "25.400", "1650", "S", 12),),
    },
}

# generation -> category -> component models (one model per category per server)
COMPONENTS: dict[int, dict[str, tuple[PartSpec, ...]]] = {
    1: {
        CPU: (
            _p("Intel", "Xeon Gold 6148", CPU, "0.095", "28", "U1", 11),
            _p("Intel", "Xeon Platinum 8168", CPU, "0.095", "30", "U1", 11),
        ),
        MEM: (_p("Samsung", "M393A4K40CB2-CVF", MEM, "0.028", "45", "S4", 10),),
        SSD: (_p("Intel", "SSDPE2KX020T8", SSD, "0.095", "190", "PHLJ", 12),),
        HDD: (_p("Seagate", "ST16000NM001G", HDD, "0.670", "35", "ZL", 6),),
        NIC: (_p("Mellanox", "MCX4121A-ACAT", NIC, "0.120", "20", "MT", 10),),
        PSU: (_p("Delta", "DPS-750AB-36", PSU, "1.250", "35", "CN", 12),),
        GPU: (_p("NVIDIA", "900-2G500-0010-000", GPU, "1.450", "160", "03", 11),),
    },
    2: {
        CPU: (
            _p("Intel", "Xeon Gold 6338", CPU, "0.100", "32", "U2", 11),
            _p("AMD", "EPYC 7763", CPU, "0.110", "34", "9M", 10),
        ),
        MEM: (
            _p("SK hynix", "HMAA8GR7AJR4N-XN", MEM, "0.032", "85", "SKH", 9),
            _p("Micron", "MTA36ASF8G72PZ-3G2", MEM, "0.032", "85", "MT", 10),
        ),
        SSD: (
            _p("Samsung", "MZQL23T8HCLS-00A07", SSD, "0.090", "330", "S64H", 10),
            _p("Micron", "MTFDKCC3T8TFR", SSD, "0.088", "330", "MU", 10),
        ),
        HDD: (_p("Western Digital", "WUH721818ALE6L4", HDD, "0.690", "36", "3W", 6),),
        NIC: (
            _p("NVIDIA", "MCX623106AN-CDAT", NIC, "0.150", "24", "MT", 10),
            _p("Intel", "E810-XXVDA2", NIC, "0.140", "22", "B4", 10),
        ),
        PSU: (_p("Lite-On", "PS-2112-5L", PSU, "1.600", "42", "6C", 12),),
        GPU: (_p("NVIDIA", "900-21001-0020-000", GPU, "1.500", "210", "13", 11),),
    },
    3: {
        CPU: (
            _p("Intel", "Xeon Platinum 8480+", CPU, "0.110", "38", "U3", 11),
            _p("AMD", "EPYC 9654", CPU, "0.120", "40", "9N", 10),
        ),
        MEM: (_p("Samsung", "M321R8GA0BB0-CQK", MEM, "0.035", "90", "S8", 10),),
        SSD: (_p("Solidigm", "SSDPF2KX038T1", SSD, "0.095", "320", "PHAX", 12),),
        HDD: (_p("Seagate", "ST20000NM007D", HDD, "0.670", "36", "ZV", 6),),
        NIC: (_p("NVIDIA", "MCX75310AAS-NEAT", NIC, "0.160", "26", "MT", 10),),
        PSU: (_p("Artesyn", "CSU1800AP-3-100", PSU, "1.900", "50", "AR", 12),),
        GPU: (_p("NVIDIA", "900-2G133-0080-000", GPU, "1.600", "240", "14", 11),),
    },
}

# How a build of each kind is populated: category -> count.
BUILDS: dict[str, dict[str, int]] = {
    "compute": {CPU: 2, MEM: 12, SSD: 2, NIC: 1, PSU: 2},
    "memory": {CPU: 2, MEM: 16, SSD: 2, NIC: 1, PSU: 2},
    "storage": {CPU: 1, MEM: 8, SSD: 2, HDD: 6, NIC: 1, PSU: 2},
    "gpu": {CPU: 2, MEM: 16, SSD: 2, GPU: 4, NIC: 2, PSU: 2},
}
BUILD_WEIGHTS = {"compute": 0.55, "memory": 0.20, "storage": 0.17, "gpu": 0.08}

# Annualised rates of the failures that are swapped in the field and tracked as returns.
ANNUAL_FAILURE_RATE = {HDD: 0.010, SSD: 0.004, PSU: 0.006}


def all_part_specs() -> list[PartSpec]:
    specs: dict[tuple[str, str], PartSpec] = {}
    for tables in (SERVER_MODELS, COMPONENTS):
        for by_kind in tables.values():
            for models in by_kind.values():
                for spec in models:
                    specs.setdefault(spec.key, spec)
    return sorted(specs.values(), key=lambda spec: spec.key)


def generation(day: dt.date) -> int:
    return max(index for index, start in enumerate(GENERATION_STARTS, start=1) if day >= start)


# --- routes ---------------------------------------------------------------------------

# Share of disposition units that go to reuse, resale or recycling, per fiscal year. FY2022
# is the published 82 %; later years climb toward the 90 %-by-FY2030 target (FY2024 dips
# below the trajectory so the dashboard shows an off-track year).
DIVERTED_SHARE = {2021: 0.79, 2022: 0.82, 2023: 0.834, 2024: 0.836, 2025: 0.857, 2026: 0.868, 2027: 0.879}


def diverted_share(fiscal_year: int) -> float:
    if fiscal_year in DIVERTED_SHARE:
        return DIVERTED_SHARE[fiscal_year]
    if fiscal_year < min(DIVERTED_SHARE):
        return DIVERTED_SHARE[min(DIVERTED_SHARE)]
    return min(0.95, DIVERTED_SHARE[max(DIVERTED_SHARE)] + 0.011 * (fiscal_year - max(DIVERTED_SHARE)))


# How readily a decision of each kind ends in disposal (higher: more often). "tree" is a
# whole server decided with everything in it; "chassis" is a server emptied by dismantling.
DISPOSAL_PROPENSITY = {
    "tree": 1.0,
    "chassis": 1.8,
    PSU: 1.5,
    HDD: 1.4,
    SSD: 1.2,
    NIC: 0.8,
    MEM: 0.5,
    CPU: 0.4,
    GPU: 0.25,
}

# Among diverted routes, and among disposal routes: weights per kind of decision.
DIVERTED_ROUTES = {
    "tree": {Route.REUSE: 0.30, Route.RESALE: 0.35, Route.RECYCLE: 0.35},
    "chassis": {Route.RESALE: 0.10, Route.RECYCLE: 0.90},
    CPU: {Route.REUSE: 0.40, Route.RESALE: 0.45, Route.RECYCLE: 0.15},
    MEM: {Route.REUSE: 0.45, Route.RESALE: 0.40, Route.RECYCLE: 0.15},
    GPU: {Route.REUSE: 0.55, Route.RESALE: 0.40, Route.RECYCLE: 0.05},
    SSD: {Route.REUSE: 0.20, Route.RESALE: 0.20, Route.RECYCLE: 0.60},
    HDD: {Route.RESALE: 0.15, Route.RECYCLE: 0.85},
    NIC: {Route.REUSE: 0.35, Route.RESALE: 0.40, Route.RECYCLE: 0.25},
    PSU: {Route.REUSE: 0.20, Route.RESALE: 0.30, Route.RECYCLE: 0.50},
}
FAILED_PART_ROUTES = {Route.RECYCLE: 1.0}  # a failed part is not reused or resold
DISPOSAL_ROUTES = {Route.INCINERATION_ENERGY_RECOVERY: 0.5, Route.LANDFILL: 0.3, Route.INCINERATION: 0.2}

# Vendor codes (their names, routes and certifications: demo/vendors.py).
RESALE_VENDORS = ("NORTHWIND-ITAD", "CONTOSO-REMARKETING", "FABRIKAM-RESALE")
RECYCLING_VENDORS = ("FABRIKAM-RECYCLING", "TAILSPIN-METALS", "WOODGROVE-EWASTE")
DISPOSAL_VENDORS = ("LITWARE-WASTE", "ADATUM-ENVIRONMENTAL")
SANITIZERS = ("Circular center team", "Site decommissioning team", "Blancco-certified vendor")

# --- packaging ------------------------------------------------------------------------

# Package-weighted average single-use plastic content per fiscal year: 4.7 % in FY2021,
# 3.3 % in FY2022 (the published -29.8 %), then toward zero by FY2025.
PLASTIC_SHARE = {2021: 0.047, 2022: 0.033, 2023: 0.019, 2024: 0.008, 2025: 0.002}


def plastic_share(fiscal_year: int) -> float:
    if fiscal_year < 2021:
        return PLASTIC_SHARE[2021]
    return PLASTIC_SHARE.get(fiscal_year, 0.0)


# supplier, grams per package (low, high), packages per month per 100 servers (low, high)
PACKAGING_SUPPLIERS = (
    ("Dell", (3800, 6200), (2, 6)),
    ("HPE", (3500, 5800), (1, 5)),
    ("Samsung", (120, 300), (8, 20)),
    ("Seagate", (400, 700), (3, 10)),
    ("NVIDIA", (900, 1600), (1, 3)),
)
